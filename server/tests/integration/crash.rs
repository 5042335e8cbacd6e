//! The server binary killed with SIGKILL while it sends 1,000 texts, three times, and started
//! again each time, on both databases: every message reaches the local ClickSend, none is
//! lost, a message goes twice only if its send was in flight at a kill, and the job records
//! mark every message that may have gone twice (`interrupted`). The last run also takes a
//! delivery receipt and its log is read: the webhook secret is never written down.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::Db;
use domain::model::Channel;
use domain::services::messages::send::{Draft, queue_in};

use crate::common::{Backend, TestDatabase};
use crate::fake_clicksend::FakeClickSend;

const MESSAGES: usize = 1_000;
const SECRET: &str = "crash-receipts-0123456789";
/// One send at a time, so "in flight at a kill" is at most one message.
const CONCURRENCY: &str = "1";

/// A running `avatar-crm serve` and what it has logged so far.
struct Server {
    child: Child,
    addr: String,
    log: Arc<Mutex<Vec<String>>>,
}

fn serve(database_url: &str, clicksend: &FakeClickSend) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_avatar-crm"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir())
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LOG_FORMAT", "pretty")
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .env("JOB_CONCURRENCY", CONCURRENCY)
        // The shortest lease, so a killed instance's claim is taken over within seconds.
        .env("JOB_LEASE_SECS", "3")
        .env("JOB_POLL_SECS", "1")
        .env("SMS_WEBHOOK_SECRET", SECRET)
        .envs(clicksend.settings())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start the server");
    let stderr = child.stderr.take().expect("stderr");
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let lines = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let addr = line[at + "listening on http://".len()..].split_whitespace().next().unwrap_or("");
                let _ = tx.send(addr.to_owned());
            }
            lines.lock().unwrap().push(line);
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("the server never said where it listens");
    Server { child, addr, log }
}

impl Server {
    fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

/// Waits until ClickSend has been handed at least `count` texts.
async fn until_received(clicksend: &FakeClickSend, count: usize) {
    let started = Instant::now();
    while clicksend.received().len() < count {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "only {} of {count} texts reached ClickSend",
            clicksend.received().len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn queue_texts(db: &Db) -> Vec<String> {
    let admin = crate::common::create_user_in(db, "admin").await;
    let via = domain::actor::AuthMethod::ApiToken { token_id: "crash-test".into() };
    let actor = domain::services::users::actor_for_user(db, &admin, via).await.unwrap().unwrap();
    let fields = domain::services::contacts::ContactFields {
        first_name: Some("Crash".into()),
        last_name: Some("Test".into()),
        phone: Some("0412 555 900".into()),
        ..Default::default()
    };
    let contact =
        domain::services::contacts::create(db, &actor, fields, true, &Default::default()).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let mut ids = Vec::with_capacity(MESSAGES);
    for n in 0..MESSAGES {
        let draft = Draft {
            contact_id: contact.id.clone(),
            channel: Channel::Sms,
            to: "+61412555900".into(),
            subject: None,
            body: format!("Crash test text {n}"),
            html: None,
            template: None,
            created_by: None,
        };
        ids.push(queue_in(&mut tx, &draft).await.unwrap());
    }
    tx.commit().await.unwrap();
    ids
}

/// `(message id, job state, interrupted)` for every send job.
async fn send_jobs(db: &Db) -> Vec<(String, String, i64)> {
    let rows: Vec<(String, String, i64)> = domain::on_db!(db, pool => {
        sqlx::query_as("SELECT payload, state, interrupted FROM jobs WHERE kind = 'send_sms'").fetch_all(pool).await.unwrap()
    });
    rows.into_iter()
        .map(|(payload, state, interrupted)| {
            let payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
            (payload["message_id"].as_str().unwrap().to_owned(), state, interrupted)
        })
        .collect()
}

async fn killed_three_times_while_sending(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let db = Db::connect(&crate::common::database_url(&database.url)).await.unwrap();
    db.migrate().await.unwrap();
    let ids = queue_texts(&db).await;
    let clicksend = FakeClickSend::spawn().await;

    // Kill while sending, at about a fifth, two fifths and three fifths of the way.
    for kill in 1..=3 {
        let server = serve(&database.url, &clicksend);
        until_received(&clicksend, kill * MESSAGES / 5).await;
        server.kill_9();
    }
    let server = serve(&database.url, &clicksend);
    until_received(&clicksend, MESSAGES).await;

    // A receipt for one of them, through the webhook, before the last run's log is read.
    let clicksend_id = format!("CS-{}", ids[0]);
    let receipt = [
        ("message_id", clicksend_id.as_str()),
        ("custom_string", ids[0].as_str()),
        ("status_code", "201"),
        ("timestamp", "1796000000"),
    ];
    let url = format!("http://{}/webhooks/clicksend/receipts/{SECRET}", server.addr);
    let response = reqwest::Client::new().post(url).form(&receipt).send().await.unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());

    // Every job finishes (the last completions are written in a batch: wait for them).
    let started = Instant::now();
    let jobs = loop {
        let jobs = send_jobs(&db).await;
        if jobs.iter().all(|(_, state, _)| state == "succeeded") {
            break jobs;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "send jobs left unfinished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let log = server.log_text();
    server.kill_9();

    let mut times_sent: HashMap<String, usize> = HashMap::new();
    for text in clicksend.received() {
        *times_sent.entry(text.custom_string).or_default() += 1;
    }
    for id in &ids {
        assert!(times_sent.contains_key(id), "{backend:?}: message {id} never reached ClickSend");
    }
    assert_eq!(times_sent.len(), MESSAGES, "{backend:?}: ClickSend got texts we never queued");
    let twice: Vec<&String> = times_sent.iter().filter(|(_, n)| **n > 1).map(|(id, _)| id).collect();
    assert!(
        twice.len() <= 3 && times_sent.values().all(|n| *n <= 2),
        "{backend:?}: sent twice {twice:?}: more than the one in flight at each of 3 kills"
    );
    let interrupted: HashMap<&str, i64> = jobs.iter().map(|(id, _, n)| (id.as_str(), *n)).collect();
    eprintln!(
        "{backend:?}: {} sent twice, {} jobs marked interrupted",
        twice.len(),
        interrupted.values().filter(|n| **n > 0).count()
    );
    for id in &twice {
        assert!(interrupted[id.as_str()] >= 1, "{backend:?}: {id} went twice but its job does not say so");
    }
    assert!(
        interrupted.values().any(|n| *n >= 1),
        "{backend:?}: three kills mid-run and no job was marked interrupted"
    );
    let statuses: Vec<String> = domain::on_db!(&db, pool => {
        sqlx::query_scalar("SELECT status FROM messages").fetch_all(pool).await.unwrap()
    });
    assert_eq!(statuses.len(), MESSAGES);
    assert_eq!(statuses.iter().filter(|s| s.as_str() == "sent").count(), MESSAGES - 1, "{backend:?}");
    assert_eq!(statuses.iter().filter(|s| s.as_str() == "delivered").count(), 1, "{backend:?}");

    assert!(log.contains("/webhooks/clicksend/receipts/{secret}"), "the request line names the route");
    assert!(!log.contains(SECRET), "{backend:?}: the webhook secret reached the log");
    assert!(!log.contains("Crash test text"), "{backend:?}: a text's body reached the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_server_killed_three_times_while_sending_loses_nothing() {
    killed_three_times_while_sending(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_server_killed_three_times_while_sending_loses_nothing() {
    killed_three_times_while_sending(Backend::Postgres).await;
}
