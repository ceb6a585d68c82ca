//! Both web flows in a real browser, as a person clicks through them: create a credential on
//! the sandbox's admin page, read its client ID and secret off the page, paste them into the
//! service's Connect page, and see what comes of it.

use std::time::Duration;

use bridge_sync::doctor::{ATTRIBUTES, CREDENTIALS_PATH};
use bridge_testkit::{ADMIN_TOKEN, RunningSandbox, sandbox, spawn_sandbox};
use fantoccini::{Client, Locator};

use crate::harness::{Bridge, Browser, PASSWORD, Shots, click, fill, text_of, value_of};

/// Signs in to the sandbox's admin pages, creates a custom integration with `areas` on
/// read and `attributes` ticked, and returns the client ID and secret the page shows.
pub(crate) async fn create_credential(
    client: &Client,
    shots: &mut Shots,
    sandbox: &RunningSandbox,
    areas: &[&str],
    attributes: &[&str],
) -> (String, String) {
    client
        .goto(&sandbox.url("/_sandbox/admin"))
        .await
        .expect("open the admin pages");
    assert!(
        client.current_url().await.unwrap().path() == "/_sandbox/admin/sign-in",
        "the admin pages ask for the admin token first"
    );
    shots.take(client, "sandbox-sign-in").await;
    fill(client, "token", ADMIN_TOKEN).await;
    click(client, "#sign-in").await;
    text_of(client, "credentials").await;
    shots.take(client, "sandbox-credentials").await;
    make_credential(client, shots, areas, attributes).await
}

/// On the sandbox's admin pages, signed in: creates a custom integration with `areas` on
/// read and `attributes` ticked, and returns the client ID and secret the page shows.
pub(crate) async fn make_credential(
    client: &Client,
    shots: &mut Shots,
    areas: &[&str],
    attributes: &[&str],
) -> (String, String) {
    click(client, "#create").await;
    text_of(client, "access").await;
    fill(client, "name", "Personio Bridge").await;
    for area in areas {
        click(client, &format!("#access_{area}_read")).await;
    }
    for attribute in attributes {
        click(client, &format!("#attribute_{attribute}")).await;
    }
    shots.take(client, "sandbox-create-form").await;
    click(client, "#create-credential").await;
    let secret = text_of(client, "client-secret").await;
    let client_id = text_of(client, "client-id").await;
    assert!(
        text_of(client, "secret-warning")
            .await
            .contains("will not be shown again")
    );
    shots.take(client, "sandbox-secret-shown").await;
    (client_id, secret)
}

/// Signs in to the service and fills its Connect form (without sending it).
async fn fill_connect_form(
    client: &Client,
    shots: &mut Shots,
    bridge: &Bridge,
    sandbox: &RunningSandbox,
    client_id: &str,
    secret: &str,
) {
    client
        .goto(&bridge.url("/login"))
        .await
        .expect("open the sign-in page");
    fill(client, "password", PASSWORD).await;
    click(client, "form[action=\"/login\"] button[type=submit]").await;
    // Signed in once the home page shows: going on earlier would abort the sign-in while the
    // password is still being checked (slow in a debug build on a busy machine).
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::XPath("//h1[text()='Companies']"))
        .await
        .expect("signed in: the home page shows");
    client
        .goto(&bridge.url("/connect"))
        .await
        .expect("open the Connect page");
    text_of(client, "client_id").await;
    shots.take(client, "bridge-connect").await;
    fill(client, "company", "acme").await;
    fill(client, "base_url", &sandbox.base_url).await;
    fill(client, "client_id", client_id).await;
    fill(client, "client_secret", secret).await;
    fill(client, "offices", "Berlin").await;
    shots.take(client, "bridge-connect-filled").await;
}

/// The company page once no sync is under way (re-read a bounded number of times).
async fn settled_company_page(client: &Client) -> String {
    for _ in 0..300 {
        let page = client.source().await.expect("the page's source");
        if !page.contains("id=\"progress\"") && page.contains("class=\"outcome\"") {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        client.refresh().await.expect("reload the company page");
    }
    panic!("the first sync did not finish");
}

async fn live_count(client: &Client, table: &str) -> i64 {
    let css = format!("tr[data-table=\"{table}\"] td.live");
    let text = client
        .find(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("no {table} count: {e}"))
        .text()
        .await
        .unwrap();
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{table} count {text:?}"))
}

/// Every area the sync reads, as the sandbox's form names them.
pub(crate) const ALL_AREAS: &[&str] = &[
    "employees",
    "attendances",
    "absences",
    "custom_reports",
    "org_units",
    "documents",
    "compensations",
    "projects",
    "recruiting",
    "webhooks",
];

#[tokio::test]
async fn a_credential_made_on_the_admin_page_connects_and_the_employees_arrive() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let client = &browser.client;
    let mut shots = Shots::new("connect_and_sync");
    let sandbox = spawn_sandbox(sandbox(61, 14));
    let bridge = Bridge::spawn().await;
    let attributes: Vec<&str> = ATTRIBUTES.iter().map(|(key, _)| *key).collect();
    let (client_id, secret) =
        create_credential(client, &mut shots, &sandbox, ALL_AREAS, &attributes).await;

    fill_connect_form(client, &mut shots, &bridge, &sandbox, &client_id, &secret).await;
    // Everyone, not only Berlin: the count is checked against the whole company.
    fill(client, "offices", "").await;
    click(client, "#connect").await;
    text_of(client, "counts").await;
    assert_eq!(
        client.current_url().await.unwrap().path(),
        "/companies/acme"
    );
    let page = settled_company_page(client).await;
    shots.take(client, "bridge-company-synced").await;
    assert!(page.contains("succeeded"), "{page}");
    assert!(!page.contains("Missing permissions"), "{page}");
    assert!(!page.contains(&secret), "the secret never comes back");
    assert_eq!(live_count(client, "employees").await, 14);
    browser.close().await;
}

#[tokio::test]
async fn a_credential_without_the_absences_area_shows_the_doctors_advice() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let client = &browser.client;
    let mut shots = Shots::new("missing_absences");
    let sandbox = spawn_sandbox(sandbox(62, 5));
    let bridge = Bridge::spawn().await;
    let attributes: Vec<&str> = ATTRIBUTES.iter().map(|(key, _)| *key).collect();
    let areas: Vec<&str> = ALL_AREAS
        .iter()
        .copied()
        .filter(|a| *a != "absences")
        .collect();
    let (client_id, secret) =
        create_credential(client, &mut shots, &sandbox, &areas, &attributes).await;

    fill_connect_form(client, &mut shots, &bridge, &sandbox, &client_id, &secret).await;
    click(client, "#connect").await;
    text_of(client, "counts").await;
    settled_company_page(client).await;
    let advice = text_of(client, "missing").await;
    shots.take(client, "bridge-missing-absences").await;
    assert!(advice.contains("Missing permissions"), "{advice}");
    assert!(
        advice.contains(&format!(
            "In Personio: {CREDENTIALS_PATH} > this integration > tick \"Absences: Read\""
        )),
        "the exact steps in Personio's UI: {advice}"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_wrong_secret_is_a_clear_error_and_keeps_all_but_the_secret() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let client = &browser.client;
    let mut shots = Shots::new("wrong_secret");
    let sandbox = spawn_sandbox(sandbox(63, 3));
    let bridge = Bridge::spawn().await;
    let (client_id, _secret) = create_credential(
        client,
        &mut shots,
        &sandbox,
        &["employees"],
        &["first_name"],
    )
    .await;

    let wrong = "papi-this-is-not-the-secret";
    fill_connect_form(client, &mut shots, &bridge, &sandbox, &client_id, wrong).await;
    click(client, "#connect").await;
    let error = text_of(client, "connect-error").await;
    shots.take(client, "bridge-wrong-secret").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/connect");
    assert!(
        error.to_lowercase().contains("secret") || error.to_lowercase().contains("credential"),
        "the error says what is wrong: {error}"
    );
    assert_eq!(value_of(client, "company").await, "acme");
    assert_eq!(value_of(client, "client_id").await, client_id);
    assert_eq!(value_of(client, "base_url").await, sandbox.base_url);
    assert_eq!(value_of(client, "offices").await, "Berlin");
    assert_eq!(
        value_of(client, "client_secret").await,
        "",
        "the secret is not kept"
    );
    let page = client.source().await.unwrap();
    assert!(!page.contains(wrong), "the secret is never sent back");
    browser.close().await;
}
