//! The OpenAPI document describes every REST route, and what it says matches the server.

mod common;

use common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(the_document_covers_every_route);

/// Every REST route (method, path as the document writes it).
const ROUTES: [(&str, &str); 32] = [
    ("get", "/me"),
    ("get", "/dashboard"),
    ("get", "/api-tokens"),
    ("post", "/api-tokens"),
    ("delete", "/api-tokens/{id}"),
    ("get", "/users"),
    ("post", "/users"),
    ("patch", "/users/{id}"),
    ("get", "/audit-events"),
    ("get", "/contacts"),
    ("post", "/contacts"),
    ("get", "/contacts.csv"),
    ("post", "/contacts/import"),
    ("get", "/contacts/{id}"),
    ("put", "/contacts/{id}"),
    ("patch", "/contacts/{id}"),
    ("delete", "/contacts/{id}"),
    ("post", "/contacts/{id}/restore"),
    ("post", "/contacts/{id}/stage"),
    ("get", "/contacts/{id}/duplicates"),
    ("post", "/contacts/{id}/merge"),
    ("get", "/contacts/{id}/touchpoints"),
    ("post", "/contacts/{id}/touchpoints"),
    ("get", "/pipeline"),
    ("post", "/pipeline/stages"),
    ("patch", "/pipeline/stages/{id}"),
    ("delete", "/pipeline/stages/{id}"),
    ("get", "/tasks"),
    ("post", "/tasks"),
    ("patch", "/tasks/{id}"),
    ("get", "/settings/ip-allowlist"),
    ("put", "/settings/ip-allowlist"),
];

async fn the_document_covers_every_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK, "the document needs no token");
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "OpenAPI 3");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");

    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in ROUTES {
        let operation = &paths.get(path).unwrap_or_else(|| panic!("{path} is documented"))[method];
        assert!(operation.is_object(), "{method} {path} is documented");
        assert!(
            operation["responses"].as_object().unwrap().keys().any(|s| s.starts_with('2')),
            "{method} {path}"
        );
        if method != "get" || path != "/me" {
            assert!(operation["responses"]["401"].is_object(), "{method} {path} documents 401");
        }
    }
    let documented: usize = paths.values().map(|item| item.as_object().unwrap().len()).sum();
    assert_eq!(documented, ROUTES.len(), "no undocumented extras and none missing");

    // The document's schemas match what the server sends.
    let contact = &doc["components"]["schemas"]["Contact"]["properties"];
    for field in
        ["id", "first_name", "phone", "sms_consent", "tags", "custom_fields", "warmness", "last_touch_at"]
    {
        assert!(contact[field].is_object(), "Contact.{field}");
    }
    let list = &paths["/contacts"]["get"]["parameters"];
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    for param in ["q", "stage_id", "tag", "warmness_min", "sort", "cursor", "limit"] {
        assert!(names.contains(&param), "list parameter {param}: {names:?}");
    }
    // Every documented path answers (401 without a token), none is a 404.
    for (method, path) in ROUTES {
        let url = app.url(&format!("/api/v1{}", path.replace("{id}", "01K0N0C0NTACT0000000000000")));
        let status =
            app.client.request(method.to_uppercase().parse().unwrap(), url).send().await.unwrap().status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
}
