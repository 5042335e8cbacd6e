//! The command line: `serve` (default), `migrate`, `seed-demo`.

use clap::{Parser, Subcommand};
use domain::{Db, RequestMeta};

use crate::config::Config;
use crate::startup::{Application, shutdown_signal};

#[derive(Debug, Parser)]
#[command(
    name = "avatar-crm",
    version,
    about = "Avatar CRM: the CRM for medical imaging clinics",
    long_about = "Avatar CRM: the CRM for medical imaging clinics.\n\n\
        Settings come from the environment or a .env file (see .env.example):\n  \
        DATABASE_URL      sqlite://data/avatar.db?mode=rwc (default) or postgres://user@host:5432/db\n  \
        LEPTOS_SITE_ADDR  listen address, default 127.0.0.1:3000\n  \
        LOG_FORMAT        pretty (default) or json\n  \
        RUST_LOG          log filter, default info"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand, Clone, PartialEq, Eq)]
pub enum Command {
    /// Apply migrations, then serve the web app, API and webhooks (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Apply migrations and add the demo clinic (idempotent: a second run adds nothing).
    SeedDemo,
    /// Create an administrator account.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// The name shown in the app (defaults to the email address).
        #[arg(long)]
        name: Option<String>,
    },
    /// Create a staff account with a role: admin, manager, reception, marketing or readonly.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Create an API token for a user; prints the token (shown only this once) as the last line.
    CreateApiToken {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

/// Why a command failed after its configuration was accepted.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("could not open the database: {0}")]
    Connect(#[source] domain::DomainError),
    #[error("could not apply migrations: {0}")]
    Migrate(#[source] domain::DomainError),
    #[error("could not seed demo data: {0}")]
    Seed(#[source] domain::DomainError),
    #[error("{0}")]
    Refused(#[source] domain::DomainError),
    #[error("no user with the email {0}")]
    UnknownUser(String),
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("server error: {0}")]
    Serve(#[source] std::io::Error),
}

/// Opens the database and brings its schema up to date: every subcommand starts here.
async fn open_database(config: &Config) -> Result<Db, RunError> {
    let db = Db::connect(&config.database_url).await.map_err(RunError::Connect)?;
    db.migrate().await.map_err(RunError::Migrate)?;
    Ok(db)
}

async fn create_user(
    db: &Db,
    email: String,
    role: String,
    password: String,
    name: Option<String>,
) -> Result<(), RunError> {
    let input = domain::services::users::NewUser {
        display_name: name.unwrap_or_else(|| email.clone()),
        email,
        role,
        password: Some(password),
        ..Default::default()
    };
    let user = domain::services::users::create(db, None, input, &RequestMeta::default())
        .await
        .map_err(RunError::Refused)?;
    println!("created {} ({})", user.email, user.role.as_str());
    Ok(())
}

pub async fn run(command: Command, config: Config) -> Result<(), RunError> {
    let db = open_database(&config).await?;
    match command {
        Command::Migrate => {
            println!("migrations applied");
            db.close().await;
        }
        Command::SeedDemo => {
            let report = domain::services::demo_seed::seed(&db).await.map_err(RunError::Seed)?;
            if report.already_seeded {
                println!("demo data already present; nothing added");
            } else {
                println!(
                    "demo clinic added: {} contacts, {} touchpoints, {} tasks",
                    report.contacts, report.touchpoints, report.tasks
                );
            }
            db.close().await;
        }
        Command::CreateAdmin { email, password, name } => {
            create_user(&db, email, "admin".into(), password, name).await?;
            db.close().await;
        }
        Command::CreateUser { email, role, password, name } => {
            create_user(&db, email, role, password, name).await?;
            db.close().await;
        }
        Command::CreateApiToken { email, name } => {
            let user = domain::services::users::find_id_by_email(&db, &email)
                .await
                .map_err(RunError::Refused)?
                .ok_or_else(|| RunError::UnknownUser(email.clone()))?;
            let created =
                domain::services::api_tokens::create_for_user(&db, &user, &name, &RequestMeta::default())
                    .await
                    .map_err(RunError::Refused)?;
            println!(
                "API token \"{}\" created for {email}. It is shown only now; store it safely:",
                created.summary.name
            );
            println!("{}", created.token);
            db.close().await;
        }
        Command::Serve => {
            // Expired sessions are deleted hourly (a single statement; harmless on several instances).
            let sweeper_db = db.clone();
            tokio::spawn(async move {
                let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    every_hour.tick().await;
                    if let Err(err) = domain::sessions::delete_expired(&sweeper_db).await {
                        tracing::warn!(error = %err, "could not delete expired sessions");
                    }
                }
            });
            let app = Application::bind(&config, db)
                .await
                .map_err(|source| RunError::Bind { addr: config.listen_addr, source })?;
            let addr = app.local_addr().map_err(RunError::Serve)?;
            tracing::info!(backend = ?config.database_url.backend(), "listening on http://{addr}");
            if !config.booking_link_key_set {
                tracing::warn!(
                    "BOOKING_LINK_KEY is not set: patients' manage and waitlist links are signed with a key for \
                     this run only and stop working when the server restarts"
                );
            }
            app.run_until_stopped(shutdown_signal()).await.map_err(RunError::Serve)?;
        }
    }
    Ok(())
}
