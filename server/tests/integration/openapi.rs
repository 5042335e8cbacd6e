//! The OpenAPI document as the server serves it, and the server keeping its rules. (The
//! document's own content is checked by the unit tests in `server/src/api/document_tests.rs`;
//! every rule, exhaustively, by `scripts/api-contract.sh`.)

use crate::common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    the_document_is_served_and_every_path_answers,
    the_server_refuses_what_the_document_rules_out
);

async fn the_document_is_served_and_every_path_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK, "the document needs no token");
    let doc: Value = response.json().await.unwrap();
    // Every documented operation answers (401 without a token), none is a 404.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let url = app.url(&format!("/api/v1{}", path.replace("{id}", "01K0N0C0NTACT0000000000000")));
            let status = app
                .client
                .request(method.to_uppercase().parse().unwrap(), url)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
    }
}

async fn the_server_refuses_what_the_document_rules_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.api_token("reception").await;
    for query in ["limit=2147483648", "cursor=x"] {
        let status = app
            .api()
            .get(app.url(&format!("/api/v1/contacts.csv?{query}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "contacts.csv?{query}");
    }
    for query in ["limit=0", "limit=201", "warmness_min=101", "sort=random", "source=fax", "q="] {
        let status = app
            .api()
            .get(app.url(&format!("/api/v1/contacts?{query}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status();
        let expected = if query == "q=" { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        assert_eq!(status, expected, "contacts?{query}");
    }
    let lower_case_cursor = "01k0n0c0ntact0000000000000";
    let status = app
        .api()
        .get(app.url(&format!("/api/v1/tasks?cursor={lower_case_cursor}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "cursors are upper-case ULIDs, as documented");
}
