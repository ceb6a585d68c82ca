//! The OpenAPI document: valid, in step with the checked-in copy, and true to the routes.

use crate::spawn_bridge;

const CHECKED_IN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");

#[tokio::test]
async fn the_served_document_is_the_checked_in_one() {
    let bridge = spawn_bridge().await;
    let served: serde_json::Value = reqwest::get(bridge.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, bridge_server::openapi_document());
    let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(CHECKED_IN, &pretty).unwrap();
    }
    let checked_in = std::fs::read_to_string(CHECKED_IN).unwrap_or_default();
    assert!(
        checked_in == pretty,
        "docs/openapi.json differs from the API's document; review the change and run \
         `UPDATE_OPENAPI=1 cargo test -p bridge-server openapi` to update it"
    );
}

#[tokio::test]
async fn the_document_is_valid_openapi_and_every_path_is_routed() {
    let document = bridge_server::openapi_document();
    let parsed: openapiv3::OpenAPI =
        serde_json::from_value(document.clone()).expect("a valid OpenAPI 3.0 document");
    assert!(parsed.paths.paths.len() >= 2 + 2 * bridge_store::tables::ALL.len());
    // Every $ref points at something in the document.
    let text = document.to_string();
    for piece in text.split("\"$ref\":\"#/").skip(1) {
        let pointer = format!("/{}", piece.split('"').next().unwrap());
        assert!(
            document.pointer(&pointer).is_some(),
            "dangling $ref {pointer}"
        );
    }
    // Every path answers with something other than "no such endpoint" (401 without a key).
    let bridge = spawn_bridge().await;
    let client = reqwest::Client::new();
    for (path, item) in &parsed.paths.paths {
        let concrete = path.replace("{company}", "acme").replace("{id}", "1");
        let item = item.as_item().unwrap();
        let request = if item.get.is_some() {
            client.get(bridge.url(&concrete))
        } else if item.post.is_none() && item.delete.is_some() {
            client.delete(bridge.url(&concrete))
        } else {
            client
                .post(bridge.url(&concrete))
                .json(&serde_json::json!({}))
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{path} is routed and needs a key");
    }
}
