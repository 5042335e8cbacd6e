//! The AI layer's settings page: how the engine is set up (from the environment, never the
//! key), the month's spend, and a test of the provider's connection.

use super::engine::Engine;
use super::usage;
use crate::access::Permission;
use crate::model::{AiConnectionTest, AiFunctionModel, AiSettings};
use crate::request::RequestMeta;
use crate::services::audit::{self, Entry};
use crate::{Actor, Db, DomainError};

/// The settings as the server runs with them.
pub async fn view(db: &Db, engine: &Engine, actor: &Actor) -> Result<AiSettings, DomainError> {
    actor.require(Permission::SettingsRead)?;
    let described = engine.describe();
    Ok(AiSettings {
        provider: engine.provider().to_owned(),
        endpoint_host: described.endpoint_host,
        key_set: described.key_set,
        schema_style: described.schema_style.map(str::to_owned),
        timeout_secs: described.timeout_secs,
        retries: described.retries,
        models: described
            .models
            .into_iter()
            .map(|(function, model)| AiFunctionModel { function, model })
            .collect(),
        monthly_budget_micros: engine.policy().monthly_budget_micros,
        spent_this_month_micros: usage::spent_this_month(db).await?,
    })
}

/// Asks the provider a one-line question (it may cost a fraction of a cent, so it takes
/// settings.write, and it is audited).
pub async fn test_connection(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<AiConnectionTest, DomainError> {
    actor.require(Permission::SettingsWrite)?;
    let test = match engine.test_connection().await {
        None => AiConnectionTest {
            ok: true,
            model: None,
            latency_ms: 0,
            message: "The built-in engine answers on this server: there is nothing to connect to.".to_owned(),
        },
        Some((model, latency, result)) => {
            let latency_ms = i64::try_from(latency.as_millis()).unwrap_or(i64::MAX);
            match result {
                Ok(()) => AiConnectionTest {
                    ok: true,
                    model: Some(model),
                    latency_ms,
                    message: format!("The model answered in {latency_ms} ms."),
                },
                Err(error) => {
                    tracing::warn!(%error, "AI connection test failed");
                    AiConnectionTest {
                        ok: false,
                        model: Some(model),
                        latency_ms,
                        message: format!("No usable answer: {error}."),
                    }
                }
            }
        }
    };
    audit::record(db, Entry::new("ai.connection.test").by(actor).from(meta)).await?;
    Ok(test)
}
