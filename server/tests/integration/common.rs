//! Test harness: each test gets the real app on a random port and a database of its own,
//! on SQLite or PostgreSQL. PostgreSQL is expected at 127.0.0.1:5432 (user postgres, trust),
//! or wherever `TEST_POSTGRES_URL` points; each test creates and drops its own database.

use std::net::SocketAddr;
use std::path::PathBuf;

use domain::{DatabaseUrl, Db};
use server::config::Config;
use server::startup::Application;
use sqlx::Connection;
use tokio::sync::oneshot;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$name(Backend)` as two tests, `$name::sqlite` and `$name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )*};
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for one test and is removed when the test ends (even on panic).
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(PathBuf),
    PostgresDatabase(String),
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> TestDatabase {
        let name = format!("avatar_test_{}", ulid::Ulid::new().to_string().to_lowercase());
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                TestDatabase {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    cleanup: Cleanup::SqliteFile(path),
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("PostgreSQL must answer at TEST_POSTGRES_URL or 127.0.0.1:5432");
                sqlx::query(sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin);
                TestDatabase { url: format!("{base}/{name}"), cleanup: Cleanup::PostgresDatabase(name) }
            }
        }
    }

    /// Drops a PostgreSQL test database now, cutting off anyone still connected.
    pub async fn drop_now(&self) {
        if let Cleanup::PostgresDatabase(name) = &self.cleanup {
            drop_postgres_database(name).await;
        }
    }
}

async fn drop_postgres_database(name: &str) {
    if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#)))
            .execute(&mut conn)
            .await;
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::PostgresDatabase(name) => {
                // Drop runs outside async context: use a short-lived runtime on its own thread.
                let name = name.clone();
                let _ = std::thread::spawn(move || {
                    if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                        rt.block_on(drop_postgres_database(&name));
                    }
                })
                .join();
            }
        }
    }
}

/// The app under test, served on 127.0.0.1 at a random port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base_url: String,
    pub db: Db,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    // Declared last so the server stops before its database is removed.
    pub database: TestDatabase,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, &[]).await
    }

    /// Like `spawn`, with extra settings (as environment variables would give them).
    pub async fn spawn_with(backend: Backend, settings: &[(&str, &str)]) -> TestApp {
        let database = TestDatabase::create(backend).await;
        let url = database.url.clone();
        let settings: Vec<(String, String)> =
            settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let config = Config::from_lookup(|name| match name {
            "DATABASE_URL" => Some(url.clone()),
            "LEPTOS_SITE_ADDR" => Some("127.0.0.1:0".to_owned()),
            other => settings.iter().find(|(k, _)| k == other).map(|(_, v)| v.clone()),
        })
        .expect("test config");
        // `TEST_LOG=1` prints the server's log (errors' causes) to the test output.
        if std::env::var_os("TEST_LOG").is_some() {
            server::telemetry::init(&config);
        }
        let db = Db::connect(&config.database_url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let app = Application::bind(&config, db.clone()).await.expect("bind");
        let addr = app.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        let base_url = format!("http://{addr}");
        let client = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().unwrap();
        TestApp { addr, client, base_url, db, stop: Some(stop), database }
    }

    /// A new browser-like client (its own cookies) signed in as a new user with `role`.
    pub async fn signed_in(&self, role: &str) -> reqwest::Client {
        let email = self.create_user(role).await;
        self.sign_in(&email, TEST_PASSWORD).await
    }

    /// A new browser-like client signed in with these credentials.
    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Client {
        let client = browser(&self.base_url);
        let response = client
            .post(self.url("/auth/login"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("sign in");
        assert_eq!(
            response.status(),
            200,
            "sign-in as {email} failed: {}",
            response.text().await.unwrap_or_default()
        );
        client
    }

    /// Creates a user with `role` and the test password; returns their email.
    pub async fn create_user(&self, role: &str) -> String {
        let email = new_user_email(role);
        create_user_with_email(&self.db, role, &email).await;
        email
    }

    /// An API token for a new user with `role`.
    pub async fn api_token(&self, role: &str) -> String {
        let email = self.create_user(role).await;
        let id = domain::services::users::find_id_by_email(&self.db, &email).await.unwrap().unwrap();
        domain::services::api_tokens::create_for_user(&self.db, &id, "tests", &Default::default())
            .await
            .unwrap()
            .token
    }

    /// Waits (up to 10 s) until no job of `kind` is waiting or running.
    pub async fn jobs_settled(&self, kind: &str) {
        for _ in 0..400 {
            let pending: i64 = domain::on_db!(&self.db, pool => {
                sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state IN ('queued', 'running', 'failed')")
                    .bind(kind)
                    .fetch_one(pool)
                    .await
                    .expect("count jobs")
            });
            if pending == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("{kind} jobs still waiting after 10 s");
    }

    /// The id of the location with this name (the demo clinic has Sydney CBD and Brisbane North).
    pub async fn location_id(&self, name: &str) -> String {
        domain::on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT id FROM locations WHERE name = $1").bind(name).fetch_one(pool).await.expect("location")
        })
    }

    /// An API token for a new reception user limited to one location.
    pub async fn token_limited_to(&self, location_id: &str) -> String {
        let email = format!("limited.{}@clinic.test", ulid::Ulid::new().to_string().to_lowercase());
        let input = domain::services::users::NewUser {
            email: email.clone(),
            display_name: "Limited desk".into(),
            role: "reception".into(),
            location_ids: Some(vec![location_id.to_owned()]),
            ..Default::default()
        };
        let user = domain::services::users::create(&self.db, None, input, &Default::default())
            .await
            .expect("create user");
        domain::services::api_tokens::create_for_user(&self.db, &user.id, "tests", &Default::default())
            .await
            .expect("token")
            .token
    }

    /// A client that cannot keep cookies, for API calls.
    pub fn api(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Sends only the head of a POST announcing `content_length` body bytes and returns the
    /// status and body of the answer. A server that refuses by length answers before reading
    /// the body and then closes; writing the body first would race that close (broken pipe).
    pub async fn post_head_only(
        &self,
        path: &str,
        content_length: usize,
        headers: &[(&str, &str)],
    ) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(self.addr).await.expect("connect");
        let mut head =
            format!("POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {content_length}\r\n", self.addr);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write head");
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, async {
            loop {
                let read = stream.read(&mut buffer).await.unwrap_or(0);
                if read == 0 {
                    break;
                }
                received.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&received);
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head.lines().find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    });
                    if length.is_some_and(|length| body.len() >= length) {
                        break;
                    }
                }
            }
        });
        answer.await.expect("the server answers without reading the body");
        let text = String::from_utf8_lossy(&received).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
        let status =
            head.split_whitespace().nth(1).and_then(|code| code.parse().ok()).expect("a status line");
        (status, body.to_owned())
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn seed_demo(&self) -> domain::services::demo_seed::SeedReport {
        domain::services::demo_seed::seed(&self.db).await.expect("seed demo")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// No test request may wait longer than this: a hang becomes a failure that names the test.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The password every test user gets.
pub const TEST_PASSWORD: &str = "correct-horse-battery";

/// Like a browser on our own page: keeps cookies, does not follow redirects (tests look at
/// them), and says where its requests come from.
pub fn browser(base_url: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, reqwest::header::HeaderValue::from_str(base_url).unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap()
}

fn new_user_email(role: &str) -> String {
    format!("{role}.{}@clinic.test", ulid::Ulid::new().to_string().to_lowercase())
}

async fn create_user_with_email(db: &Db, role: &str, email: &str) -> String {
    let input = domain::services::users::NewUser {
        email: email.to_owned(),
        display_name: format!("Test {role}"),
        role: role.to_owned(),
        password: Some(TEST_PASSWORD.to_owned()),
        ..Default::default()
    };
    domain::services::users::create(db, None, input, &Default::default()).await.expect("create user").id
}

/// A new user with `role` straight in `db` (for tests that start the binary); its id.
pub async fn create_user_in(db: &Db, role: &str) -> String {
    create_user_with_email(db, role, &new_user_email(role)).await
}

/// Parses a URL the way the server does (used by tests that start the binary).
pub fn database_url(url: &str) -> DatabaseUrl {
    DatabaseUrl::parse(url).expect("valid database url")
}
