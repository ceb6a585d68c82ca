//! Operator pages: sign-in, session cookie, CSRF, security headers.

use crate::{PASSWORD, browser, hidden, sign_in, spawn_bridge};

#[tokio::test]
async fn pages_need_a_sign_in_and_every_response_has_the_security_headers() {
    let bridge = spawn_bridge().await;
    let client = browser();
    let response = client.get(bridge.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");
    for path in ["/", "/login", "/api/v1/companies", "/nowhere"] {
        let response = client.get(bridge.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_session_cookie() {
    let bridge = spawn_bridge().await;
    let client = browser();
    let page = client
        .get(bridge.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let wrong = client
        .post(bridge.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("password", "not the password")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.unwrap().contains("Wrong password"));

    let right = client
        .post(bridge.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 303);
    let cookie = right
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("bridge_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let home = client.get(bridge.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Connect Personio"));
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_or_from_another_site_are_refused() {
    let bridge = spawn_bridge().await;
    let client = browser();
    // No login cookie to match: refused.
    let forged = reqwest::Client::new()
        .post(bridge.url("/login"))
        .form(&[("csrf", "guess"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    let csrf = sign_in(&bridge, &client).await;
    let bad = client
        .post(bridge.url("/logout"))
        .form(&[("csrf", "not-the-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 403);
    let elsewhere = client
        .post(bridge.url("/logout"))
        .header("Origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 403);
    assert_eq!(
        client.get(bridge.url("/")).send().await.unwrap().status(),
        200,
        "still signed in"
    );

    let out = client
        .post(bridge.url("/logout"))
        .header("Origin", &bridge.base_url)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(
        client.get(bridge.url("/")).send().await.unwrap().status(),
        303,
        "signed out"
    );
}

#[tokio::test]
async fn health_and_metrics_answer_without_a_session() {
    let sandbox = bridge_testkit::spawn_sandbox(bridge_testkit::sandbox(41, 6));
    let bridge = crate::spawn_syncing_bridge().await;
    let health = reqwest::get(bridge.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    crate::link_and_sync(&bridge.store, &sandbox).await;
    // A sync the service runs shows in the sync metrics.
    let client = browser();
    let csrf = sign_in(&bridge, &client).await;
    let started = client
        .post(bridge.url("/companies/acme/sync"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 303);
    let mut text = String::new();
    for _ in 0..400 {
        text = reqwest::get(bridge.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if succeeded_syncs(&text) >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(succeeded_syncs(&text) >= 1, "{text}");
    assert!(text.contains("bridge_companies 1"), "{text}");
    let requests: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("bridge_http_requests_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(requests >= 4, "{text}");
}

/// The service's count of succeeded syncs (its worker may also have run the scheduled one).
fn succeeded_syncs(metrics: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("bridge_syncs_total{outcome=\"succeeded\"} "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn operators_create_scoped_keys_on_their_page_and_revoke_them() {
    let bridge = spawn_bridge().await;
    let client = browser();
    let csrf = sign_in(&bridge, &client).await;
    let page = client
        .post(bridge.url("/api-keys"))
        .header("Origin", &bridge.base_url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "vendor link"),
            ("scope_link", "on"),
            ("companies", "acme, globex"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let shown = page
        .split("id=\"new-key\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the new key is shown once");
    let key = bridge
        .store
        .api_key_for(shown, chrono::Utc::now())
        .await
        .unwrap()
        .expect("the shown key works");
    assert_eq!(key.scopes, vec![bridge_store::Scope::Link]);
    assert_eq!(key.companies, vec!["acme", "globex"]);
    let listed = client
        .get(bridge.url("/api-keys"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        listed.contains("vendor link") && !listed.contains(shown),
        "never shown again"
    );

    let refused = client
        .post(bridge.url("/api-keys"))
        .header("Origin", &bridge.base_url)
        .form(&[("csrf", csrf.as_str()), ("name", "no scope")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Tick at least one scope")
    );

    let revoked = client
        .post(bridge.url("/api-keys/vendor%20link/revoke"))
        .header("Origin", &bridge.base_url)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 303);
    assert!(
        bridge
            .store
            .api_key_for(shown, chrono::Utc::now())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_link_page_may_be_framed_only_by_the_allowed_origins() {
    use bridge_store::{LinkAccess, NewLinkSession};
    let new = || NewLinkSession {
        company: "acme".into(),
        base_url: "http://127.0.0.1:9".into(),
        display_name: None,
        redirect_url: "https://vendor.example/done".into(),
        state: None,
        resources: vec!["employees".into()],
        access: LinkAccess::Read,
        created_by: None,
        lifetime: chrono::Duration::minutes(5),
    };
    let closed = spawn_bridge().await;
    let (_, token) = closed
        .store
        .create_link_session(new(), chrono::Utc::now())
        .await
        .unwrap();
    let response = reqwest::get(closed.url(&format!("/link/{token}")))
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        csp.contains("form-action 'self' https://vendor.example"),
        "{csp}"
    );
    assert_eq!(response.headers()["x-frame-options"], "DENY");

    let open = crate::spawn_bridge_with(|config, _| {
        config.workers = 0;
        config.frame_ancestors = vec!["https://app.vendor.example".into()];
    })
    .await;
    let (_, token) = open
        .store
        .create_link_session(new(), chrono::Utc::now())
        .await
        .unwrap();
    let response = reqwest::get(open.url(&format!("/link/{token}")))
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("frame-ancestors https://app.vendor.example;"),
        "{csp}"
    );
    assert!(response.headers().get("x-frame-options").is_none());
}
