//! The OpenAPI document, checked without a server: every route is in it with its responses,
//! every reference resolves, every path variable is declared, and the rules the server enforces
//! are stated. (That the server keeps them is `tests/integration/openapi.rs` and
//! `scripts/api-contract.sh`.)

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(super::document()).expect("the document serializes")
}

/// Every REST route (method, path as the document writes it).
const ROUTES: [(&str, &str); 92] = [
    ("post", "/messages/sms"),
    ("post", "/messages/email"),
    ("get", "/messages"),
    ("get", "/messages/{id}"),
    ("get", "/suppressions"),
    ("post", "/suppressions"),
    ("delete", "/suppressions/{id}"),
    ("get", "/settings/providers"),
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
    ("get", "/contacts/count"),
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
    ("get", "/tasks/counts"),
    ("get", "/contacts/{id}/merge-preview"),
    ("get", "/contacts/{id}/merges"),
    ("post", "/merges/{id}/undo"),
    ("patch", "/tasks/{id}"),
    ("get", "/settings/ip-allowlist"),
    ("put", "/settings/ip-allowlist"),
    ("get", "/jobs"),
    ("get", "/jobs/{id}"),
    ("post", "/jobs/{id}/retry"),
    ("post", "/jobs/{id}/discard"),
    ("get", "/locations"),
    ("get", "/services"),
    ("get", "/resources"),
    ("get", "/staff"),
    ("get", "/availability"),
    ("get", "/bookings"),
    ("post", "/bookings"),
    ("get", "/bookings/{id}"),
    ("patch", "/bookings/{id}"),
    ("post", "/bookings/{id}/cancel"),
    ("post", "/bookings/{id}/confirm"),
    ("post", "/bookings/{id}/uncancel"),
    ("post", "/bookings/{id}/complete"),
    ("post", "/bookings/{id}/no-show"),
    ("get", "/waitlist"),
    ("post", "/waitlist"),
    ("delete", "/waitlist/{id}"),
    ("get", "/analytics/bookings"),
    ("get", "/staff/{id}/feed"),
    ("get", "/resources/{id}/feed"),
    ("put", "/locations/{id}/hours"),
    ("post", "/locations/{id}/closures"),
    ("delete", "/locations/{id}/closures/{day}"),
    ("post", "/services"),
    ("patch", "/services/{id}"),
    ("post", "/resources"),
    ("patch", "/resources/{id}"),
    ("post", "/resources/{id}/blocks"),
    ("delete", "/resources/{id}/blocks/{block_id}"),
    ("put", "/staff/{id}/services"),
    ("put", "/staff/{id}/hours"),
    ("post", "/staff/{id}/leave"),
    ("delete", "/staff/{id}/leave/{leave_id}"),
    ("post", "/ai/sms-intent"),
    ("post", "/ai/enrich"),
    ("post", "/ai/campaign-draft"),
    ("post", "/ai/report-insights"),
    ("get", "/ai/usage"),
    ("get", "/ai/settings"),
    ("get", "/contacts/{id}/enrichment"),
    ("post", "/ai/test-connection"),
    ("get", "/contacts/{id}/warmness"),
    ("post", "/contacts/{id}/recalculate-warmness"),
];

#[test]
fn the_document_covers_every_route() {
    let doc = document();
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

/// The rules a generated client or validator needs are in the document (these are the gaps
/// once found: a path parameter missing, an unresolvable reference, no limits or enums).
#[test]
fn the_document_states_the_servers_rules() {
    let doc = document();

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
}
