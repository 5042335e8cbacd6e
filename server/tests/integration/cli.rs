//! The binary as an operator runs it: subcommands, exit codes, signals.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Backend, TestDatabase};

fn avatar_crm() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_avatar-crm"));
    // Only what each test sets: nothing from the developer's shell or .env leaks in.
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir());
    command
}

#[test]
fn help_lists_the_subcommands() {
    let output = avatar_crm().arg("--help").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for subcommand in ["serve", "migrate", "seed-demo", "DATABASE_URL", "LEPTOS_SITE_ADDR"] {
        assert!(text.contains(subcommand), "--help does not mention {subcommand}");
    }
}

fn assert_config_error(var: &str, value: &str) {
    let output = avatar_crm().arg("migrate").env(var, value).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{var}={value} should exit 2");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one line, got: {stderr}");
    assert!(stderr.contains(var), "the message names {var}: {stderr}");
}

#[test]
fn bad_settings_exit_2_naming_the_variable() {
    assert_config_error("DATABASE_URL", "mysql://root@localhost/crm");
    assert_config_error("LEPTOS_SITE_ADDR", "not-an-address");
    assert_config_error("LOG_FORMAT", "xml");
}

#[tokio::test]
async fn migrate_and_seed_demo_work_and_seeding_twice_adds_nothing() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let database = TestDatabase::create(backend).await;
        let run = |sub: &str| avatar_crm().arg(sub).env("DATABASE_URL", &database.url).output().unwrap();

        let migrate = run("migrate");
        assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
        let first = run("seed-demo");
        assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
        assert!(String::from_utf8_lossy(&first.stdout).contains("200 contacts"));
        let second = run("seed-demo");
        assert!(second.status.success());
        assert!(String::from_utf8_lossy(&second.stdout).contains("already present"));
    }
}

#[tokio::test]
async fn sqlite_database_and_its_folder_are_created_on_first_start() {
    let dir = std::env::temp_dir().join(format!("avatar-fresh-{}", ulid::Ulid::new()));
    let file = dir.join("nested").join("avatar.db");
    let output = avatar_crm()
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", file.display()))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(file.exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn serve_stops_cleanly_on_sigterm() {
    let database = TestDatabase::create(Backend::Sqlite).await;
    let mut child = avatar_crm()
        .arg("serve")
        .env("DATABASE_URL", &database.url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LOG_FORMAT", "pretty")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // The log line "listening on http://127.0.0.1:PORT" tells us where it is.
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let addr = line[at + "listening on http://".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).expect("server never said where it listens");
    let health = reqwest::get(format!("http://{addr}/health")).await.unwrap();
    assert_eq!(health.status(), 200);

    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "still running 5 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn accounts_and_api_tokens_from_the_command_line() {
    let database = TestDatabase::create(Backend::Sqlite).await;
    let run = |args: &[&str]| avatar_crm().args(args).env("DATABASE_URL", &database.url).output().unwrap();

    let admin = run(&["create-admin", "--email", "Boss@Clinic.test", "--password", "a-long-password"]);
    assert!(admin.status.success(), "{}", String::from_utf8_lossy(&admin.stderr));
    assert!(String::from_utf8_lossy(&admin.stdout).contains("boss@clinic.test (admin)"));

    let user = run(&[
        "create-user",
        "--email",
        "desk@clinic.test",
        "--role",
        "reception",
        "--password",
        "another-long-one",
    ]);
    assert!(user.status.success(), "{}", String::from_utf8_lossy(&user.stderr));

    let bad_role = run(&[
        "create-user",
        "--email",
        "x@clinic.test",
        "--role",
        "owner",
        "--password",
        "another-long-one",
    ]);
    assert_eq!(bad_role.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("role"));
    let duplicate = run(&["create-admin", "--email", "boss@clinic.test", "--password", "a-long-password"]);
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));

    let token = run(&["create-api-token", "--email", "boss@clinic.test", "--name", "Website sync"]);
    assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));
    let stdout = String::from_utf8(token.stdout).unwrap();
    let secret = stdout.lines().last().unwrap().trim().to_owned();
    assert!(secret.starts_with("avt_"), "the token is the last line: {stdout}");

    // The printed token opens the API as that admin.
    let db = domain::Db::connect(&crate::common::database_url(&database.url)).await.unwrap();
    let actor = domain::services::api_tokens::authenticate(&db, &secret).await.unwrap().expect("token works");
    assert_eq!(actor.email, "boss@clinic.test");
    assert_eq!(actor.role, domain::access::Role::Admin);
    db.close().await;

    let unknown = run(&["create-api-token", "--email", "ghost@clinic.test", "--name", "x"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user with the email ghost@clinic.test"));
}
