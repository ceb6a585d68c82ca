//! Recruiting: the static token and company id, applications and their validation codes,
//! document uploads, feature switches, the deprecated applicant endpoint, the XML feed,
//! and the v2 beta reads (with the `Beta: true` rule).

use bridge_testkit::{
    ADMIN_TOKEN, COMPANY_ID, RECRUITING_TOKEN, RunningSandbox, assert_same_shape, fixture, sandbox,
    spawn_sandbox,
};
use personio_api::recruiting::feed;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::{
    FIXTURES, client, create_credential, status_and_json, v1_token, v2_token, v2_token_for,
};

fn recruiting(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request
        .bearer_auth(RECRUITING_TOKEN)
        .header("X-Company-ID", COMPANY_ID.to_string())
}

async fn apply(sb: &RunningSandbox, body: Value) -> (StatusCode, Value) {
    let response = recruiting(client().post(sb.url("/v1/recruiting/applications")))
        .json(&body)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

async fn upload(sb: &RunningSandbox, file_name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(file_name.to_owned()));
    let response = recruiting(client().post(sb.url("/v1/recruiting/applications/documents")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

/// GET on the v2 beta with `Beta: true`.
async fn beta(sb: &RunningSandbox, token: &str, path: &str) -> (StatusCode, Value) {
    let response = client()
        .get(sb.url(path))
        .bearer_auth(token)
        .header("Beta", "true")
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

/// (published job ids, unpublished job ids), from the v2 beta.
async fn jobs(sb: &RunningSandbox) -> (Vec<i64>, Vec<i64>) {
    let token = v2_token(sb).await;
    let (_, body) = beta(sb, &token, "/v2/recruiting/jobs?limit=200").await;
    let (published, other): (Vec<&Value>, Vec<&Value>) = body["_data"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|j| j["status"] == "ACTIVE");
    let ids = |jobs: Vec<&Value>| {
        jobs.iter()
            .map(|j| j["id"].as_str().unwrap().parse().unwrap())
            .collect()
    };
    (ids(published), ids(other))
}

#[tokio::test]
async fn the_recruiting_api_wants_its_own_token_and_the_company_id() {
    let sb = spawn_sandbox(sandbox(8, 30));
    let url = sb.url("/v1/recruiting/applications");
    let api_token = v1_token(&sb).await;
    for request in [
        client().post(&url),
        client().post(&url).bearer_auth(RECRUITING_TOKEN),
        client()
            .post(&url)
            .bearer_auth(RECRUITING_TOKEN)
            .header("X-Company-ID", "1"),
        client()
            .post(&url)
            .bearer_auth("wrong")
            .header("X-Company-ID", COMPANY_ID.to_string()),
        client()
            .post(&url)
            .bearer_auth(&api_token)
            .header("X-Company-ID", COMPANY_ID.to_string()),
    ] {
        let (status, body) = status_and_json(request.json(&json!({})).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_same_shape(
            &body,
            &fixture(FIXTURES, "recruiting/error.problem.json"),
            true,
        );
    }
}

/// An application without fields proves the token and company id (a 400 listing the
/// required fields, where a wrong token is a 401) and creates nothing: how linking checks a
/// recruiting token.
#[tokio::test]
async fn an_empty_application_is_refused_for_its_fields_and_creates_nothing() {
    let sb = spawn_sandbox(sandbox(8, 30));
    let token = v2_token(&sb).await;
    let (_, before) = beta(&sb, &token, "/v2/recruiting/applications?limit=1").await;
    let (status, body) = apply(&sb, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    for required in ["first_name", "last_name", "email", "job_position_id"] {
        assert!(fields.contains(&required), "{required}: {body}");
    }
    let (_, after) = beta(&sb, &token, "/v2/recruiting/applications?limit=1").await;
    assert_eq!(
        after["_data"][0]["id"], before["_data"][0]["id"],
        "nothing created"
    );
}

#[tokio::test]
async fn an_application_posted_through_v1_appears_in_v2() {
    let sb = spawn_sandbox(sandbox(8, 30));
    let (published, _) = jobs(&sb).await;
    let cv = b"%PDF-1.4 a curriculum vitae".to_vec();
    let (status, uploaded) = upload(&sb, "Malte Øberg CV.pdf", cv.clone()).await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    assert_same_shape(
        &uploaded,
        &fixture(FIXTURES, "recruiting/document.uploaded.json"),
        true,
    );
    assert_eq!(uploaded["size"], cv.len());
    assert_eq!(uploaded["mimetype"], "application/pdf");
    assert_eq!(uploaded["extension"], "pdf");
    let mut body = fixture(FIXTURES, "recruiting/application.request.json");
    body["job_position_id"] = json!(published[0]);
    body.as_object_mut()
        .unwrap()
        .remove("recruiting_channel_id");
    body.as_object_mut().unwrap().remove("external_posting_id");
    body["phase"] = json!({"type": "system", "id": "offer"});
    body["files"][0]["uuid"] = uploaded["uuid"].clone();
    let response = recruiting(client().post(sb.url("/v1/recruiting/applications")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(
        response.bytes().await.unwrap().is_empty(),
        "201 with an empty body"
    );

    let token = v2_token(&sb).await;
    let (_, candidates) = beta(
        &sb,
        &token,
        "/v2/recruiting/candidates?email=malte.oberg@mail.example",
    )
    .await;
    let candidate = &candidates["_data"][0];
    assert_eq!(candidate["last_name"], "Øberg");
    assert_eq!(candidate["birthday"], "1991-08-14");
    let application_id = candidate["applications"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, application) = beta(
        &sb,
        &token,
        &format!("/v2/recruiting/applications/{application_id}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(application["current_stage"]["kind"], "offer");
    assert_eq!(application["job"]["id"], published[0].to_string());
    assert_eq!(application["application_date"], "2025-05-02");
    let (_, newest) = beta(&sb, &token, "/v2/recruiting/applications?limit=1").await;
    assert_eq!(
        newest["_data"][0]["id"],
        application_id.as_str(),
        "latest update first"
    );
    let (_, transitions) = beta(
        &sb,
        &token,
        &format!("/v2/recruiting/applications/{application_id}/stage-transitions"),
    )
    .await;
    assert_eq!(transitions["_data"].as_array().unwrap().len(), 1);

    let (status, again) = apply(&sb, body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        again["errors"][0]["errors"][0]["reason"],
        "errors.applicant-already-exists"
    );
}

fn reasons(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|field| {
            field["errors"].as_array().unwrap().iter().map(move |e| {
                (
                    field["field"].as_str().unwrap().to_owned(),
                    e["reason"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect()
}

#[tokio::test]
async fn every_documented_validation_error_has_its_reason_code() {
    let sb = spawn_sandbox(sandbox(8, 30));
    let (published, unpublished) = jobs(&sb).await;
    let (status, body) = apply(
        &sb,
        json!({
            "first_name": "  ", "email": "not-an-address", "job_position_id": published[0],
            "recruiting_channel_id": 1, "application_date": "2099-01-01",
            "phase": {"type": "system", "id": "hired"},
            "files": [{"uuid": "c0ffee00-1111-4222-8333-444455556666", "original_filename": "cv.pdf", "category": "resume"}],
            "attributes": [{"id": "shoe_size", "value": "44"}, {"id": "gender", "value": "robot"},
                           {"id": "birthday", "value": "14.08.1991"}, {"id": "location", "value": 7}]
        }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "recruiting/error.400-fields.json"),
        false,
    );
    let found = reasons(&body);
    for (field, reason) in [
        (
            "first_name",
            "errors.attribute-validation.required-attribute",
        ),
        (
            "last_name",
            "errors.attribute-validation.required-attribute",
        ),
        ("email", "errors.attribute-validation.invalid-email-format"),
        (
            "recruiting_channel_id",
            "errors.posting-validation.channel-not-found",
        ),
        (
            "application_date",
            "errors.date-validation.date-in-the-future",
        ),
        ("phase.id", "errors.phase-validation.invalid-system-phase"),
        ("files[0].uuid", "errors.file-validation.file-not-exists"),
        (
            "files[0].category",
            "errors.file-validation.unknown-file-category",
        ),
        ("attributes[0]", "errors.attribute-validation.unknown"),
        (
            "attributes[1]",
            "errors.attribute-validation.unknown-attribute-option",
        ),
        (
            "attributes[2]",
            "errors.attribute-validation.invalid-date-format",
        ),
        ("attributes[3]", "errors.attribute-validation.invalid-type"),
    ] {
        assert!(
            found.contains(&(field.into(), reason.into())),
            "{field} {reason} in {found:?}"
        );
    }
    let fields: Vec<&String> = found.iter().map(|(f, _)| f).collect();
    let mut unique = fields.clone();
    unique.dedup();
    assert_eq!(
        body["errors"].as_array().unwrap().len(),
        unique.len(),
        "one entry per field"
    );

    let base = json!({"first_name": "Ana", "last_name": "Ruiz", "email": "ana.ruiz@mail.example"});
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for (extra, field, reason) in [
        (
            json!({}),
            "job_position_id",
            "errors.attribute-validation.required-attribute",
        ),
        (
            json!({"job_position_id": "12"}),
            "job_position_id",
            "errors.attribute-validation.invalid-type",
        ),
        (
            json!({"job_position_id": 1}),
            "job_position_id",
            "errors.posting-validation.posting-not-found",
        ),
        (
            json!({"job_position_id": unpublished[0]}),
            "job_position_id",
            "errors.job-position.not-published",
        ),
        (
            json!({"job_position_id": published[0], "external_posting_id": "nope"}),
            "external_posting_id",
            "errors.posting-validation.posting-not-found",
        ),
        (
            json!({"job_position_id": published[0], "application_date": "02.05.2025"}),
            "application_date",
            "errors.attribute-validation.invalid-date-format",
        ),
    ] {
        let (status, body) = apply(&sb, with(extra.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{extra}");
        assert!(
            reasons(&body).contains(&(field.into(), reason.into())),
            "{extra}: {body}"
        );
    }
    let (status, _) = apply(
        &sb,
        with(json!({"job_position_id": published[1], "phase": {"type": "custom", "id": 1}})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "an unknown custom phase starts unassigned"
    );
}

#[tokio::test]
async fn uploads_check_type_size_and_form() {
    let sb = spawn_sandbox(sandbox(8, 5));
    let (status, body) = upload(&sb, "setup.exe", b"MZ".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reasons(&body),
        [("file".to_owned(), "errors.invalid-file-type".to_owned())]
    );
    let (status, body) = upload(&sb, "huge.pdf", vec![0; 20 * 1024 * 1024 + 1]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        reasons(&body),
        [("file".to_owned(), "errors.file-too-big".to_owned())]
    );
    let response = recruiting(client().post(sb.url("/v1/recruiting/applications/documents")))
        .json(&json!({"file": "base64..."}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"][0]["detail"],
        "Invalid multipart request body and/or headers supplied"
    );
}

async fn set_features(sb: &RunningSandbox, features: Value) {
    let response = client()
        .put(sb.url("/_sandbox/features"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&features)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_company_without_recruiting_gets_403_and_no_v2_or_feed() {
    let sb = spawn_sandbox(sandbox(8, 10));
    let (published, _) = jobs(&sb).await;
    let body = json!({"first_name": "Ana", "last_name": "Ruiz", "email": "ana@mail.example", "job_position_id": published[0]});
    set_features(&sb, json!({"recruiting_api": false})).await;
    let (status, error) = apply(&sb, body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(reasons(&error)[0].1, "feature.public-api.disabled");
    set_features(&sb, json!({"recruiting": false, "recruiting_api": true})).await;
    let (status, error) = apply(&sb, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(reasons(&error)[0].1, "feature.recruiting.disabled");
    let token = v2_token(&sb).await;
    let (status, error) = beta(&sb, &token, "/v2/recruiting/jobs").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(
        &error,
        &fixture(FIXTURES, "v2/problem.404-route.json"),
        true,
    );
    assert_eq!(
        client().get(sb.url("/xml")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_deprecated_applicant_endpoint_still_takes_applications() {
    let sb = spawn_sandbox(sandbox(8, 20));
    let (published, unpublished) = jobs(&sb).await;
    let form = |job: i64, token: &str, email: &str| {
        Form::new()
            .text("company_id", COMPANY_ID.to_string())
            .text("access_token", token.to_owned())
            .text("job_position_id", job.to_string())
            .text("first_name", "Łukasz")
            .text("last_name", "Nowak")
            .text("email", email.to_owned())
            .text("custom_attribute_2", "yes")
            .part(
                "categorised_documents[0][file]",
                Part::bytes(b"%PDF-1.4".to_vec()).file_name("cv.pdf"),
            )
            .text("categorised_documents[0][category]", "cv")
    };
    let send = |form: Form| {
        let url = sb.url("/recruiting/applicant");
        async move { status_and_json(client().post(url).multipart(form).send().await.unwrap()).await }
    };
    let (status, body) = send(form(published[0], RECRUITING_TOKEN, "lukasz@mail.example")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "recruiting/applicant.ok.json"),
        true,
    );
    let (status, body) = send(form(published[0], RECRUITING_TOKEN, "lukasz@mail.example")).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("Applicant already applied to this position.")
        )
    );
    let (status, body) = send(form(1, RECRUITING_TOKEN, "other@mail.example")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "recruiting/applicant.error.json"),
        true,
    );
    assert_eq!(body["error"]["message"], "Could not find the job position.");
    let (status, body) = send(form(unpublished[0], RECRUITING_TOKEN, "other@mail.example")).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Job position not published")
        )
    );
    let (status, body) = send(form(published[0], "wrong", "other@mail.example")).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (StatusCode::FORBIDDEN, Some("This action is unauthorized."))
    );
    let missing = Form::new()
        .text("company_id", COMPANY_ID.to_string())
        .text("access_token", RECRUITING_TOKEN)
        .text("job_position_id", published[0].to_string());
    let (_, body) = send(missing).await;
    assert_eq!(
        body["error"]["message"],
        "The first_name field is required."
    );
    let token = v2_token(&sb).await;
    let (_, found) = beta(
        &sb,
        &token,
        "/v2/recruiting/candidates?email=lukasz@mail.example",
    )
    .await;
    assert_eq!(found["_data"][0]["first_name"], "Łukasz");
}

/// Element names of `node`'s element children.
fn children<'a>(node: roxmltree::Node<'a, 'a>) -> Vec<&'a str> {
    node.children()
        .filter(|c| c.is_element())
        .map(|c| c.tag_name().name())
        .collect()
}

#[tokio::test]
async fn the_xml_feed_is_well_formed_public_and_lists_published_jobs() {
    let sb = spawn_sandbox(sandbox(8, 40));
    let response = client()
        .get(sb.url("/xml?language=en"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let text = response.text().await.unwrap();
    let document = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), feed::ROOT);
    let example_text =
        std::fs::read_to_string(format!("{FIXTURES}/tests/fixtures/recruiting/feed.xml")).unwrap();
    let example = roxmltree::Document::parse(&example_text).unwrap();
    let example_position = example.root_element().first_element_child().unwrap();
    let positions: Vec<_> = root.children().filter(|c| c.is_element()).collect();
    let (published, _) = jobs(&sb).await;
    assert_eq!(positions.len(), published.len());
    for position in &positions {
        assert_eq!(position.tag_name().name(), feed::POSITION);
        assert_eq!(children(*position), children(example_position));
        assert_eq!(children(*position), feed::POSITION_FIELDS);
        let field = |name: &str| {
            position
                .children()
                .find(|c| c.tag_name().name() == name)
                .and_then(|c| c.text())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(published.contains(&field("id").parse().unwrap()));
        assert!(feed::EMPLOYMENT_TYPES.contains(&field("employmentType").as_str()));
        assert!(feed::SENIORITIES.contains(&field("seniority").as_str()));
        assert!(feed::YEARS_OF_EXPERIENCE.contains(&field("yearsOfExperience").as_str()));
        assert!(["full-time", "part-time"].contains(&field("schedule").as_str()));
        let created = field("createdAt");
        assert!(
            chrono::DateTime::parse_from_str(&created, "%Y-%m-%dT%H:%M:%S%z").is_ok(),
            "{created}"
        );
        let descriptions = position
            .children()
            .find(|c| c.tag_name().name() == "jobDescriptions")
            .unwrap();
        for description in descriptions.children().filter(|c| c.is_element()) {
            assert_eq!(children(description), ["name", "value"]);
        }
    }
    let german = client()
        .get(sb.url("/xml?language=de"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(german.contains("<name>Deine Aufgaben</name>"));
    assert!(roxmltree::Document::parse(&german).is_ok());
}

#[tokio::test]
async fn the_v2_beta_needs_its_header_and_scope_and_sorts_by_last_update() {
    let sb = spawn_sandbox(sandbox(8, 60));
    let token = v2_token(&sb).await;
    let plain = client()
        .get(sb.url("/v2/recruiting/jobs"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(plain).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no Beta header, no route");
    assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.404-route.json"), true);
    for (path, name) in [
        (
            "/v2/recruiting/jobs?limit=2",
            "v2/recruiting.jobs.page.json",
        ),
        (
            "/v2/recruiting/categories?limit=1",
            "v2/recruiting.categories.page.json",
        ),
        (
            "/v2/recruiting/candidates?limit=1",
            "v2/recruiting.candidates.page.json",
        ),
        (
            "/v2/recruiting/applications?limit=1",
            "v2/recruiting.applications.page.json",
        ),
    ] {
        let (status, body) = beta(&sb, &token, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_same_shape(&body, &fixture(FIXTURES, name), false);
    }
    let (_, job) = beta(&sb, &token, "/v2/recruiting/jobs?limit=1").await;
    let member = &job["_data"][0]["hiring_team"][0];
    assert_eq!(
        member["person"]["_meta"]["links"]["self"]["href"],
        sb.url(&format!(
            "/v2/persons/{}",
            member["person"]["id"].as_str().unwrap()
        ))
    );
    let (_, applications) = beta(&sb, &token, "/v2/recruiting/applications?limit=1").await;
    let application = applications["_data"][0]["id"].as_str().unwrap();
    let (_, transitions) = beta(
        &sb,
        &token,
        &format!("/v2/recruiting/applications/{application}/stage-transitions"),
    )
    .await;
    assert_same_shape(
        &transitions,
        &fixture(FIXTURES, "v2/recruiting.stage-transitions.page.json"),
        false,
    );

    let mut updated = Vec::new();
    let mut ids = Vec::new();
    let mut next = Some(sb.url("/v2/recruiting/candidates?limit=13"));
    for _ in 0..100 {
        let Some(url) = next.take() else { break };
        let body: Value = client()
            .get(url)
            .bearer_auth(&token)
            .header("Beta", "true")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for c in body["_data"].as_array().unwrap() {
            updated.push(c["updated_at"].as_str().unwrap().to_owned());
            ids.push(c["id"].as_str().unwrap().to_owned());
        }
        next = body["_meta"]["links"]["next"]["href"]
            .as_str()
            .map(str::to_owned);
    }
    assert!(updated.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no candidate twice across pages");
    let middle = &updated[updated.len() / 2];
    let (_, later) = beta(
        &sb,
        &token,
        &format!("/v2/recruiting/candidates?limit=200&updated_at.gt={middle}"),
    )
    .await;
    assert!(
        later["_data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["updated_at"].as_str().unwrap() > middle.as_str())
    );
    for query in [
        "updated_at.gt=2025-01-01&updated_at.lt=2026-01-01",
        "limit=201",
        "limit=0",
        "sort=id",
    ] {
        let (status, _) = beta(&sb, &token, &format!("/v2/recruiting/candidates?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
    }
    assert_eq!(
        beta(&sb, &token, "/v2/recruiting/jobs/1").await.0,
        StatusCode::NOT_FOUND
    );
    let (id, secret) = create_credential(
        &sb,
        json!({"name": "no recruiting", "access": {"employees": "read"}, "readable_attributes": "all"}),
    )
    .await;
    let narrow = v2_token_for(&sb, &id, &secret).await;
    assert_eq!(
        beta(&sb, &narrow, "/v2/recruiting/jobs").await.0,
        StatusCode::FORBIDDEN
    );
}
