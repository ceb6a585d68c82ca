//! The admin pages as a browser without JavaScript uses them: sign-in with the admin token,
//! CSRF on every form, the secret shown once, revoke and regenerate taking effect on the
//! token endpoint at once, and hostile form input answered with an error page.

use bridge_testkit::{
    ADMIN_TOKEN, CLIENT_ID, COMPANY_ID, RECRUITING_TOKEN, RunningSandbox, sandbox, spawn_sandbox,
};
use reqwest::{Client, Response, StatusCode, header};
use serde_json::Value;

const BASE: &str = "/_sandbox/admin";

/// Does not follow redirects: the tests look at them. Cookies are carried by hand, so the
/// tests can check their attributes.
fn browser() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` part of the `Set-Cookie` header for `name`, and the whole header.
fn set_cookie(response: &Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| (v.split(';').next().unwrap().to_owned(), v.to_owned()))
}

/// The value of the first input named `name`.
fn input_value(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} input in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// The text of the element with id `id` (its first text node).
fn text_of(page: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in {page}"))
        + marker.len();
    page[start..].split('<').next().unwrap().to_owned()
}

/// A signed-in admin: the session cookie and the session's CSRF token.
struct Pages<'a> {
    sb: &'a RunningSandbox,
    client: Client,
    cookie: String,
    csrf: String,
}

impl<'a> Pages<'a> {
    async fn sign_in(sb: &'a RunningSandbox) -> Pages<'a> {
        let client = browser();
        let (form_cookie, csrf) = sign_in_form(sb, &client).await;
        let response = client
            .post(sb.url("/_sandbox/admin/sign-in"))
            .header(header::COOKIE, &form_cookie)
            .form(&[("csrf", csrf.as_str()), ("token", ADMIN_TOKEN)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[header::LOCATION], BASE);
        let (cookie, attributes) = set_cookie(&response, "sandbox_admin_session").unwrap();
        assert!(attributes.contains("HttpOnly"), "{attributes}");
        assert!(attributes.contains("SameSite=Strict"), "{attributes}");
        let mut pages = Pages {
            sb,
            client,
            cookie,
            csrf: String::new(),
        };
        let list = pages.get(BASE).await;
        assert_eq!(list.status(), StatusCode::OK);
        pages.csrf = input_value(&list.text().await.unwrap(), "csrf");
        pages
    }

    async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.sb.url(path))
            .header(header::COOKIE, &self.cookie)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form with the session's CSRF token first.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    async fn post_raw(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.sb.url(path))
            .header(header::COOKIE, &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Creates a credential through the form; returns its client id and secret as the page
    /// shows them.
    async fn create(&self, fields: &[(&str, &str)]) -> (String, String) {
        let response = self.post("/_sandbox/admin/credentials", fields).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let page = response.text().await.unwrap();
        assert!(page.contains("will not be shown again"), "{page}");
        (text_of(&page, "client-id"), text_of(&page, "client-secret"))
    }
}

/// The sign-in form's cookie (`name=value`) and its CSRF token.
async fn sign_in_form(sb: &RunningSandbox, client: &Client) -> (String, String) {
    let response = client
        .get(sb.url("/_sandbox/admin/sign-in"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (cookie, _) = set_cookie(&response, "sandbox_admin_sign_in").unwrap();
    let page = response.text().await.unwrap();
    (cookie, input_value(&page, "csrf"))
}

/// `POST /v2/auth/token` with a client id and secret; the status and body.
async fn v2_token(sb: &RunningSandbox, id: &str, secret: &str) -> (StatusCode, Value) {
    let response = Client::new()
        .post(sb.url("/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// The token endpoint refuses these credentials as it refuses unknown ones.
async fn assert_refused(sb: &RunningSandbox, id: &str, secret: &str) {
    let (status, body) = v2_token(sb, id, secret).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_client");
}

/// The JSON admin API's list of client ids.
async fn listed_ids(sb: &RunningSandbox) -> Vec<String> {
    let body: Value = Client::new()
        .get(sb.url("/_sandbox/credentials"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_pages_need_the_admin_token_and_send_security_headers() {
    let sb = spawn_sandbox(sandbox(901, 3));
    let client = browser();
    for path in [BASE, "/_sandbox/admin/credentials/new"] {
        let response = client.get(sb.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            response.headers()[header::LOCATION],
            "/_sandbox/admin/sign-in"
        );
    }
    let unsigned = client
        .post(sb.url("/_sandbox/admin/credentials"))
        .form(&[("name", "sneaky"), ("access_employees", "write")])
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::SEE_OTHER);
    // A cookie we never issued is no session.
    let forged = client
        .get(sb.url(BASE))
        .header(header::COOKIE, "sandbox_admin_session=made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);

    // A wrong token: refused, no session.
    let (form_cookie, csrf) = sign_in_form(&sb, &client).await;
    let wrong = client
        .post(sb.url("/_sandbox/admin/sign-in"))
        .header(header::COOKIE, &form_cookie)
        .form(&[("csrf", csrf.as_str()), ("token", "not-the-admin-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&wrong, "sandbox_admin_session").is_none());
    assert!(wrong.text().await.unwrap().contains("not this sandbox"));
    // The right token without the sign-in form's cookie (a cross-site post): refused.
    let cross_site = client
        .post(sb.url("/_sandbox/admin/sign-in"))
        .form(&[("csrf", csrf.as_str()), ("token", ADMIN_TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&cross_site, "sandbox_admin_session").is_none());

    let pages = Pages::sign_in(&sb).await;
    let list = pages.get(BASE).await;
    let headers = list.headers();
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"));
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    // Signing out ends the session on the server, not only in the browser.
    let out = pages.post("/_sandbox/admin/sign-out", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(pages.get(BASE).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn forms_without_the_sessions_csrf_token_change_nothing() {
    let sb = spawn_sandbox(sandbox(902, 3));
    let pages = Pages::sign_in(&sb).await;
    let before = listed_ids(&sb).await;
    for csrf in ["", "guessed-token"] {
        let refused = pages
            .post_raw(
                "/_sandbox/admin/credentials",
                &[
                    ("csrf", csrf),
                    ("name", "forged"),
                    ("access_employees", "write"),
                ],
            )
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(refused.text().await.unwrap().contains("Form expired"));
    }
    let revoke = pages
        .post_raw(
            "/_sandbox/admin/credentials/revoke",
            &[("csrf", "guessed-token"), ("client_id", CLIENT_ID)],
        )
        .await;
    assert_eq!(revoke.status(), StatusCode::FORBIDDEN);
    let regenerate = pages
        .post_raw(
            "/_sandbox/admin/credentials/secret",
            &[("client_id", CLIENT_ID)],
        )
        .await;
    assert_eq!(regenerate.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        listed_ids(&sb).await,
        before,
        "nothing was created or revoked"
    );
    let (status, _) = v2_token(&sb, CLIENT_ID, bridge_testkit::CLIENT_SECRET).await;
    assert_eq!(status, StatusCode::OK, "the secret is unchanged");
}

#[tokio::test]
async fn a_created_credential_shows_its_secret_once_and_grants_what_was_ticked() {
    let sb = spawn_sandbox(sandbox(903, 5));
    let pages = Pages::sign_in(&sb).await;
    let form = pages
        .get("/_sandbox/admin/credentials/new")
        .await
        .text()
        .await
        .unwrap();
    for expected in [
        "name=\"access_absences\"",
        "name=\"access_custom_reports\"",
        "value=\"hire_date\"",
        "Create custom integration",
    ] {
        assert!(form.contains(expected), "{expected} in {form}");
    }
    let (client_id, secret) = pages
        .create(&[
            ("name", "Payroll export"),
            ("access_employees", "read"),
            ("access_absences", "write"),
            ("access_attendances", "none"),
            ("attribute", "first_name"),
            ("attribute", "hire_date"),
        ])
        .await;
    assert!(client_id.starts_with("papi-") && secret.starts_with("papi-"));

    let (status, token) = v2_token(&sb, &client_id, &secret).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    let scopes = token["scope"].as_str().unwrap();
    assert!(scopes.contains("personio:persons:read"), "{scopes}");
    assert!(scopes.contains("personio:absences:write"), "{scopes}");
    assert!(!scopes.contains("personio:persons:write"), "{scopes}");
    assert!(!scopes.contains("attendances"), "{scopes}");

    let listed: Value = Client::new()
        .get(sb.url("/_sandbox/credentials"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created = listed["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == client_id.as_str())
        .unwrap();
    assert_eq!(created["name"], "Payroll export");
    assert_eq!(
        created["readable_attributes"],
        serde_json::json!(["first_name", "hire_date"])
    );

    // The list shows the credential, and never its secret again.
    let list = pages.get(BASE).await.text().await.unwrap();
    assert!(list.contains(&client_id) && list.contains("Payroll export"));
    assert!(list.contains("Absences: read and write"), "{list}");
    assert!(!list.contains(&secret), "the secret is shown once only");
}

#[tokio::test]
async fn revoke_and_regenerate_take_effect_on_the_token_endpoint_at_once() {
    let sb = spawn_sandbox(sandbox(904, 3));
    let pages = Pages::sign_in(&sb).await;
    let (client_id, first_secret) = pages
        .create(&[("name", "Rotating"), ("all_attributes", "on")])
        .await;
    assert_eq!(
        v2_token(&sb, &client_id, &first_secret).await.0,
        StatusCode::OK
    );

    let regenerated = pages
        .post(
            "/_sandbox/admin/credentials/secret",
            &[("client_id", &client_id)],
        )
        .await;
    assert_eq!(regenerated.status(), StatusCode::OK);
    let page = regenerated.text().await.unwrap();
    assert!(page.contains("will not be shown again"));
    assert_eq!(text_of(&page, "client-id"), client_id);
    let second_secret = text_of(&page, "client-secret");
    assert_ne!(second_secret, first_secret);
    assert_refused(&sb, &client_id, &first_secret).await;
    assert_eq!(
        v2_token(&sb, &client_id, &second_secret).await.0,
        StatusCode::OK
    );

    let revoked = pages
        .post(
            "/_sandbox/admin/credentials/revoke",
            &[("client_id", &client_id)],
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(revoked.headers()[header::LOCATION], BASE);
    assert_refused(&sb, &client_id, &second_secret).await;
    assert!(!listed_ids(&sb).await.contains(&client_id));
    let list = pages.get(BASE).await.text().await.unwrap();
    let row = list
        .split(&format!(
            "<tr class=\"revoked\" data-client-id=\"{client_id}\""
        ))
        .nth(1)
        .expect("a revoked row");
    assert!(!row.split("</tr>").next().unwrap().contains("Revoke<"));

    // Acting on it again: a page saying so.
    let again = pages
        .post(
            "/_sandbox/admin/credentials/secret",
            &[("client_id", &client_id)],
        )
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert!(again.text().await.unwrap().contains("No such credential"));
}

#[tokio::test]
async fn the_recruiting_token_and_company_id_are_shown() {
    let sb = spawn_sandbox(sandbox(905, 3));
    let pages = Pages::sign_in(&sb).await;
    let list = pages.get(BASE).await.text().await.unwrap();
    assert_eq!(text_of(&list, "recruiting-token"), RECRUITING_TOKEN);
    assert_eq!(text_of(&list, "company-id"), COMPANY_ID.to_string());
    assert!(
        list.contains(CLIENT_ID),
        "the configured credential is listed"
    );
}

#[tokio::test]
async fn hostile_form_input_gets_an_error_page_never_a_server_error() {
    let sb = spawn_sandbox(sandbox(906, 3));
    let pages = Pages::sign_in(&sb).await;
    let before = listed_ids(&sb).await;
    let long_name = "x".repeat(5000);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("name", "A"), ("access_employees", "admin")],
            "must be none, read or write",
        ),
        (
            vec![("name", "A"), ("attribute", "salary\"><script>")],
            "There is no employee attribute",
        ),
        (vec![("name", "   ")], "Give the integration a name"),
        (vec![("name", &long_name)], "at most 100 characters"),
        (
            vec![("name", "line\u{0}break")],
            "without control characters",
        ),
    ];
    for (fields, says) in cases {
        let response = pages.post("/_sandbox/admin/credentials", &fields).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        let page = response.text().await.unwrap();
        assert!(page.contains(says), "{says} in {page}");
        assert!(!page.contains("<script>"), "input is escaped");
    }
    let unknown = pages
        .post(
            "/_sandbox/admin/credentials/revoke",
            &[("client_id", "../../etc/passwd")],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // Bodies no form sends.
    let raw = |content_type: &'static str, body: Vec<u8>| {
        pages
            .client
            .post(sb.url("/_sandbox/admin/credentials"))
            .header(header::COOKIE, &pages.cookie)
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
    };
    let json = raw("application/json", b"{\"name\":\"x\"}".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let bytes = raw(
        "application/x-www-form-urlencoded",
        b"csrf=%ZZ&name=\xff\xfe&&==&access_employees=%00".to_vec(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(bytes.status(), StatusCode::FORBIDDEN, "no valid CSRF token");
    let huge = raw(
        "application/x-www-form-urlencoded",
        vec![b'a'; 64 * 1024 * 1024],
    )
    .send()
    .await
    .unwrap();
    assert!(huge.status().is_client_error(), "{}", huge.status());
    assert!(
        huge.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(listed_ids(&sb).await, before, "nothing was created");
}
