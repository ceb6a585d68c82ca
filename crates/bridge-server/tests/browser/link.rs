//! A vendor's customer links their Personio through the hosted link page, in a real browser:
//! a small vendor app on 127.0.0.1 asks the service for a link session with its `link` key
//! and sends the browser there; the customer's admin makes a credential on the sandbox's
//! admin pages, first without the Absences area (the page names it), then a full one, and
//! lands back on the vendor app linked. Run in English and in German.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::{Html, Redirect};
use bridge_store::{Grant, Scope};
use bridge_sync::doctor::ATTRIBUTES;
use bridge_testkit::{CLIENT_ID, CLIENT_SECRET, sandbox, spawn_sandbox};
use fantoccini::{Client, Locator};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::flows::{ALL_AREAS, create_credential, make_credential};
use crate::harness::{Bridge, Browser, Shots, click, fill, value_of};

/// What the vendor app knows: the service, its link key, where Personio is, its address.
#[derive(Clone)]
struct Vendor {
    bridge: String,
    key: String,
    personio: String,
    own: String,
}

/// The vendor's "Connect Personio" button: a link session, then off to its page.
async fn connect(State(vendor): State<Vendor>) -> Redirect {
    let session: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/link-sessions", vendor.bridge))
        .bearer_auth(&vendor.key)
        .json(&json!({
            "company": "acme",
            "name": "ACME GmbH",
            "redirect_url": format!("{}/personio/linked", vendor.own),
            "state": "vendor-state-42",
            "base_url": vendor.personio,
        }))
        .send()
        .await
        .expect("the service answers")
        .json()
        .await
        .expect("a JSON session");
    Redirect::to(session["url"].as_str().expect("a link URL"))
}

/// Where the link page sends the person back to: shows what it was told.
async fn linked(Query(query): Query<Vec<(String, String)>>) -> Html<String> {
    let items: String = query
        .iter()
        .map(|(k, v)| format!("<li id=\"q-{k}\">{v}</li>"))
        .collect();
    Html(format!(
        "<!doctype html><title>Vendor app</title><h1 id=\"vendor-done\">Personio is connected</h1><ul>{items}</ul>"
    ))
}

/// Starts the vendor app on 127.0.0.1:0; returns its address.
async fn spawn_vendor(bridge: &Bridge, personio: &str, key: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let own = format!("http://{}", listener.local_addr().unwrap());
    let vendor = Vendor {
        bridge: bridge.base_url.clone(),
        key,
        personio: personio.to_owned(),
        own: own.clone(),
    };
    let app = axum::Router::new()
        .route("/connect-personio", axum::routing::get(connect))
        .route("/personio/linked", axum::routing::get(linked))
        .with_state(vendor);
    tokio::spawn(async move { axum::serve(listener, app).await });
    own
}

async fn text_at(client: &Client, css: &str) -> String {
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Fills the link page's form and sends it.
async fn submit(client: &Client, client_id: &str, secret: &str) {
    fill(client, "client_id", client_id).await;
    fill(client, "client_secret", secret).await;
    click(client, "form button[type=submit]").await;
}

/// The employees a key reads through the API (`None`: the answer's status when not 200).
async fn employees(bridge: &Bridge, key: &str, company: &str) -> Result<usize, u16> {
    let response = reqwest::Client::new()
        .get(bridge.url(&format!("/api/v1/companies/{company}/employees")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    if response.status() != 200 {
        return Err(response.status().as_u16());
    }
    let body: Value = response.json().await.unwrap();
    Ok(body["data"].as_array().unwrap().len())
}

async fn run(language: &str) {
    let german = language == "de";
    let Some(browser) = Browser::start_preferring(german.then_some("de-DE,de")).await else {
        return;
    };
    let client = &browser.client;
    let mut shots = Shots::new(&format!("link_page_{language}"));
    let sandbox = spawn_sandbox(sandbox(64, 7));
    let bridge = Bridge::spawn().await;
    let key = |scopes: Vec<Scope>, companies: Vec<String>, name: &'static str| {
        let store = bridge.store.clone();
        async move {
            let (_, secret): (_, SecretString) = store
                .create_api_key(name, &Grant { scopes, companies }, chrono::Utc::now())
                .await
                .unwrap();
            secret.expose_secret().to_owned()
        }
    };
    let link_key = key(vec![Scope::Link], vec![], "vendor app").await;
    let vendor = spawn_vendor(&bridge, &sandbox.base_url, link_key).await;

    // The customer's admin makes a credential without the Absences area.
    let attributes: Vec<&str> = ATTRIBUTES.iter().map(|(key, _)| *key).collect();
    let partial: Vec<&str> = ALL_AREAS
        .iter()
        .copied()
        .filter(|a| *a != "absences")
        .collect();
    let (client_id, secret) =
        create_credential(client, &mut shots, &sandbox, &partial, &attributes).await;

    // The vendor app sends them to the link page, in the browser's language.
    client
        .goto(&format!("{vendor}/connect-personio"))
        .await
        .unwrap();
    let heading = text_at(client, "h1").await;
    let link_url = client.current_url().await.unwrap();
    assert!(link_url.path().starts_with("/link/"), "{link_url}");
    if german {
        assert_eq!(heading, "ACME GmbH mit Personio verbinden");
    } else {
        assert_eq!(heading, "Link ACME GmbH to Personio");
        // The page switches language, and back.
        click(client, "header a[hreflang=de]").await;
        assert_eq!(
            text_at(client, "h1").await,
            "ACME GmbH mit Personio verbinden"
        );
        shots.take(client, "link-page-switched-to-german").await;
        click(client, "header a[hreflang=en]").await;
        assert_eq!(text_at(client, "h1").await, "Link ACME GmbH to Personio");
    }
    shots.take(client, "link-page").await;

    submit(client, &client_id, &secret).await;
    let refusal = text_at(client, "div.error").await;
    shots.take(client, "link-page-missing-absences").await;
    let expected = if german {
        "Stellen Sie den Bereich „Abwesenheit (Absences)“ auf „Lesen“."
    } else {
        "Set the area “Absences” to “Read”."
    };
    assert!(refusal.contains(expected), "{refusal}");
    assert_eq!(
        value_of(client, "client_id").await,
        client_id,
        "the client ID stays"
    );
    assert_eq!(
        value_of(client, "client_secret").await,
        "",
        "the secret never"
    );
    assert!(bridge.store.find_company("acme").await.unwrap().is_none());

    // A full credential, made on the admin pages, links.
    client.goto(&sandbox.url("/_sandbox/admin")).await.unwrap();
    let (client_id, secret) = make_credential(client, &mut shots, ALL_AREAS, &attributes).await;
    client.goto(link_url.as_str()).await.unwrap();
    submit(client, &client_id, &secret).await;
    assert_eq!(
        text_at(client, "#vendor-done").await,
        "Personio is connected"
    );
    shots.take(client, "vendor-app-linked").await;
    let back = client.current_url().await.unwrap();
    assert_eq!(back.path(), "/personio/linked");
    assert_eq!(text_at(client, "#q-company").await, "acme");
    assert_eq!(text_at(client, "#q-status").await, "linked");
    assert_eq!(text_at(client, "#q-state").await, "vendor-state-42");

    // The used link says so.
    client.goto(link_url.as_str()).await.unwrap();
    let used = text_at(client, "h1").await;
    shots.take(client, "link-page-used").await;
    let expected = if german {
        "Dieser Link wurde schon verwendet"
    } else {
        "This link was used"
    };
    assert_eq!(used, expected);

    // The first sync fills the store; a key limited to acme reads it, and nothing else.
    let acme_key = key(vec![Scope::Read], vec!["acme".into()], "acme reader").await;
    let mut read = Err(0);
    for _ in 0..300 {
        read = employees(&bridge, &acme_key, "acme").await;
        if read == Ok(7) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(read, Ok(7), "the first sync brought every employee");
    bridge_sync::link::connect(
        &bridge.store,
        bridge_sync::link::Link {
            company: "globex".into(),
            base_url: url::Url::parse(&sandbox.base_url).unwrap(),
            client_id: CLIENT_ID.into(),
            client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
            recruiting: None,
            filters: Default::default(),
            replace: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(employees(&bridge, &acme_key, "globex").await, Err(404));
    browser.close().await;
}

#[tokio::test]
async fn a_customer_links_through_the_hosted_page_in_english() {
    run("en").await;
}

#[tokio::test]
async fn a_customer_links_through_the_hosted_page_in_german() {
    run("de").await;
}
