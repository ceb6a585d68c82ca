//! Bad input never gets a 500: each gets the status and body Personio would send, in the
//! envelope of the API family that was called.

use bridge_testkit::{assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::Value;

use crate::{FIXTURES, client, get, status_and_json, v1_token, v2_token};

#[tokio::test]
async fn missing_and_bad_tokens() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let (status, body) = status_and_json(
        client()
            .get(sb.url("/v1/company/employees"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_same_shape(&body, &fixture(FIXTURES, "v1/error.401.json"), true);
    let (status, body) = get(&sb, "papi-not-a-token", "/v1/company/employees").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_same_shape(&body, &fixture(FIXTURES, "v1/error.403.json"), true);
    let response = client()
        .get(sb.url("/v1/company/employees"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = client().get(sb.url("/v2/persons")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (status, body) = get(&sb, "papi-not-a-token", "/v2/persons").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v2/problem.404-resource.json"),
        false,
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_their_family() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let token = v2_token(&sb).await;
    let (status, body) = get(&sb, &token, "/v2/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.404-route.json"), true);
    assert_eq!(body["errors"][0]["_meta"]["path"], "/v2/nothing-here");
    let (status, body) = get(&sb, &token, "/v1/company/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["success"], false);
    let response = client()
        .delete(sb.url("/v1/company/employees"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["success"], false);
    let response = client()
        .put(sb.url("/v2/persons"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn malformed_parameters_get_400s_and_422s_never_500s() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let v1 = v1_token(&sb).await;
    let v2 = v2_token(&sb).await;
    for (path, token, expected) in [
        (
            "/v1/company/employees?limit=abc",
            &v1,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/v1/company/employees?limit=0",
            &v1,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/v1/company/employees?offset=-1",
            &v1,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/v1/company/employees?updated_since=yesterday",
            &v1,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/v1/company/employees/1/profile-picture/huge",
            &v1,
            StatusCode::BAD_REQUEST,
        ),
        ("/v2/persons?limit=0", &v2, StatusCode::BAD_REQUEST),
        ("/v2/persons?limit=x", &v2, StatusCode::BAD_REQUEST),
        ("/v2/persons?cursor=garbage", &v2, StatusCode::BAD_REQUEST),
        (
            "/v2/persons?cursor=cur_eyJhIjoiIn0",
            &v2,
            StatusCode::BAD_REQUEST,
        ),
        ("/v2/persons?status=MAYBE", &v2, StatusCode::BAD_REQUEST),
        ("/v2/persons?id=abc", &v2, StatusCode::BAD_REQUEST),
        (
            "/v2/persons?created_at.gt=2024-13-45",
            &v2,
            StatusCode::BAD_REQUEST,
        ),
        ("/v2/org-units?type=division", &v2, StatusCode::BAD_REQUEST),
        ("/v2/legal-entities?id=x", &v2, StatusCode::BAD_REQUEST),
    ] {
        let (status, body) = get(&sb, token, path).await;
        assert_eq!(status, expected, "{path}: {body}");
        if path.starts_with("/v1") {
            assert_eq!(body["success"], false, "{path}");
        } else {
            assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.400.json"), false);
        }
    }
}

#[tokio::test]
async fn wrong_content_types_bad_json_and_oversized_bodies() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let v1 = v1_token(&sb).await;
    let v2 = v2_token(&sb).await;
    let post = |path: &str, token: &str, content_type: &str, body: Vec<u8>| {
        client()
            .post(sb.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let response = post(
        "/v1/company/employees",
        &v1,
        "text/plain",
        b"hello".to_vec(),
    )
    .await
    .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["success"], false);
    let response = post(
        "/v2/persons",
        &v2,
        "application/json",
        b"{not json".to_vec(),
    )
    .await
    .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["title"], "Invalid request content");
    let response = post("/v2/persons", &v2, "application/json", b"[1,2,3]".to_vec())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = post(
        "/v2/persons",
        &v2,
        "application/json",
        br#"{"first_name": 5}"#.to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let big = vec![b' '; 11 * 1024 * 1024];
    let response = post("/v2/persons", &v2, "application/json", big.clone())
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["errors"].is_array());
    let response = post("/v1/company/employees", &v1, "application/json", big)
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["success"], Value::Bool(false));
}

/// A body refused unread (too large, or sent without a token) is read to its end before the
/// answer goes out, as Personio's gateways do: the client gets the answer, not a broken
/// pipe, and the next request on the same pooled connection is answered too.
#[tokio::test]
async fn refused_bodies_get_their_answer_and_the_connection_stays_usable() {
    let sb = spawn_sandbox(sandbox(1, 5));
    let token = v2_token(&sb).await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let big = vec![b' '; 11 * 1024 * 1024];
    for round in 0..10 {
        let too_large = http
            .post(sb.url("/v2/persons"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: no answer to a large body: {e}"));
        assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let unauthorized = http
            .post(sb.url("/v2/persons"))
            .header("content-type", "application/json")
            .body(vec![b' '; 2 * 1024 * 1024])
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: no answer without a token: {e}"));
        assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
        let listed = http
            .get(sb.url("/v2/persons"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("round {round}: no answer after: {e}"));
        assert_eq!(listed.status(), StatusCode::OK);
    }
}
