//! Many companies behind one address: each with its own credential, data, tokens, rate
//! limits and admin API, and none able to read another's.

use std::collections::BTreeSet;

use bridge_testkit::{ADMIN_TOKEN, RunningSandbox, sandbox, spawn_fleet};
use personio_sandbox::{
    RateLimitClock, RateLimits, fleet_client_id, fleet_client_secret, fleet_company_id,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{client, get, send, status_and_json, v1_token_for, v2_token_for};

const SEED: u64 = 11;

fn fleet(companies: usize) -> RunningSandbox {
    spawn_fleet(sandbox(SEED, 12).history_days(20), companies)
}

async fn admin(
    sb: &RunningSandbox,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    send(sb, method, ADMIN_TOKEN, path, body).await
}

async fn token_of(sb: &RunningSandbox, index: usize) -> String {
    v2_token_for(
        sb,
        &fleet_client_id(index),
        &fleet_client_secret(SEED, index),
    )
    .await
}

async fn person_ids(sb: &RunningSandbox, token: &str) -> BTreeSet<String> {
    let (status, body) = get(sb, token, "/v2/persons?limit=50").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_listing_names_every_company_with_its_credential_and_needs_the_admin_token() {
    let sb = fleet(3);
    let response = client()
        .get(sb.url("/_sandbox/companies"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = get(&sb, "not-the-admin-token", "/_sandbox/companies").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body) = admin(&sb, Method::GET, "/_sandbox/companies", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let companies = body["companies"].as_array().unwrap();
    assert_eq!(companies.len(), 3);
    for (i, company) in companies.iter().enumerate() {
        let index = i + 1;
        assert_eq!(company["index"], index);
        assert_eq!(company["client_id"], fleet_client_id(index));
        assert_eq!(company["client_secret"], fleet_client_secret(SEED, index));
        assert_eq!(company["company_id"], fleet_company_id(index));
        assert_eq!(company["employees"], 12);
        assert_eq!(company["generated"], false, "listing makes no company");
    }

    // The listed secret works, and only then is that company made.
    let token = token_of(&sb, 2).await;
    assert_eq!(person_ids(&sb, &token).await.len(), 12);
    let (_, body) = admin(&sb, Method::GET, "/_sandbox/companies", None).await;
    let generated: Vec<bool> = body["companies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["generated"].as_bool().unwrap())
        .collect();
    assert_eq!(generated, [false, true, false]);
}

#[tokio::test]
async fn each_company_reads_only_its_own_data_and_tokens_never_cross() {
    let sb = fleet(2);
    let first = token_of(&sb, 1).await;
    let second = token_of(&sb, 2).await;
    let (people_1, people_2) = (
        person_ids(&sb, &first).await,
        person_ids(&sb, &second).await,
    );
    assert_eq!(people_1.len(), 12);
    assert!(
        people_1.is_disjoint(&people_2),
        "two companies, two sets of people"
    );

    // v1 too: the employees company 2's v1 token sees are company 2's.
    let v1 = v1_token_for(&sb, &fleet_client_id(2), &fleet_client_secret(SEED, 2)).await;
    let (status, body) = get(&sb, &v1, "/v1/company/employees?limit=50").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v1_ids: BTreeSet<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["id"]["value"].to_string())
        .collect();
    assert_eq!(v1_ids, people_2);

    // A company's client id with another company's secret is refused.
    let response = client()
        .post(sb.url("/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &fleet_client_id(2)),
            ("client_secret", &fleet_client_secret(SEED, 1)),
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(body["error"], "invalid_client");

    // A token dressed as another company's is unknown there: 401, as for any unknown token.
    let forged = first.replacen("papi-c1-", "papi-c2-", 1);
    assert_ne!(forged, first);
    let (status, _) = get(&sb, &forged, "/v2/persons").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = get(&sb, "papi-not-a-token", "/v2/persons").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Revoking company 1's token ends it there and leaves company 2's alone.
    let response = client()
        .post(sb.url("/v2/auth/revoke"))
        .form(&[("token", first.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, _) = get(&sb, &first, "/v2/persons").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = get(&sb, &second, "/v2/persons").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_recruiting_api_takes_each_company_s_own_key_and_id() {
    let sb = fleet(2);
    let (_, body) = admin(&sb, Method::GET, "/_sandbox/companies", None).await;
    let key_of = |index: usize| {
        body["companies"][index - 1]["recruiting_token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let apply = |token: String, company_id: i64| {
        let sb = &sb;
        async move {
            let response = client()
                .post(sb.url("/v1/recruiting/applications"))
                .bearer_auth(token)
                .header("X-Company-ID", company_id.to_string())
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            response.status()
        }
    };
    // Company 2's key with company 1's id, and the other way round: unknown.
    assert_eq!(
        apply(key_of(2), fleet_company_id(1)).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        apply(key_of(1), fleet_company_id(2)).await,
        StatusCode::UNAUTHORIZED
    );
    // Its own key and id get past authentication to the body's validation.
    let own = apply(key_of(2), fleet_company_id(2)).await;
    assert_ne!(own, StatusCode::UNAUTHORIZED);
    assert!(own.is_client_error(), "{own}");
}

#[tokio::test]
async fn rate_limits_are_counted_per_company() {
    let clock = RateLimitClock::manual();
    let builder = sandbox(SEED, 12)
        .history_days(20)
        .rate_limits(RateLimits::Personio)
        .rate_limit_clock(clock);
    let sb = spawn_fleet(builder, 2);
    let first = token_of(&sb, 1).await;
    let second = token_of(&sb, 2).await;
    // v2 persons admit 30 at once (per company); the clock does not move.
    let mut statuses = Vec::new();
    for _ in 0..31 {
        statuses.push(get(&sb, &first, "/v2/persons").await.0);
    }
    assert!(
        statuses[..30].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = get(&sb, &second, "/v2/persons").await;
    assert_eq!(status, StatusCode::OK, "company 2's bucket is its own");
}

#[tokio::test]
async fn the_admin_api_of_each_company_lives_under_its_index() {
    let sb = fleet(3);
    let (status, one) = admin(&sb, Method::GET, "/_sandbox/company", None).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["id"], fleet_company_id(1), "/_sandbox/... is company 1");
    let (_, two) = admin(&sb, Method::GET, "/_sandbox/companies/2/company", None).await;
    assert_eq!(two["id"], fleet_company_id(2));
    assert_eq!(two["employees"], 12);

    // Simulating in company 2 moves company 2's clock and changes its people only.
    let (status, report) = admin(
        &sb,
        Method::POST,
        "/_sandbox/companies/2/simulate",
        Some(json!({"days": 3})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, two_after) = admin(&sb, Method::GET, "/_sandbox/companies/2/company", None).await;
    let (_, one_after) = admin(&sb, Method::GET, "/_sandbox/companies/1/company", None).await;
    assert_ne!(two_after["now"], two["now"]);
    let day = |v: &Value| v["now"].as_str().unwrap()[..10].to_owned();
    assert_eq!(day(&one_after), day(&one), "company 1's clock did not move");

    // A fault planned in company 3 breaks company 3 only.
    let plan = json!({"rules": [{"path_prefix": "/v2/persons", "every": 1,
                                  "fault": {"kind": "status", "status": 503}}]});
    let (status, _) = admin(&sb, Method::PUT, "/_sandbox/companies/3/faults", Some(plan)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(&sb, &token_of(&sb, 3).await, "/v2/persons").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, _) = get(&sb, &token_of(&sb, 1).await, "/v2/persons").await;
    assert_eq!(status, StatusCode::OK);

    // A credential created in company 3 signs in to company 3.
    let spec =
        json!({"name": "Extra", "access": {"employees": "read"}, "readable_attributes": "all"});
    let response = client()
        .post(sb.url("/_sandbox/companies/3/credentials"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&spec)
        .send()
        .await
        .unwrap();
    let (status, created) = status_and_json(response).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = v2_token_for(
        &sb,
        created["client_id"].as_str().unwrap(),
        created["client_secret"].as_str().unwrap(),
    )
    .await;
    assert!(token.starts_with("papi-c3-"), "issued by company 3");
    let (_, listed) = admin(&sb, Method::GET, "/_sandbox/companies/3/credentials", None).await;
    assert_eq!(listed["credentials"].as_array().unwrap().len(), 2);
    let (_, listed) = admin(&sb, Method::GET, "/_sandbox/credentials", None).await;
    assert_eq!(listed["credentials"].as_array().unwrap().len(), 1);

    // No company 4, and no company 0.
    let (status, _) = admin(&sb, Method::GET, "/_sandbox/companies/4/company", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin(&sb, Method::GET, "/_sandbox/companies/0/company", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_company_is_the_single_sandbox_with_the_same_seed() {
    // Company 1 of a fleet is the company a single sandbox with the fleet's seed serves.
    let single = bridge_testkit::spawn_sandbox(sandbox(SEED, 12).history_days(20));
    let sb = fleet(2);
    let alone = person_ids(&single, &crate::v2_token(&single).await).await;
    assert_eq!(person_ids(&sb, &token_of(&sb, 1).await).await, alone);
}
