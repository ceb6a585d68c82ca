//! Strict mode (`--strict-schemas`): answers that contradict Personio's documents become a
//! 500 naming the violation; without the documents the sandbox does not start.

use bridge_testkit::{openapi_dir, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use serde_json::Value;

use crate::{get, v2_token};

#[test]
fn strict_mode_without_the_documents_refuses_to_build() {
    let error = match sandbox(1, 5)
        .strict_schemas("/nonexistent/personio-openapi")
        .build()
    {
        Ok(_) => panic!("a strict sandbox built without its documents"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("/nonexistent/personio-openapi") && error.contains("PERSONIO_OPENAPI_DIR"),
        "{error}"
    );
}

#[tokio::test]
async fn strict_mode_answers_500_naming_the_violation() {
    let Some(documents) = openapi_dir() else {
        return;
    };
    // A copy of the documents, made at test time, where a person's first name must be a
    // number: every person the sandbox sends now violates it.
    let dir = std::env::temp_dir().join(format!("sandbox-strict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in personio_sandbox::schemas::DOCUMENTS {
        std::fs::copy(documents.join(name), dir.join(name)).unwrap();
    }
    let persons = dir.join("persons-service-api-v2.json");
    let mut document: Value =
        serde_json::from_str(&std::fs::read_to_string(&persons).unwrap()).unwrap();
    *document
        .pointer_mut("/components/schemas/Person/properties/first_name/type")
        .unwrap() = "integer".into();
    std::fs::write(&persons, document.to_string()).unwrap();

    let sb = spawn_sandbox(sandbox(1, 5).strict_schemas(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
    let token = v2_token(&sb).await;
    let response = crate::client()
        .get(sb.url("/v2/persons"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    let violations = body["violations"].to_string();
    assert!(
        violations.contains("/_data/0/first_name") && violations.contains("integer"),
        "{body}"
    );
    // What the documents do not describe passes untouched.
    let (status, _) = get(&sb, &token, "/v2/legal-entities").await;
    assert_eq!(status, StatusCode::OK);
}
