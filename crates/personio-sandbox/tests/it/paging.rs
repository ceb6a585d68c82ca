use std::collections::BTreeSet;

use bridge_testkit::{sandbox, spawn_sandbox};
use serde_json::Value;

use crate::{get, v1_token, v2_token};

/// Every id of a v1 listing, paged by offset.
async fn v1_ids(sb: &bridge_testkit::RunningSandbox, limit: usize) -> Vec<i64> {
    let token = v1_token(sb).await;
    let mut ids = Vec::new();
    let mut offset = 0;
    for _ in 0..10_000 {
        let (_, page) = get(
            sb,
            &token,
            &format!("/v1/company/employees?limit={limit}&offset={offset}"),
        )
        .await;
        let data = page["data"].as_array().unwrap();
        if data.is_empty() {
            break;
        }
        ids.extend(
            data.iter()
                .map(|e| e["attributes"]["id"]["value"].as_i64().unwrap()),
        );
        offset += limit;
    }
    ids
}

/// Every item of a v2 listing, following `next.href` alone.
pub async fn follow(sb: &bridge_testkit::RunningSandbox, token: &str, first: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut url = first.to_owned();
    for _ in 0..10_000 {
        let (status, page) = get(sb, token, &url).await;
        assert!(status.is_success(), "{url}: {page}");
        items.extend(page["_data"].as_array().unwrap().iter().cloned());
        match page["_meta"]["links"]["next"]["href"].as_str() {
            Some(next) => {
                url = next
                    .strip_prefix(&sb.base_url)
                    .expect("next is absolute on our origin")
                    .to_owned()
            }
            None => return items,
        }
    }
    panic!("pagination did not end");
}

#[tokio::test]
async fn a_thousand_employees_page_the_same_through_v1_offsets_and_v2_cursors() {
    let sb = spawn_sandbox(sandbox(7, 1000));
    let v1 = v1_ids(&sb, 100).await;
    let token = v2_token(&sb).await;
    let v2: Vec<i64> = follow(&sb, &token, "/v2/persons?limit=50")
        .await
        .iter()
        .map(|p| p["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(v1.len(), 1000, "no gap");
    assert_eq!(
        v1.iter().collect::<BTreeSet<_>>().len(),
        1000,
        "no duplicate"
    );
    assert_eq!(v1, v2, "the same people in the same order");
    let odd = v1_ids(&sb, 37).await;
    assert_eq!(odd, v1, "page size does not change the result");
}

#[tokio::test]
async fn a_cursor_keeps_its_filters_and_tolerates_changes_between_pages() {
    let sb = spawn_sandbox(sandbox(7, 60));
    let token = v2_token(&sb).await;
    let (_, first) = get(&sb, &token, "/v2/persons?status=ACTIVE&limit=5").await;
    let next = first["_meta"]["links"]["next"]["href"].as_str().unwrap();
    assert!(
        !next.contains("status="),
        "the cursor carries the filter: {next}"
    );
    // Delete the first person of the next page before fetching it: nothing is skipped.
    let all = follow(&sb, &token, "/v2/persons?status=ACTIVE&limit=5").await;
    let victim = all[5]["id"].as_str().unwrap().to_owned();
    let response = crate::client()
        .delete(sb.url(&format!("/v2/persons/{victim}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let (_, second) = get(&sb, &token, next.strip_prefix(&sb.base_url).unwrap()).await;
    assert_eq!(second["_data"][0]["id"], all[6]["id"]);
    assert!(
        second["_data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "ACTIVE")
    );
}

#[tokio::test]
async fn small_lists_page_by_keyset_in_either_direction() {
    let sb = spawn_sandbox(sandbox(7, 5));
    let token = v2_token(&sb).await;
    let one_page = |q: &'static str| {
        let sb = &sb;
        let token = token.clone();
        async move {
            let (_, page) = get(sb, &token, q).await;
            page["_data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    for order in ["id", "-id", "name", "-name"] {
        let whole = one_page(Box::leak(
            format!("/v2/cost-centers?sort={order}&limit=100").into_boxed_str(),
        ))
        .await;
        let paged: Vec<Value> = follow(
            &sb,
            &token,
            &format!("/v2/cost-centers?sort={order}&limit=2"),
        )
        .await
        .iter()
        .map(|c| c["id"].clone())
        .collect();
        assert_eq!(paged, whole, "sort {order}");
    }
}
