//! Link sessions over HTTP: a vendor's `link` key asks for a link, its customer's admin
//! submits a credential on the hosted page (as a browser without JavaScript would), and the
//! company is linked only when the credential has what the session needs.

use bridge_store::{Grant, LinkAccess, NewLinkSession, Scope};
use bridge_testkit::{ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, sandbox, spawn_sandbox};
use serde_json::{Value, json};

use crate::{Bridge, browser, hidden, spawn_bridge, spawn_syncing_bridge};

/// A key with `scopes`, limited to `companies` (none: every company).
pub(crate) async fn key(
    bridge: &Bridge,
    name: &str,
    scopes: &[Scope],
    companies: &[&str],
) -> String {
    use secrecy::ExposeSecret;
    let grant = Grant {
        scopes: scopes.to_vec(),
        companies: companies.iter().map(|c| (*c).to_owned()).collect(),
    };
    let (_, secret) = bridge
        .store
        .create_api_key(name, &grant, chrono::Utc::now())
        .await
        .unwrap();
    secret.expose_secret().to_owned()
}

/// A sandbox credential with `access` (area → "read" | "read_write").
pub(crate) async fn credential(
    sandbox: &bridge_testkit::RunningSandbox,
    access: Value,
) -> (String, String) {
    let created: Value = reqwest::Client::new()
        .post(sandbox.url("/_sandbox/credentials"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "made for a link", "access": access, "readable_attributes": "all"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        created["client_id"].as_str().unwrap().to_owned(),
        created["client_secret"].as_str().unwrap().to_owned(),
    )
}

pub(crate) async fn create_session(bridge: &Bridge, key: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(bridge.url("/api/v1/link-sessions"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The path of a link URL (the test talks to the service's address directly).
fn path_of(url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    url.path().to_owned()
}

async fn submit(
    bridge: &Bridge,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(bridge.url(path))
        .header("Origin", &bridge.base_url)
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_links_through_the_page_after_the_doctor_names_the_missing_area() {
    let sandbox = spawn_sandbox(sandbox(61, 6));
    let bridge = spawn_syncing_bridge().await;
    let link_key = key(&bridge, "vendor", &[Scope::Link], &[]).await;
    let created = create_session(
        &bridge,
        &link_key,
        json!({
            "company": "acme",
            "name": "ACME GmbH",
            "redirect_url": "https://vendor.example/personio/done?tab=1",
            "state": "opaque-123",
            "base_url": sandbox.base_url,
        }),
    )
    .await;
    assert_eq!(created.status(), 201);
    let session: Value = created.json().await.unwrap();
    assert_eq!(session["status"], "pending");
    let url = session["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/link/", bridge.base_url)),
        "{url}"
    );
    let token = url.rsplit('/').next().unwrap();
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    let path = path_of(url);

    // The page, in German when the browser prefers it.
    let client = browser();
    let page = client
        .get(bridge.url(&path))
        .header("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-language"], "de");
    let page = page.text().await.unwrap();
    assert!(page.contains("ACME GmbH mit Personio verbinden"), "{page}");
    assert!(page.contains("Abwesenheit (Absences)"), "{page}");
    let csrf = hidden(&page, "csrf");

    // Without the Absences area: the page names it, in German, and stores nothing.
    let (id, secret) = credential(
        &sandbox,
        json!({"employees": "read", "org_units": "read", "attendances": "read"}),
    )
    .await;
    let refused = submit(
        &bridge,
        &client,
        &path,
        &[
            ("csrf", &csrf),
            ("lang", "de"),
            ("client_id", &id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("Stellen Sie den Bereich „Abwesenheit (Absences)“ auf „Lesen“."),
        "{refused}"
    );
    assert!(
        refused.contains(&format!("value=\"{id}\"")),
        "the client id stays"
    );
    assert!(!refused.contains(&secret), "the secret is never sent back");
    assert!(bridge.store.find_company("acme").await.unwrap().is_none());

    // A wrong secret: its own message, in English this time.
    let wrong = submit(
        &bridge,
        &client,
        &path,
        &[
            ("csrf", &csrf),
            ("lang", "en"),
            ("client_id", CLIENT_ID),
            ("client_secret", "nope"),
        ],
    )
    .await;
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Personio did not accept this client ID and secret")
    );

    // A body the page's form never sends: a page in the person's language, not plain text.
    let garbled = client
        .post(bridge.url(&path))
        .header("Origin", &bridge.base_url)
        .header("Accept-Language", "de")
        .header("Content-Type", "text/plain")
        .body("client_id=x")
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status(), 400);
    assert!(
        garbled
            .text()
            .await
            .unwrap()
            .contains("Das Formular ist abgelaufen")
    );

    // No CSRF token: refused before anything is checked.
    let forged = submit(
        &bridge,
        &client,
        &path,
        &[("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)],
    )
    .await;
    assert_eq!(forged.status(), 403);

    // The full credential links, and the person goes back to the vendor.
    let linked = submit(
        &bridge,
        &client,
        &path,
        &[
            ("csrf", &csrf),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(linked.status(), 303, "{:?}", linked.text().await);
    let location = url::Url::parse(linked.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.path(), "/personio/done");
    let query: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        [
            ("tab", "1"),
            ("company", "acme"),
            ("status", "linked"),
            ("state", "opaque-123")
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert!(bridge.store.find_company("acme").await.unwrap().is_some());

    // The session says so, and its link is used up.
    let shown: Value = reqwest::Client::new()
        .get(bridge.url(&format!(
            "/api/v1/link-sessions/{}",
            session["id"].as_str().unwrap()
        )))
        .bearer_auth(&link_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["status"], "linked");
    assert_eq!(shown["url"], session["url"]);
    let again = client.get(bridge.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), 410);
    let again = submit(
        &bridge,
        &client,
        &path,
        &[
            ("csrf", &csrf),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(again.status(), 410);
}

#[tokio::test]
async fn unknown_expired_and_hammered_links_are_refused() {
    let bridge = spawn_bridge().await;
    let client = browser();
    let unknown = client
        .get(bridge.url("/link/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let new = |lifetime: chrono::Duration| NewLinkSession {
        company: "acme".into(),
        base_url: "http://127.0.0.1:9".into(),
        display_name: None,
        redirect_url: "https://vendor.example/done".into(),
        state: None,
        resources: vec!["employees".into()],
        access: LinkAccess::Read,
        created_by: None,
        lifetime,
    };
    let now = chrono::Utc::now();
    let (_, expired) = bridge
        .store
        .create_link_session(new(chrono::Duration::minutes(-1)), now)
        .await
        .unwrap();
    let page = client
        .get(bridge.url(&format!("/link/{expired}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("This link has expired"));

    let (_, token) = bridge
        .store
        .create_link_session(new(chrono::Duration::minutes(30)), now)
        .await
        .unwrap();
    let path = format!("/link/{token}");
    let page = client
        .get(bridge.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    // Nothing listens on port 9: each submission fails, and after ten the link is locked.
    for attempt in 1..=10 {
        let response = submit(
            &bridge,
            &client,
            &path,
            &[("csrf", &csrf), ("client_id", "x"), ("client_secret", "y")],
        )
        .await;
        assert_eq!(response.status(), 422, "attempt {attempt}");
    }
    let locked = submit(
        &bridge,
        &client,
        &path,
        &[("csrf", &csrf), ("client_id", "x"), ("client_secret", "y")],
    )
    .await;
    assert_eq!(locked.status(), 429);
    assert_eq!(
        client.get(bridge.url(&path)).send().await.unwrap().status(),
        429
    );
}

#[tokio::test]
async fn session_bodies_are_checked_field_by_field() {
    let bridge = spawn_bridge().await;
    let link_key = key(&bridge, "vendor", &[Scope::Link], &["acme"]).await;
    let good = json!({"company": "acme", "redirect_url": "https://vendor.example/done"});
    let cases: Vec<(Value, &str)> = vec![
        (json!({"redirect_url": "https://v.example"}), "company"),
        (
            json!({"company": "a b", "redirect_url": "https://v.example"}),
            "company",
        ),
        (json!({"company": "acme"}), "redirect_url"),
        (
            json!({"company": "acme", "redirect_url": "javascript:alert(1)"}),
            "redirect_url",
        ),
        (
            json!({"company": "acme", "redirect_url": "/relative"}),
            "redirect_url",
        ),
        (
            json!({"company": "acme", "redirect_url": "https://v.example", "state": "x".repeat(513)}),
            "state",
        ),
        (
            json!({"company": "acme", "redirect_url": "https://v.example", "resources": []}),
            "resources",
        ),
        (
            json!({"company": "acme", "redirect_url": "https://v.example", "resources": ["salaries"]}),
            "resources",
        ),
        (
            json!({"company": "acme", "redirect_url": "https://v.example", "access": "admin"}),
            "access",
        ),
        (
            json!({"company": "acme", "redirect_url": "https://v.example", "expires_in_minutes": 0}),
            "expires_in_minutes",
        ),
        (
            json!({"company": "acme", "redirect_url": "https://v.example", "expires_in_minutes": 10081}),
            "expires_in_minutes",
        ),
        (
            json!({"company": "acme", "redirect_url": "https://v.example", "expires_in_minutes": "60"}),
            "expires_in_minutes",
        ),
        (
            json!({"company": "acme", "redirect_url": "https://v.example", "name": 5}),
            "name",
        ),
        (
            json!({"company": "acme", "redirect_url": "https://v.example", "colour": "red"}),
            "colour",
        ),
    ];
    for (body, field) in cases {
        let response = create_session(&bridge, &link_key, body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    let response = create_session(&bridge, &link_key, json!(["not", "an", "object"])).await;
    assert_eq!(response.status(), 400);

    // The key reaches acme only, and only a link key may ask.
    let other = create_session(
        &bridge,
        &link_key,
        json!({"company": "globex", "redirect_url": "https://v.example"}),
    )
    .await;
    assert_eq!(other.status(), 403);
    let reader = key(&bridge, "reader", &[Scope::Read], &[]).await;
    assert_eq!(
        create_session(&bridge, &reader, good.clone())
            .await
            .status(),
        403
    );
    let made = create_session(&bridge, &link_key, good).await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    assert_eq!(
        made["resources"],
        json!([
            "org_units",
            "legal_entities",
            "workplaces",
            "cost_centers",
            "absence_types",
            "employees",
            "absences",
            "attendances"
        ])
    );
    assert_eq!(made["access"], "read");
    let other_key = key(&bridge, "other vendor", &[Scope::Link], &["globex"]).await;
    let hidden = reqwest::Client::new()
        .get(bridge.url(&format!(
            "/api/v1/link-sessions/{}",
            made["id"].as_str().unwrap()
        )))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), 404);
}

#[tokio::test]
async fn a_key_limited_to_one_company_sees_only_it() {
    let sandbox = spawn_sandbox(sandbox(62, 5));
    let bridge = spawn_bridge().await;
    crate::link_and_sync(&bridge.store, &sandbox).await;
    let limited = key(&bridge, "acme only", &[Scope::Read], &["acme"]).await;
    let elsewhere = key(&bridge, "globex only", &[Scope::Read], &["globex"]).await;
    let writer = key(&bridge, "writer", &[Scope::Write], &[]).await;
    let get = |path: &str, key: &str| {
        reqwest::Client::new()
            .get(bridge.url(path))
            .bearer_auth(key)
            .send()
    };
    let employees = get("/api/v1/companies/acme/employees", &limited)
        .await
        .unwrap();
    assert_eq!(employees.status(), 200);
    let employees: Value = employees.json().await.unwrap();
    assert_eq!(employees["data"].as_array().unwrap().len(), 5);
    // One record of a stored person, by a key of another company: as if it did not exist.
    let one = format!(
        "/api/v1/companies/acme/employees/{}",
        employees["data"][0]["id"]
    );
    assert_eq!(get(&one, &limited).await.unwrap().status(), 200);
    for path in [
        "/api/v1/companies/acme",
        "/api/v1/companies/acme/employees",
        "/api/v1/companies/acme/employees/1",
        &one,
    ] {
        assert_eq!(get(path, &elsewhere).await.unwrap().status(), 404, "{path}");
    }
    let listed: Value = get("/api/v1/companies", &elsewhere)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"], json!([]));
    assert_eq!(
        get("/api/v1/companies/acme/employees", &writer)
            .await
            .unwrap()
            .status(),
        403
    );

    // Subscriptions: a limited key must name one of its companies and sees only theirs.
    let subscribe = |key: &str, body: Value| {
        reqwest::Client::new()
            .post(bridge.url("/api/v1/webhooks"))
            .bearer_auth(key)
            .json(&body)
            .send()
    };
    let everything = subscribe(
        &limited,
        json!({"url": "https://hooks.example/a", "events": "*"}),
    )
    .await
    .unwrap();
    assert_eq!(everything.status(), 422);
    let theirs = subscribe(
        &elsewhere,
        json!({"url": "https://hooks.example/b", "events": "*", "company": "acme"}),
    )
    .await
    .unwrap();
    assert_eq!(theirs.status(), 400);
    let ours = subscribe(
        &limited,
        json!({"url": "https://hooks.example/c", "events": "*", "company": "acme"}),
    )
    .await
    .unwrap();
    assert_eq!(ours.status(), 201);
    let ours: Value = ours.json().await.unwrap();
    let listed: Value = get("/api/v1/webhooks", &elsewhere)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"], json!([]));
    let path = format!("/api/v1/webhooks/{}", ours["id"].as_str().unwrap());
    assert_eq!(get(&path, &elsewhere).await.unwrap().status(), 404);
    assert_eq!(get(&path, &limited).await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_session_for_recruiting_checks_the_token_and_company_id() {
    use bridge_testkit::{COMPANY_ID, RECRUITING_TOKEN};
    let sandbox = spawn_sandbox(sandbox(63, 4));
    let bridge = spawn_bridge().await;
    let link_key = key(&bridge, "vendor", &[Scope::Link], &[]).await;
    let session: Value = create_session(
        &bridge,
        &link_key,
        json!({
            "company": "acme",
            "redirect_url": "https://vendor.example/done",
            "resources": ["employees", "recruiting"],
            "base_url": sandbox.base_url,
        }),
    )
    .await
    .json()
    .await
    .unwrap();
    let path = path_of(session["url"].as_str().unwrap());
    let client = browser();
    let page = client
        .get(bridge.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"recruiting_token\"") && page.contains("name=\"company_id\""));
    let csrf = hidden(&page, "csrf");
    let company_id = COMPANY_ID.to_string();
    let cases = [
        (
            "",
            company_id.as_str(),
            "Enter the Recruiting API access token.",
        ),
        (RECRUITING_TOKEN, "forty-two", "The company ID is a number"),
        (
            "not-the-token",
            company_id.as_str(),
            "Personio refused the recruiting access token",
        ),
    ];
    for (token, id, message) in cases {
        let refused = submit(
            &bridge,
            &client,
            &path,
            &[
                ("csrf", &csrf),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("recruiting_token", token),
                ("company_id", id),
            ],
        )
        .await;
        assert_eq!(refused.status(), 422);
        let text = refused.text().await.unwrap();
        assert!(text.contains(message), "{message}: {text}");
        assert!(
            !text.contains(RECRUITING_TOKEN),
            "the token is never sent back"
        );
    }
    let linked = submit(
        &bridge,
        &client,
        &path,
        &[
            ("csrf", &csrf),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("recruiting_token", RECRUITING_TOKEN),
            ("company_id", &company_id),
        ],
    )
    .await;
    assert_eq!(linked.status(), 303);
    let company = bridge.store.company("acme").await.unwrap();
    assert!(company.has_recruiting_token);
    assert_eq!(company.recruiting_company_id, Some(COMPANY_ID));
    assert_eq!(company.settings.resources, ["employees", "recruiting"]);
}
