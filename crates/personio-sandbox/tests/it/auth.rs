use bridge_testkit::{
    CLIENT_ID, CLIENT_SECRET, assert_same_shape, fixture, sandbox, spawn_sandbox,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::{FIXTURES, client, status_and_json, v1_token};

#[tokio::test]
async fn v1_auth_accepts_json_form_and_the_deprecated_query_string() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let json_body = client()
        .post(sb.url("/v1/auth"))
        .json(&json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
        .send()
        .await
        .unwrap();
    let (status, json_body) = status_and_json(json_body).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&json_body, &fixture(FIXTURES, "v1/auth.ok.json"), true);
    let form = client()
        .post(sb.url("/v1/auth"))
        .form(&[("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)])
        .send()
        .await
        .unwrap();
    let (_, form) = status_and_json(form).await;
    let query = client()
        .post(sb.url(&format!(
            "/v1/auth?client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
        )))
        .send()
        .await
        .unwrap();
    let (_, query) = status_and_json(query).await;
    let token = json_body["data"]["token"].as_str().unwrap();
    assert!(token.starts_with("papi-"));
    assert_eq!(
        form["data"]["token"], token,
        "the same credentials get the same stable token"
    );
    assert_eq!(query["data"]["token"], token);
    assert_eq!(json_body["data"]["expires_in"], 86400);
}

#[tokio::test]
async fn v1_auth_rejects_a_wrong_secret_with_personios_body() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let response = client()
        .post(sb.url("/v1/auth"))
        .json(&json!({"client_id": CLIENT_ID, "client_secret": "nope"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/auth.wrong-credentials.json"),
        true,
    );
    assert_eq!(body["error"]["message"], "Wrong credentials");
}

#[tokio::test]
async fn v2_token_endpoint_issues_oauth_tokens_and_its_documented_errors() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let token = |form: Vec<(&'static str, &'static str)>| {
        let request = client().post(sb.url("/v2/auth/token")).form(&form);
        async move { status_and_json(request.send().await.unwrap()).await }
    };
    let (status, ok) = token(vec![
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ])
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&ok, &fixture(FIXTURES, "v2/token.ok.json"), true);
    assert!(
        ok["scope"]
            .as_str()
            .unwrap()
            .contains("personio:persons:read")
    );

    let cases = [
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", "wrong"),
            ],
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ],
            "unsupported_grant_type",
        ),
        (
            vec![("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)],
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
            ],
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("scope", "personio:nonsense:read"),
            ],
            "invalid_scope",
        ),
    ];
    for (form, expected) in cases {
        let (status, body) = token(form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], expected, "{body}");
        assert_same_shape(
            &body,
            &fixture(FIXTURES, "v2/oauth.invalid_client.json"),
            false,
        );
    }
    // JSON is not accepted by the token endpoint.
    let json_body = client()
        .post(sb.url("/v2/auth/token"))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(json_body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn a_requested_scope_narrows_the_token() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let response = client()
        .post(sb.url("/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("scope", "personio:org-units:read"),
        ])
        .send()
        .await
        .unwrap();
    let (_, body) = status_and_json(response).await;
    assert_eq!(body["scope"], "personio:org-units:read");
    let token = body["access_token"].as_str().unwrap();
    let (status, _) = crate::get(&sb, token, "/v2/org-units?type=department").await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = crate::get(&sb, token, "/v2/persons").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_same_shape(&problem, &fixture(FIXTURES, "v2/problem.403.json"), false);
}

#[tokio::test]
async fn a_revoked_v2_token_stops_working() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let token = crate::v2_token(&sb).await;
    assert_eq!(
        crate::get(&sb, &token, "/v2/persons").await.0,
        StatusCode::OK
    );
    let response = client()
        .post(sb.url("/v2/auth/revoke"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        crate::get(&sb, &token, "/v2/persons").await.0,
        StatusCode::UNAUTHORIZED
    );
    let fresh = crate::v2_token(&sb).await;
    assert_ne!(fresh, token);
    assert_eq!(
        crate::get(&sb, &fresh, "/v2/persons").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn v1_and_v2_tokens_are_the_same_kind_of_bearer() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let v1 = v1_token(&sb).await;
    assert_eq!(crate::get(&sb, &v1, "/v2/persons").await.0, StatusCode::OK);
}
