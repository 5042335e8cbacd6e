//! The OpenAPI document describes every REST route, and what it says matches the server.

mod common;

use common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(the_document_covers_every_route, the_document_states_the_servers_rules);

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

/// Every `$ref` in `value`.
fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push(target.clone());
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

fn parameter<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{method} {path} has parameters"))
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} documents {name}"))
}

/// The rules a generated client or validator needs are in the document, and they are the
/// server's: what the document forbids, the server refuses (scripts/api-contract.sh checks this
/// exhaustively with schemathesis; these are the defects once found).
async fn the_document_states_the_servers_rules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();

    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    for target in &targets {
        let name = target.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{target}"));
        assert!(doc["components"]["schemas"][name].is_object(), "{target} resolves");
    }
    // Every path template variable is a declared path parameter.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for variable in path.split('{').skip(1).filter_map(|rest| rest.split('}').next()) {
                let declared = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["name"] == variable && p["in"] == "path" && p["required"] == true);
                assert!(declared, "{method} {path} declares {{{variable}}}");
            }
            assert!(operation["responses"]["4XX"].is_object(), "{method} {path} documents 4XX");
        }
    }
    for path in ["/contacts", "/tasks", "/audit-events", "/contacts/{id}/touchpoints"] {
        let limit = &parameter(&doc, "get", path, "limit")["schema"];
        assert_eq!(
            (limit["minimum"].as_i64(), limit["maximum"].as_i64()),
            (Some(1), Some(200)),
            "{path} limit"
        );
    }
    let warmness = &parameter(&doc, "get", "/contacts", "warmness_min")["schema"];
    assert_eq!((warmness["minimum"].as_i64(), warmness["maximum"].as_i64()), (Some(0), Some(100)));
    let sort = serde_json::to_string(&parameter(&doc, "get", "/contacts", "sort")["schema"]).unwrap();
    assert!(sort.contains("\"relevance\"") && sort.contains("\"warmness\""), "sort is an enum: {sort}");
    let csv: Vec<&str> = doc["paths"]["/contacts.csv"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(!csv.contains(&"limit") && !csv.contains(&"cursor"), "an export has no pages: {csv:?}");
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ContactSource"]["enum"],
        serde_json::json!(["web_form", "referral", "phone", "campaign", "walk_in"])
    );
    assert_eq!(schemas["NewTask"]["required"], serde_json::json!(["title"]));
    assert_eq!(schemas["NewStage"]["required"], serde_json::json!(["name"]));
    assert_eq!(schemas["ContactFields"]["additionalProperties"], false, "unknown fields are refused");
    let first_name = serde_json::to_string(&schemas["ContactFields"]["properties"]["first_name"]).unwrap();
    assert!(first_name.contains("\"maxLength\":100") && first_name.contains("pattern"), "{first_name}");

    // The server refuses what the document rules out.
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
