//! Every REST route and every server function, called as every role: allowed exactly when
//! the role holds the permission the route needs (one policy, `domain::access`).

use crate::common::{Backend, TestApp};
use domain::access::{Permission, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// What a call needs: a permission, or just a signed-in user.
#[derive(Clone, Copy, Debug)]
enum Needs {
    Permission(Permission),
    SignedIn,
}

impl Needs {
    fn allowed_for(self, role: Role) -> bool {
        match self {
            Needs::Permission(p) => role.allows(p),
            Needs::SignedIn => true,
        }
    }
}

/// (method, path, JSON body, needs). Paths with `{user}` get a real user id.
fn rest_routes() -> Vec<(Method, &'static str, Option<serde_json::Value>, Needs)> {
    use Needs::*;
    use domain::access::Permission::*;
    vec![
        (Method::GET, "/api/v1/me", None, SignedIn),
        (Method::GET, "/api/v1/dashboard", None, Permission(ContactsRead)),
        (Method::GET, "/api/v1/api-tokens", None, SignedIn),
        (Method::POST, "/api/v1/api-tokens", Some(json!({ "name": "matrix" })), SignedIn),
        (Method::GET, "/api/v1/users", None, Permission(UsersRead)),
        (
            Method::POST,
            "/api/v1/users",
            Some(json!({ "email": "EMAIL", "display_name": "Matrix", "role": "readonly" })),
            Permission(UsersWrite),
        ),
        (
            Method::PATCH,
            "/api/v1/users/{user}",
            Some(json!({ "display_name": "Renamed" })),
            Permission(UsersWrite),
        ),
        (Method::GET, "/api/v1/audit-events", None, Permission(AuditRead)),
        (Method::GET, "/api/v1/contacts", None, Permission(ContactsRead)),
        (
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Matrix", "last_name": "Test", "email": "EMAIL" })),
            Permission(ContactsWrite),
        ),
        (Method::GET, "/api/v1/contacts/{contact}", None, Permission(ContactsRead)),
        (
            Method::PATCH,
            "/api/v1/contacts/{contact}",
            Some(json!({ "notes": "matrix" })),
            Permission(ContactsWrite),
        ),
        (
            Method::PUT,
            "/api/v1/contacts/{contact}",
            Some(
                json!({ "first_name": "Matrix", "last_name": "Target", "email": "target@clinic.test", "phone": "0412 555 700" }),
            ),
            Permission(ContactsWrite),
        ),
        (Method::DELETE, "/api/v1/contacts/{fresh}", None, Permission(ContactsWrite)),
        (Method::POST, "/api/v1/contacts/{deleted}/restore", None, Permission(ContactsWrite)),
        (
            Method::POST,
            "/api/v1/contacts/{contact}/stage",
            Some(json!({ "stage_id": "01K0STAGE00000000000000002" })),
            Permission(ContactsWrite),
        ),
        (Method::GET, "/api/v1/contacts/{contact}/touchpoints", None, Permission(ContactsRead)),
        (
            Method::POST,
            "/api/v1/contacts/{contact}/touchpoints",
            Some(json!({ "kind": "note", "summary": "matrix" })),
            Permission(ContactsWrite),
        ),
        (Method::GET, "/api/v1/pipeline", None, Permission(ContactsRead)),
        (Method::GET, "/api/v1/contacts.csv", None, Permission(ContactsRead)),
        (
            Method::POST,
            "/api/v1/pipeline/stages",
            Some(json!({ "name": "Matrix stage" })),
            Permission(SettingsWrite),
        ),
        (
            Method::PATCH,
            "/api/v1/pipeline/stages/01K0STAGE00000000000000005",
            Some(json!({ "name": "Follow-up" })),
            Permission(SettingsWrite),
        ),
        (
            Method::POST,
            "/api/v1/contacts/import",
            Some(json!("CSV:Name,Phone\nMatrix Import,0413 555 999\n")),
            Permission(ContactsWrite),
        ),
        (Method::GET, "/api/v1/contacts/{contact}/duplicates", None, Permission(ContactsRead)),
        (
            Method::POST,
            "/api/v1/contacts/{fresh}/merge",
            Some(json!({ "duplicate_id": "FRESH" })),
            Permission(ContactsWrite),
        ),
        (Method::GET, "/api/v1/tasks", None, Permission(ContactsRead)),
        (Method::POST, "/api/v1/tasks", Some(json!({ "title": "Matrix task" })), Permission(ContactsWrite)),
        (
            Method::PATCH,
            "/api/v1/tasks/{task}",
            Some(json!({ "title": "Renamed" })),
            Permission(ContactsWrite),
        ),
        (Method::GET, "/api/v1/settings/ip-allowlist", None, Permission(SettingsRead)),
        (
            Method::PUT,
            "/api/v1/settings/ip-allowlist",
            Some(json!({ "enabled": false, "entries": [] })),
            Permission(SettingsWrite),
        ),
        (Method::GET, "/api/v1/jobs", None, Permission(JobsManage)),
        (Method::GET, "/api/v1/jobs/{job}", None, Permission(JobsManage)),
        // Discarded after each retry, so the next role can retry it again.
        (Method::POST, "/api/v1/jobs/{job}/retry", None, Permission(JobsManage)),
        (Method::POST, "/api/v1/jobs/{job}/discard", None, Permission(JobsManage)),
        (
            Method::POST,
            "/api/v1/messages/sms",
            Some(json!({ "contact_id": "CONTACT", "body": "Matrix" })),
            Permission(SmsSend),
        ),
        (
            Method::POST,
            "/api/v1/messages/email",
            Some(json!({ "contact_id": "CONTACT", "subject": "Matrix", "text": "Matrix" })),
            Permission(EmailSend),
        ),
        (Method::GET, "/api/v1/messages", None, Permission(ContactsRead)),
        (Method::GET, "/api/v1/messages/{message}", None, Permission(ContactsRead)),
        (Method::GET, "/api/v1/suppressions", None, Permission(ContactsRead)),
        (
            Method::POST,
            "/api/v1/suppressions",
            Some(json!({ "contact_id": "FRESH", "channel": "sms", "reason": "opted_out" })),
            Permission(ContactsWrite),
        ),
        (Method::DELETE, "/api/v1/suppressions/{suppression}", None, Permission(ContactsWrite)),
        (Method::GET, "/api/v1/settings/providers", None, Permission(SettingsRead)),
    ]
}

/// A server function endpoint, the form fields it is called with, and what it needs.
type ServerFnCall = (&'static str, Vec<(&'static str, &'static str)>, Needs);

fn server_functions() -> Vec<ServerFnCall> {
    use Needs::*;
    use domain::access::Permission::*;
    vec![
        ("dashboard", vec![], Permission(ContactsRead)),
        ("list_users", vec![], Permission(UsersRead)),
        (
            "create_user",
            vec![("email", "EMAIL"), ("display_name", "Matrix"), ("role", "readonly"), ("password", "")],
            Permission(UsersWrite),
        ),
        ("update_user", vec![("id", "{user}"), ("role", "readonly")], Permission(UsersWrite)),
        ("list_audit_events", vec![], Permission(AuditRead)),
        ("get_ip_allowlist", vec![], Permission(SettingsRead)),
        ("save_ip_allowlist", vec![("entries", "")], Permission(SettingsWrite)),
        ("list_api_tokens", vec![], SignedIn),
        ("create_api_token", vec![("name", "matrix")], SignedIn),
        // Anyone may revoke their own tokens; an unknown id is 404, never 403.
        ("revoke_api_token", vec![("id", "01K0N0TAT0KEN0000000000000")], SignedIn),
        ("change_password", vec![("current_password", "x"), ("new_password", "short")], SignedIn),
        ("my_ip_address", vec![], SignedIn),
        ("list_outbox_emails", vec![], Permission(UsersWrite)),
        ("list_jobs", vec![("state", "dead")], Permission(JobsManage)),
        // Unknown jobs: 404 for administrators, 403 for the rest.
        ("retry_job", vec![("id", "01K0N0J0B00000000000000000")], Permission(JobsManage)),
        ("discard_job", vec![("id", "01K0N0J0B00000000000000000")], Permission(JobsManage)),
        ("list_tasks", vec![("view", "open")], Permission(ContactsRead)),
        // An unknown task is 404 for those allowed to change tasks, 403 for the rest.
        (
            "set_task_done",
            vec![("id", "01K0N0TASK0000000000000000"), ("done", "true")],
            Permission(ContactsWrite),
        ),
        ("list_contacts", vec![], Permission(ContactsRead)),
        ("pipeline_stages", vec![], Permission(ContactsRead)),
        ("pipeline_board", vec![], Permission(ContactsRead)),
        ("contact_tag_names", vec![], Permission(ContactsRead)),
        (
            "save_stage",
            vec![("id", "01K0STAGE00000000000000005"), ("position", "5")],
            Permission(SettingsWrite),
        ),
        ("remove_stage", vec![("id", "01K0N0STAGE000000000000000")], Permission(SettingsWrite)),
        ("assignable_staff", vec![], Permission(ContactsRead)),
        ("contact_form_choices", vec![], Permission(ContactsRead)),
        (
            "create_contact",
            vec![("form[first_name]", "Matrix"), ("form[last_name]", "Person"), ("form[email]", "EMAIL")],
            Permission(ContactsWrite),
        ),
        // Unknown ids: 404 for those allowed, 403 for the rest.
        (
            "update_contact",
            vec![("id", "01K0N0C0NTACT0000000000000"), ("form[first_name]", "X")],
            Permission(ContactsWrite),
        ),
        ("contact_duplicates", vec![("id", "01K0N0C0NTACT0000000000000")], Permission(ContactsRead)),
        (
            "merge_contacts",
            vec![("keep_id", "01K0N0C0NTACT0000000000000"), ("duplicate_id", "01K0N0C0NTACT0000000000001")],
            Permission(ContactsWrite),
        ),
        ("preview_contact_import", vec![("csv", "Name,Phone\nA B,0413 555 000")], Permission(ContactsWrite)),
        (
            "import_contacts",
            vec![
                ("csv", "Name,Phone\nA B,0413 555 000"),
                ("mapping", "full_name,phone"),
                ("duplicates", "skip"),
                ("first_row", "2"),
            ],
            Permission(ContactsWrite),
        ),
        ("contact_tasks", vec![("contact_id", "01K0N0C0NTACT0000000000000")], Permission(ContactsRead)),
        ("add_task", vec![("title", "Matrix task"), ("due_date", "2030-01-02")], Permission(ContactsWrite)),
        (
            "reschedule_task",
            vec![("id", "01K0N0TASK0000000000000000"), ("due_date", "2030-01-02")],
            Permission(ContactsWrite),
        ),
        (
            "move_contact_stage",
            vec![("id", "01K0N0C0NTACT0000000000000"), ("stage_id", "01K0STAGE00000000000000002")],
            Permission(ContactsWrite),
        ),
        // An unknown contact: 404 for those allowed to text, 403 for the rest.
        (
            "send_sms",
            vec![("contact_id", "01K0N0C0NTACT0000000000000"), ("body", "Matrix text")],
            Permission(SmsSend),
        ),
        ("list_messages", vec![("channel", "sms")], Permission(ContactsRead)),
        ("message_providers", vec![], Permission(SettingsRead)),
    ]
}

fn unique_email() -> String {
    format!("matrix.{}@clinic.test", ulid::Ulid::new().to_string().to_lowercase())
}

async fn target_user(app: &TestApp) -> String {
    let email = app.create_user("readonly").await;
    domain::services::users::find_id_by_email(&app.db, &email).await.unwrap().unwrap()
}

/// A job that has been given up (no worker runs in the matrix's app, so it stays put).
async fn discarded_job(app: &TestApp) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let job = domain::jobs::NewJob::new(domain::model::JobKind::Noop, "matrix", &json!({}));
    let id = domain::jobs::enqueue(&mut tx, job).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    domain::on_db!(&app.db, pool => {
        sqlx::query("UPDATE jobs SET state = 'discarded' WHERE id = $1").bind(&id).execute(pool).await.unwrap();
    });
    id
}

async fn every_rest_route_for_every_role(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("JOBS_WORKER", "off")]).await;
    let target = target_user(&app).await;
    let job = discarded_job(&app).await;
    let contact = {
        let token = app.api_token("admin").await;
        let body = json!({ "first_name": "Matrix", "last_name": "Target", "email": "target@clinic.test", "phone": "0412 555 700" });
        let created: serde_json::Value = app
            .api()
            .post(app.url("/api/v1/contacts"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        created["id"].as_str().unwrap().to_owned()
    };
    let admin = app.api_token("admin").await;
    let task = {
        let created: serde_json::Value = app
            .api()
            .post(app.url("/api/v1/tasks"))
            .bearer_auth(&admin)
            .json(&json!({ "title": "Matrix target" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        created["id"].as_str().unwrap().to_owned()
    };
    // A contact made for one call (deleting one), optionally deleted already (restoring one).
    let fresh_contact = |deleted: bool| {
        let (app, admin) = (&app, &admin);
        async move {
            let body = json!({ "first_name": "Matrix", "last_name": "Fresh", "email": unique_email() });
            let created: serde_json::Value = app
                .api()
                .post(app.url("/api/v1/contacts"))
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = created["id"].as_str().unwrap().to_owned();
            if deleted {
                let url = app.url(&format!("/api/v1/contacts/{id}"));
                app.api().delete(url).bearer_auth(admin).send().await.unwrap();
            }
            id
        }
    };
    let message = {
        let body = json!({ "contact_id": contact, "body": "Matrix target" });
        let created: serde_json::Value = app
            .api()
            .post(app.url("/api/v1/messages/sms"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        created["id"].as_str().unwrap().to_owned()
    };
    // A suppression made for one call (removing one).
    let fresh_suppression = || {
        let (app, admin) = (&app, &admin);
        let fresh = fresh_contact(false);
        async move {
            let body = json!({ "contact_id": fresh.await, "channel": "email", "reason": "other" });
            let created: serde_json::Value = app
                .api()
                .post(app.url("/api/v1/suppressions"))
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            created["id"].as_str().unwrap().to_owned()
        }
    };
    let api = app.api();
    for role in Role::ALL {
        let token = app.api_token(role.as_str()).await;
        for (method, path, body, needs) in rest_routes() {
            let mut path = path
                .replace("{user}", &target)
                .replace("{contact}", &contact)
                .replace("{task}", &task)
                .replace("{job}", &job)
                .replace("{message}", &message);
            if path.contains("{suppression}") {
                path = path.replace("{suppression}", &fresh_suppression().await);
            }
            if path.contains("{fresh}") {
                path = path.replace("{fresh}", &fresh_contact(false).await);
            }
            if path.contains("{deleted}") {
                path = path.replace("{deleted}", &fresh_contact(true).await);
            }
            let mut request = api.request(method.clone(), app.url(&path)).bearer_auth(&token);
            if let Some(csv) = body.as_ref().and_then(|b| b.as_str()).and_then(|b| b.strip_prefix("CSV:")) {
                request = request.header("content-type", "text/csv").body(csv.to_owned());
            } else if let Some(body) = &body {
                let mut text =
                    body.to_string().replace("EMAIL", &unique_email()).replace("CONTACT", &contact);
                if text.contains("FRESH") {
                    text = text.replace("FRESH", &fresh_contact(false).await);
                }
                request = request.json(&serde_json::from_str::<serde_json::Value>(&text).unwrap());
            }
            let status = request.send().await.unwrap().status();
            if needs.allowed_for(role) {
                assert!(status.is_success(), "{role:?} {method} {path}: expected success, got {status}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {method} {path}");
            }
        }
        // Without a token every route is 401.
        for (method, path, _, _) in rest_routes() {
            let status = api
                .request(method.clone(), app.url(&path.replace("{user}", &target)))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {method} {path}");
        }
    }
}

async fn every_server_function_for_every_role(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let target = target_user(&app).await;
    for role in Role::ALL {
        let client = app.signed_in(role.as_str()).await;
        for (endpoint, fields, needs) in server_functions() {
            let email = unique_email();
            let form: Vec<(&str, String)> = fields
                .iter()
                .map(|(k, v)| (*k, v.replace("EMAIL", &email).replace("{user}", &target)))
                .collect();
            let response =
                client.post(app.url(&format!("/rpc/{endpoint}"))).form(&form).send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            if needs.allowed_for(role) {
                // change_password is refused on its input (422), never on permission.
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{role:?} {endpoint}: {status} {text}"
                );
                assert!(!status.is_server_error(), "{role:?} {endpoint}: {status} {text}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {endpoint}: {text}");
                assert!(text.contains("Your role can"), "{role:?} {endpoint}: {text}");
            }
        }
    }
    let anonymous = crate::common::browser(&app.base_url);
    for (endpoint, fields, _) in server_functions() {
        let response =
            anonymous.post(app.url(&format!("/rpc/{endpoint}"))).form(&fields).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "anonymous {endpoint}");
    }
    // Missing or mistyped arguments are the caller's mistake: 400, never 500.
    let admin = app.signed_in("admin").await;
    let missing =
        admin.post(app.url("/rpc/create_user")).form(&[("email", "a@b.test")]).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let mistyped = admin
        .post(app.url("/rpc/update_user"))
        .form(&[("id", "x"), ("active", "maybe")])
        .send()
        .await
        .unwrap();
    assert_eq!(mistyped.status(), StatusCode::BAD_REQUEST);
    // Out-of-range numbers and dates a form could carry are the caller's mistake too.
    for (endpoint, form) in [
        (
            "import_contacts",
            vec![
                ("csv", "Name,Phone\nA B,0413 555 000"),
                ("mapping", "full_name,phone"),
                ("duplicates", "skip"),
                ("first_row", "18446744073709551615"),
            ],
        ),
        ("add_task", vec![("title", "Far future"), ("due_date", "+99999-01-01")]),
        ("add_task", vec![("title", "Far future"), ("due_date", "9999-01-01")]),
    ] {
        let response = admin.post(app.url(&format!("/rpc/{endpoint}"))).form(&form).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{endpoint} {form:?}");
    }
}

on_both_backends!(every_rest_route_for_every_role, every_server_function_for_every_role);
