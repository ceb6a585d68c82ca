//! Documents: v1 categories and multipart upload, v2 listing, metadata, deletion and
//! download; generated documents are valid PDFs.

use bridge_testkit::{RunningSandbox, assert_same_shape, fixture, sandbox, spawn_sandbox};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::{
    FIXTURES, client, create_credential, get, status_and_json, v1_token, v1_token_for, v2_token,
    v2_token_for,
};

const LIST: &str = "/v2/document-management/documents";

async fn upload(sb: &RunningSandbox, token: &str, form: Form) -> (StatusCode, Value) {
    let response = client()
        .post(sb.url("/v1/company/documents"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

fn form(employee: &str, category: &str, file_name: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("title", "Signed onboarding checklist")
        .text("employee_id", employee.to_owned())
        .text("category_id", category.to_owned())
        .text("comment", "Scanned in Munich")
        .text("date", "2026-10-30")
        .part("file", Part::bytes(bytes).file_name(file_name.to_owned()))
}

async fn first_employee_and_category(sb: &RunningSandbox, token: &str) -> (String, String) {
    let (_, employees) = get(sb, token, "/v1/company/employees?limit=1").await;
    let (_, categories) = get(sb, token, "/v1/company/document-categories").await;
    (
        employees["data"][0]["attributes"]["id"]["value"].to_string(),
        categories["data"][0]["id"].to_string(),
    )
}

#[tokio::test]
async fn an_uploaded_file_downloads_byte_for_byte() {
    let sb = spawn_sandbox(sandbox(5, 8));
    let token = v1_token(&sb).await;
    let (status, categories) = get(&sb, &token, "/v1/company/document-categories").await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &categories,
        &fixture(FIXTURES, "v1/document-categories.json"),
        true,
    );
    let (employee, category) = first_employee_and_category(&sb, &token).await;
    let bytes: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (status, body) = upload(
        &sb,
        &token,
        form(&employee, &category, "scan.png", bytes.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/documents.uploaded.json"),
        true,
    );
    assert_eq!(
        body["data"]["attributes"]["employee"]["attributes"]["id"]["value"].to_string(),
        employee
    );
    let id = body["data"]["id"].to_string();

    let v2 = v2_token(&sb).await;
    let (status, first) = get(&sb, &v2, &format!("{LIST}?owner_id={employee}&limit=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(&first, &fixture(FIXTURES, "v2/documents.page.json"), true);
    let (_, page) = get(&sb, &v2, &format!("{LIST}?owner_id={employee}&limit=200")).await;
    let listed = page["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id.as_str())
        .unwrap();
    assert_eq!(listed["size"], bytes.len());
    assert_eq!(listed["document_type"], "image/png");
    let response = client()
        .get(sb.url(&format!("{LIST}/{id}/download")))
        .bearer_auth(&v2)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn upload_errors_are_personios() {
    let sb = spawn_sandbox(sandbox(5, 4));
    let token = v1_token(&sb).await;
    let (employee, category) = first_employee_and_category(&sb, &token).await;
    let pdf = b"%PDF-1.4\n".to_vec();

    let (status, body) = upload(
        &sb,
        &token,
        form(&employee, &category, "setup.exe", pdf.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/error.422-document-file.json"),
        true,
    );
    let message = body["error"]["error_data"]["file"][0].as_str().unwrap();
    assert!(
        message.starts_with("The file must be a file of type: pdf, docx, doc, jpg"),
        "{message}"
    );

    let (status, body) = upload(
        &sb,
        &token,
        Form::new().text("comment", "no title, no file"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&String> = body["error"]["error_data"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(fields, ["title", "employee_id", "category_id", "file"]);

    let (status, body) = upload(&sb, &token, form(&employee, "999999", "a.pdf", pdf.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_same_shape(
        &body,
        &fixture(FIXTURES, "v1/error.404-document-category.json"),
        true,
    );
    assert_eq!(
        body["error"]["message"],
        "No query results for model [DocumentCategory] 999999"
    );
    let (status, body) = upload(&sb, &token, form("1", &category, "a.pdf", pdf.clone())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["error"]["message"],
        "No query results for model [Employee] 1"
    );

    let big = vec![b'x'; 30 * 1024 * 1024 + 1];
    let (status, body) = upload(&sb, &token, form(&employee, &category, "big.pdf", big)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["error"]["error_data"]["file"][0],
        "The file may not be greater than 30720 kilobytes."
    );

    let (id, secret) = create_credential(
        &sb,
        json!({"name": "read only", "access": {"documents": "read"}, "readable_attributes": "all"}),
    )
    .await;
    let reader = v1_token_for(&sb, &id, &secret).await;
    assert_eq!(
        get(&sb, &reader, "/v1/company/document-categories").await.0,
        StatusCode::OK
    );
    let (status, _) = upload(&sb, &reader, form(&employee, &category, "a.pdf", pdf)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "uploading needs write access"
    );
}

/// Position of `needle` in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Checks a PDF's structure: header, trailer, and a cross-reference table whose every
/// offset points at the object it names; each stream's `/Length` matches its bytes.
fn assert_valid_pdf(pdf: &[u8]) {
    assert!(pdf.starts_with(b"%PDF-1."), "header");
    assert!(pdf.ends_with(b"%%EOF\n"), "trailer end");
    let marker = pdf
        .windows(10)
        .rposition(|w| w == b"startxref\n")
        .expect("startxref");
    let tail = std::str::from_utf8(&pdf[marker + 10..]).unwrap();
    let startxref: usize = tail.lines().next().unwrap().trim().parse().unwrap();
    let xref = std::str::from_utf8(&pdf[startxref..]).expect("the table is ASCII");
    assert!(
        xref.starts_with("xref\n0 "),
        "startxref points at the table"
    );
    let count: usize = xref.lines().nth(1).unwrap()[2..].parse().unwrap();
    let entries: Vec<&str> = xref.lines().skip(2).take(count).collect();
    assert_eq!(entries[0], "0000000000 65535 f ");
    for (n, entry) in entries.iter().enumerate().skip(1) {
        assert_eq!(entry.len(), 19, "20-byte entries with their newline");
        let offset: usize = entry[..10].parse().unwrap();
        let header = format!("{n} 0 obj");
        assert_eq!(
            &pdf[offset..offset + header.len()],
            header.as_bytes(),
            "object {n}"
        );
    }
    assert!(xref.contains(&format!("/Size {count}")) && xref.contains("/Root 1 0 R"));
    let mut at = 0;
    let mut streams = 0;
    while let Some(length_at) = find(pdf, b"/Length ", at) {
        let digits: String = pdf[length_at + 8..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| b as char)
            .collect();
        let length: usize = digits.parse().unwrap();
        let start = find(pdf, b"stream\n", length_at).unwrap() + 7;
        assert_eq!(
            &pdf[start + length..start + length + 9],
            b"endstream",
            "stream length"
        );
        at = start + length;
        streams += 1;
    }
    assert!(streams >= 1, "a page has content");
}

#[tokio::test]
async fn generated_documents_are_valid_pdfs_and_the_same_for_the_same_seed() {
    let first = spawn_sandbox(sandbox(6, 12));
    let second = spawn_sandbox(sandbox(6, 12));
    let v1 = v1_token(&first).await;
    let (_, employees) = get(&first, &v1, "/v1/company/employees?limit=12").await;
    let mut checked = 0;
    for employee in employees["data"].as_array().unwrap().iter().take(4) {
        let owner = employee["attributes"]["id"]["value"].to_string();
        let token = v2_token(&first).await;
        let (_, page) = get(&first, &token, &format!("{LIST}?owner_id={owner}")).await;
        let documents = page["_data"].as_array().unwrap();
        assert!(!documents.is_empty(), "everyone has a contract");
        assert!(documents.iter().any(|d| d["name"] == "Employment contract"));
        for document in documents {
            let path = format!("{LIST}/{}/download", document["id"].as_str().unwrap());
            let fetch = |sb: &RunningSandbox, token: String| {
                let url = sb.url(&path);
                async move {
                    let response = client().get(url).bearer_auth(token).send().await.unwrap();
                    assert_eq!(response.headers()["content-type"], "application/pdf");
                    response.bytes().await.unwrap()
                }
            };
            let bytes = fetch(&first, token.clone()).await;
            assert_valid_pdf(&bytes);
            assert_eq!(document["size"], bytes.len());
            assert_eq!(bytes, fetch(&second, v2_token(&second).await).await);
            checked += 1;
        }
    }
    assert!(checked >= 4);
}

#[tokio::test]
async fn listing_needs_an_owner_and_a_limit_of_at_most_200() {
    let sb = spawn_sandbox(sandbox(5, 20));
    let token = v2_token(&sb).await;
    let (status, body) = get(&sb, &token, LIST).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_same_shape(&body, &fixture(FIXTURES, "v2/problem.400.json"), false);
    let (_, employees) = get(&sb, &token, "/v2/persons?limit=50").await;
    let owner = employees["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .find(|_| true)
        .unwrap();
    assert_eq!(
        get(&sb, &token, &format!("{LIST}?owner_id={owner}&limit=300"))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&sb, &token, &format!("{LIST}?owner_id={owner}&limit=200"))
            .await
            .0,
        StatusCode::OK
    );
    let (_, all) = get(&sb, &token, &format!("{LIST}?owner_id={owner}&limit=200")).await;
    let all: Vec<Value> = all["_data"].as_array().unwrap().clone();
    let mut paged = Vec::new();
    let mut next = Some(sb.url(&format!("{LIST}?owner_id={owner}&limit=1")));
    for _ in 0..50 {
        let Some(url) = next.take() else { break };
        let body: Value = client()
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        paged.extend(body["_data"].as_array().unwrap().iter().cloned());
        next = body["_meta"]["links"]["next"]["href"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(
        paged, all,
        "following next links gives the same documents, newest first"
    );
    let category = all[0]["category"]["id"].as_str().unwrap();
    let (_, filtered) = get(
        &sb,
        &token,
        &format!("{LIST}?owner_id={owner}&category_id={category}"),
    )
    .await;
    assert!(
        filtered["_data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["category"]["id"] == category)
    );
    let (_, none) = get(
        &sb,
        &token,
        &format!("{LIST}?owner_id={owner}&created_at.lt=2000-01-01"),
    )
    .await;
    assert!(none["_data"].as_array().unwrap().is_empty());
    let (id, secret) = create_credential(
        &sb,
        json!({"name": "no documents", "access": {"employees": "read"}, "readable_attributes": "all"}),
    )
    .await;
    let narrow = v2_token_for(&sb, &id, &secret).await;
    assert_eq!(
        get(&sb, &narrow, &format!("{LIST}?owner_id={owner}"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

async fn patch(sb: &RunningSandbox, token: &str, id: &str, body: Value) -> StatusCode {
    client()
        .patch(sb.url(&format!("{LIST}/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn metadata_changes_are_validated_and_deleted_documents_vanish() {
    let sb = spawn_sandbox(sandbox(5, 6));
    let token = v2_token(&sb).await;
    let (_, persons) = get(&sb, &token, "/v2/persons?limit=1").await;
    let owner = persons["_data"][0]["id"].as_str().unwrap().to_owned();
    let (_, page) = get(&sb, &token, &format!("{LIST}?owner_id={owner}")).await;
    let id = page["_data"][0]["id"].as_str().unwrap().to_owned();
    let other_category = page["_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["category"]["id"].as_str().unwrap().to_owned())
        .find(|c| *c != page["_data"][0]["category"]["id"])
        .unwrap_or_else(|| {
            page["_data"][0]["category"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        });
    for bad in [
        json!({"name": null}),
        json!({"name": ""}),
        json!({"name": "x".repeat(257)}),
        json!({"comment": null}),
        json!({"category": null}),
        json!({"date": "30.10.2026"}),
    ] {
        assert_eq!(
            patch(&sb, &token, &id, bad.clone()).await,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    assert_eq!(
        patch(&sb, &token, &id, json!({"category": {"id": "1"}})).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let change = json!({"name": "Contract (signed)", "comment": "Countersigned", "date": "2026-10-01",
                        "category": {"id": other_category}});
    assert_eq!(
        patch(&sb, &token, &id, change).await,
        StatusCode::NO_CONTENT
    );
    let (_, page) = get(&sb, &token, &format!("{LIST}?owner_id={owner}")).await;
    let changed = page["_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id.as_str())
        .unwrap();
    assert_eq!(changed["name"], "Contract (signed)");
    assert_eq!(changed["comment"], "Countersigned");
    assert_eq!(changed["date"], "2026-10-01");
    assert_eq!(
        patch(&sb, &token, "999999999", json!({"name": "x"})).await,
        StatusCode::NOT_FOUND
    );
    let deleted = client()
        .delete(sb.url(&format!("{LIST}/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get(&sb, &token, &format!("{LIST}/{id}/download")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, page) = get(&sb, &token, &format!("{LIST}?owner_id={owner}")).await;
    assert!(
        page["_data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != id.as_str())
    );
}
