//! The linking flow over HTTP as a browser without JavaScript would use it: the Connect form,
//! the company page with its progress, counts and advice, sync now, filters, disconnect.

use bridge_testkit::{ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, sandbox, spawn_sandbox};

use crate::{Bridge, browser, sign_in, spawn_syncing_bridge};

pub(crate) async fn connect_form(
    bridge: &Bridge,
    client: &reqwest::Client,
    csrf: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    client
        .post(bridge.url("/connect"))
        .header("Origin", &bridge.base_url)
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Reads the company page until no sync is under way (bounded), and returns it.
async fn settled_page(bridge: &Bridge, client: &reqwest::Client, name: &str) -> String {
    for _ in 0..400 {
        let page = client
            .get(bridge.url(&format!("/companies/{name}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if !page.contains("id=\"progress\"") && page.contains("class=\"outcome\"") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the first sync did not finish");
}

/// The live count of `table` in the company page's counts table.
fn live_count(page: &str, table: &str) -> i64 {
    let row = page
        .split(&format!("data-table=\"{table}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {table} row"));
    let cell = row.split("class=\"live\">").nth(1).unwrap();
    cell.split('<').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn connecting_starts_the_first_sync_and_the_page_shows_the_employee_count() {
    let sandbox = spawn_sandbox(sandbox(31, 17));
    let bridge = spawn_syncing_bridge().await;
    let client = browser();
    let csrf = sign_in(&bridge, &client).await;
    let form = client
        .get(bridge.url("/connect"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("Settings &gt; Integrations &gt; API credentials"));
    assert!(form.contains("Absences") && form.contains("Hire date"));

    let response = connect_form(
        &bridge,
        &client,
        &csrf,
        &[
            ("company", "acme"),
            ("base_url", &sandbox.base_url),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/companies/acme");
    let page = settled_page(&bridge, &client, "acme").await;
    assert_eq!(live_count(&page, "employees"), 17);
    assert!(page.contains("succeeded"), "{page}");
    assert!(!page.contains(CLIENT_SECRET), "the secret never goes back");
    assert!(!page.contains("Missing permissions"));

    // Sync now runs another sync; it finds nothing new.
    let synced = client
        .post(bridge.url("/companies/acme/sync"))
        .header("Origin", &bridge.base_url)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(synced.status(), 303);
    let runs = |page: &str| page.matches("class=\"outcome\"").count();
    let mut page = settled_page(&bridge, &client, "acme").await;
    for _ in 0..400 {
        if runs(&page) >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = settled_page(&bridge, &client, "acme").await;
    }
    assert_eq!(runs(&page), 2);

    // Filters are saved; disconnecting keeps the data.
    let saved = client
        .post(bridge.url("/companies/acme/filters"))
        .header("Origin", &bridge.base_url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("offices", "Berlin, Munich"),
            ("status_active", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let company = bridge.store.company("acme").await.unwrap();
    assert_eq!(company.filters.offices, vec!["Berlin", "Munich"]);
    assert_eq!(company.filters.statuses, vec!["active"]);
    let gone = client
        .post(bridge.url("/companies/acme/disconnect"))
        .header("Origin", &bridge.base_url)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 303);
    let company = bridge.store.company("acme").await.unwrap();
    assert!(!company.connected);
    assert!(bridge.store.credentials(&company).await.is_err());
    let page = settled_page(&bridge, &client, "acme").await;
    assert!(page.contains("disconnected"));
    assert_eq!(live_count(&page, "employees"), 17, "the data stays");
}

#[tokio::test]
async fn a_wrong_secret_is_a_clear_error_and_the_form_keeps_all_but_the_secret() {
    let sandbox = spawn_sandbox(sandbox(32, 3));
    let bridge = spawn_syncing_bridge().await;
    let client = browser();
    let csrf = sign_in(&bridge, &client).await;
    let response = connect_form(
        &bridge,
        &client,
        &csrf,
        &[
            ("company", "acme"),
            ("base_url", &sandbox.base_url),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong-secret-123"),
            ("offices", "Berlin"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Not connected"), "{page}");
    assert!(
        page.contains("copy the client id and secret again"),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{CLIENT_ID}\"")));
    assert!(page.contains("value=\"Berlin\""));
    assert!(
        !page.contains("wrong-secret-123"),
        "the secret is not sent back"
    );
    assert!(bridge.store.companies().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_credential_without_the_absences_area_gets_the_doctors_advice() {
    let sandbox = spawn_sandbox(sandbox(33, 4));
    let created: serde_json::Value = reqwest::Client::new()
        .post(sandbox.url("/_sandbox/credentials"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!({
            "name": "no absences",
            "access": { "employees": "read", "org_units": "read", "attendances": "read" },
            "readable_attributes": "all"
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = created["client_id"]
        .as_str()
        .expect("a client id")
        .to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    let bridge = spawn_syncing_bridge().await;
    let client = browser();
    let csrf = sign_in(&bridge, &client).await;
    let response = connect_form(
        &bridge,
        &client,
        &csrf,
        &[
            ("company", "acme"),
            ("base_url", &sandbox.base_url),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let page = settled_page(&bridge, &client, "acme").await;
    assert!(page.contains("Missing permissions"), "{page}");
    assert!(
        page.contains("tick &quot;Absences: Read&quot;"),
        "the fix names the area: {page}"
    );
}

#[tokio::test]
async fn the_connect_form_links_a_broken_company_again_and_never_overwrites_a_healthy_one() {
    let sandbox = spawn_sandbox(sandbox(34, 4));
    let bridge = spawn_syncing_bridge().await;
    let client = browser();
    let csrf = sign_in(&bridge, &client).await;
    let fields = [
        ("company", "acme"),
        ("base_url", sandbox.base_url.as_str()),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    let response = connect_form(&bridge, &client, &csrf, &fields).await;
    assert_eq!(response.status(), 303);
    let before = settled_page(&bridge, &client, "acme").await;
    let employees = live_count(&before, "employees");
    // A healthy company is not replaced from the form.
    let again = connect_form(&bridge, &client, &csrf, &fields).await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("connected already"));

    let company = bridge.store.company("acme").await.unwrap();
    bridge
        .store
        .mark_connection_broken(
            company.id,
            "Personio rejected the credentials",
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let relinked = connect_form(&bridge, &client, &csrf, &fields).await;
    assert_eq!(relinked.status(), 303);
    let page = settled_page(&bridge, &client, "acme").await;
    assert!(!page.contains("Connection broken"), "{page}");
    assert_eq!(
        live_count(&page, "employees"),
        employees,
        "the records stay"
    );
    let company = bridge.store.company("acme").await.unwrap();
    assert_eq!(
        company.connection.status,
        bridge_store::ConnectionStatus::Linked
    );
}
