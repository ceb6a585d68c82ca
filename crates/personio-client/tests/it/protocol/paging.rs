//! Paging: v2 cursor links (absolute and relative), v1 offsets and page numbers, resuming
//! from a kept token, the `updated_since` quirk, and the guards.

use chrono::TimeZone;
use personio_api::v1::Employee;
use personio_api::v2::Person;
use personio_client::endpoints::{EMPLOYEES_V1, PERSONS};
use personio_client::{Error, OffsetKind, PageToken};
use serde::Deserialize;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer};

use crate::harness::{
    all_pages, client, expect_v1_tokens, expect_v2_tokens, fixture, ok, personio,
};

const CURSOR: &str = "cur_82sQwR2eZvKilo2duNh219Kw";
/// The `next` link of `v2/persons.page.json`.
const NEXT: &str =
    "https://api.personio.de/v2/persons?cursor=cur_82sQwR2eZvKilo2duNh219Kw&limit=10";

async fn persons_first_page(server: &MockServer, fixture_name: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path(PERSONS))
        .and(query_param_is_missing("cursor"))
        .respond_with(ok(fixture_name))
        .expect(times)
        .mount(server)
        .await;
}

async fn persons_at_cursor(server: &MockServer, fixture_name: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path(PERSONS))
        .and(query_param("cursor", CURSOR))
        .and(query_param("limit", "10"))
        .respond_with(ok(fixture_name))
        .expect(times)
        .mount(server)
        .await;
}

fn ids(pages: &[personio_client::Page<Person>]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.items.iter().map(|r| r.value.id.clone()))
        .collect()
}

#[tokio::test]
async fn v2_pages_follow_absolute_next_links_on_the_configured_host() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    persons_first_page(&server, "v2/persons.page.json", 1).await;
    persons_at_cursor(&server, "v2/persons.page-last.json", 1).await;
    let client = client(&server.uri());

    let pages = all_pages(client.persons(vec![])).await.unwrap();
    assert_eq!(ids(&pages), ["12345678", "12345679"]);
    assert_eq!(pages[0].next, Some(PageToken::Next(NEXT.into())));
    assert_eq!(pages[1].next, None, "no `next` link ends the list");
    // Each item keeps the exact JSON text Personio sent.
    let text = String::from_utf8(fixture("v2/persons.page.json")).unwrap();
    assert!(text.contains(pages[0].items[0].raw.get()));
    assert!(
        pages[0].items[0]
            .raw
            .get()
            .contains("\"first_name\": \"Zoë\"")
    );
}

#[tokio::test]
async fn v2_pages_follow_relative_next_links() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    persons_first_page(&server, "v2/persons.page-relative-next.json", 1).await;
    persons_at_cursor(&server, "v2/persons.page-last.json", 1).await;
    let client = client(&server.uri());

    let pages = all_pages(client.persons(vec![])).await.unwrap();
    assert_eq!(ids(&pages), ["12345678", "12345679"]);
}

#[tokio::test]
async fn a_v2_list_resumes_right_after_the_page_whose_token_was_kept() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    persons_first_page(&server, "v2/persons.page.json", 0).await;
    persons_at_cursor(&server, "v2/persons.page-last.json", 1).await;
    let client = client(&server.uri());

    let kept: PageToken =
        serde_json::from_str(&serde_json::to_string(&PageToken::Next(NEXT.into())).unwrap())
            .unwrap();
    let stream = client.pages_v2::<Person>(PERSONS, vec![], Some(kept));
    let pages = all_pages(stream).await.unwrap();
    assert_eq!(ids(&pages), ["12345679"]);
}

#[tokio::test]
async fn a_repeated_cursor_stops_the_stream_instead_of_looping() {
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    persons_first_page(&server, "v2/persons.page.json", 1).await;
    // Personio answers the cursor with the page that points to the same cursor again.
    persons_at_cursor(&server, "v2/persons.page.json", 1).await;
    let client = client(&server.uri());

    let error = all_pages(client.persons(vec![])).await.unwrap_err();
    assert!(
        matches!(&error, Error::Pagination { reason, .. } if reason.contains("repeated")),
        "{error:?}"
    );
}

async fn employees_at(server: &MockServer, offset: &str, fixture_name: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path(EMPLOYEES_V1))
        .and(query_param("limit", "2"))
        .and(query_param("offset", offset))
        .respond_with(ok(fixture_name))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn v1_pages_step_by_item_offset_until_a_short_page() {
    let server = personio().await;
    expect_v1_tokens(&server, 1).await;
    employees_at(&server, "0", "v1/employees.page-1.json", 1).await;
    employees_at(&server, "2", "v1/employees.page-2.json", 1).await;
    let client = client(&server.uri());

    let stream = client.pages_v1::<Employee>(EMPLOYEES_V1, vec![], 2, OffsetKind::Items, None);
    let pages = all_pages(stream).await.unwrap();
    let ids: Vec<i64> = pages
        .iter()
        .flat_map(|p| p.items.iter().filter_map(|r| r.value.id().map(|id| id.0)))
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(pages[0].next, Some(PageToken::Offset(2)));
    assert_eq!(pages[1].next, None);
}

#[tokio::test]
async fn a_v1_list_resumes_at_the_kept_offset() {
    let server = personio().await;
    expect_v1_tokens(&server, 1).await;
    employees_at(&server, "0", "v1/employees.page-1.json", 0).await;
    employees_at(&server, "2", "v1/employees.page-2.json", 1).await;
    let client = client(&server.uri());

    let stream = client.pages_v1::<Employee>(
        EMPLOYEES_V1,
        vec![],
        2,
        OffsetKind::Items,
        Some(PageToken::Offset(2)),
    );
    let pages = all_pages(stream).await.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].items[0].value.id().map(|id| id.0), Some(3));
}

#[tokio::test]
async fn page_numbered_v1_lists_count_from_one() {
    let server = personio().await;
    expect_v1_tokens(&server, 1).await;
    for (page, fixture_name) in [
        ("1", "v1/employees.page-1.json"),
        ("2", "v1/employees.page-2.json"),
    ] {
        Mock::given(method("GET"))
            .and(path("/v1/company/time-offs"))
            .and(query_param("offset", page))
            .respond_with(ok(fixture_name))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server.uri());

    let stream = client.pages_v1::<serde_json::Value>(
        "/v1/company/time-offs",
        vec![],
        2,
        OffsetKind::PagesFromOne,
        None,
    );
    let pages = all_pages(stream).await.unwrap();
    assert_eq!(pages[0].next, Some(PageToken::Offset(2)));
    assert_eq!(pages.len(), 2);
}

#[tokio::test]
async fn updated_since_is_one_request_because_personio_ignores_the_paging() {
    let server = personio().await;
    expect_v1_tokens(&server, 1).await;
    // A full page (2 of 3, limit 2): without the quirk the client would ask for more.
    Mock::given(method("GET"))
        .and(path(EMPLOYEES_V1))
        .and(query_param("updated_since", "2024-01-31T23:00:00"))
        .and(query_param_is_missing("limit"))
        .and(query_param_is_missing("offset"))
        .respond_with(ok("v1/employees.page-1.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let since = chrono::Utc.with_ymd_and_hms(2024, 1, 31, 23, 0, 0).unwrap();
    let pages = all_pages(client.employees_v1(Some(since))).await.unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].items.len(), 2);
    assert_eq!(pages[0].next, None);
}

#[tokio::test]
async fn items_of_the_wrong_shape_name_their_json_path() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct NumericId {
        id: u64,
    }
    let server = personio().await;
    expect_v2_tokens(&server, 1).await;
    persons_first_page(&server, "v2/persons.page.json", 1).await;
    let client = client(&server.uri());

    let stream = client.pages_v2::<NumericId>(PERSONS, vec![], None);
    let error = all_pages(stream).await.unwrap_err();
    assert!(
        matches!(&error, Error::Decode { at, .. } if at == "_data[0].id"),
        "{error:?}"
    );
    assert!(error.to_string().contains("`_data[0].id`"), "{error}");
}

#[tokio::test]
async fn a_wrong_kind_of_start_token_is_refused_before_any_request() {
    let server = personio().await;
    let client = client(&server.uri());

    let v2 = client.pages_v2::<Person>(PERSONS, vec![], Some(PageToken::Offset(3)));
    assert!(matches!(all_pages(v2).await, Err(Error::Pagination { .. })));
    let v1 = client.pages_v1::<Employee>(
        EMPLOYEES_V1,
        vec![],
        2,
        OffsetKind::Items,
        Some(PageToken::Next(NEXT.into())),
    );
    assert!(matches!(all_pages(v1).await, Err(Error::Pagination { .. })));
    assert_eq!(client.metrics().requests, 0);
}
