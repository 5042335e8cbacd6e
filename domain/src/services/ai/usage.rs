//! The AI layer's usage log and budget: every answered call written to `ai_calls` with its
//! cost from the price table, the month's spend (on the clinic's clock) checked before a model
//! is asked, and the usage by function and day for the AI usage page and `GET /api/v1/ai/usage`.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use super::engine::{AiFunction, Answered, Engine, Question};
use crate::access::Permission;
pub use crate::model::{Usage, UsageDay};
use crate::services::clock;
use crate::time::Timestamp;
use crate::{Actor, Db, DomainError, on_db};

/// What a model costs: millionths of a US dollar per million tokens in and out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Price {
    pub model: String,
    pub input_micros_per_million: i64,
    pub output_micros_per_million: i64,
}

/// The price table (`AI_PRICES`) and the month's cap (`AI_MONTHLY_BUDGET`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub prices: Vec<Price>,
    /// Millionths of a US dollar a calendar month (clinic's clock) may cost; `None`: no cap.
    pub monthly_budget_micros: Option<i64>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy { prices: default_prices(), monthly_budget_micros: None }
    }
}

/// Cloudflare Workers AI's prices for the two models the old system used.
pub fn default_prices() -> Vec<Price> {
    vec![
        Price {
            model: "@cf/meta/llama-3.1-8b-instruct".into(),
            input_micros_per_million: 282_000,
            output_micros_per_million: 827_000,
        },
        Price {
            model: "@cf/meta/llama-3.2-1b-instruct".into(),
            input_micros_per_million: 27_000,
            output_micros_per_million: 201_000,
        },
    ]
}

impl Policy {
    /// What a call cost, rounded to the nearest millionth of a dollar; a model not in the table
    /// (a local Ollama) costs nothing.
    pub fn cost_micros(&self, model: Option<&str>, prompt_tokens: u64, completion_tokens: u64) -> i64 {
        let Some(price) = model.and_then(|m| self.prices.iter().find(|p| p.model == m)) else {
            return 0;
        };
        let tokens = |n: u64| i128::from(n);
        let total = tokens(prompt_tokens) * i128::from(price.input_micros_per_million)
            + tokens(completion_tokens) * i128::from(price.output_micros_per_million);
        i64::try_from((total + 500_000) / 1_000_000).unwrap_or(i64::MAX)
    }
}

/// Writes one call to the log.
pub async fn record<T>(db: &Db, policy: &Policy, call: &Answered<T>) -> Result<(), DomainError> {
    let cost = policy.cost_micros(call.model.as_deref(), call.prompt_tokens, call.completion_tokens);
    let tokens = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let latency = i64::try_from(call.latency.as_millis()).unwrap_or(i64::MAX);
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO ai_calls (id, function, provider, model, prompt_tokens, completion_tokens, cost_micros, latency_ms, outcome, error, occurred_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(ulid::Ulid::new().to_string())
        .bind(call.function.as_str())
        .bind(call.provider)
        .bind(&call.model)
        .bind(tokens(call.prompt_tokens))
        .bind(tokens(call.completion_tokens))
        .bind(cost)
        .bind(latency)
        .bind(call.outcome.as_str())
        .bind(&call.error)
        .bind(Timestamp::now())
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// The first instant of this calendar month on the clinic's clock.
fn month_start(zone: chrono_tz::Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&zone).date_naive();
    let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1).unwrap_or(local);
    zone.from_local_datetime(&first.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(now, |at| at.with_timezone(&Utc))
}

/// What this month's calls have cost so far.
pub async fn spent_this_month(db: &Db) -> Result<i64, DomainError> {
    let zone = clock::for_clinic(db).await?.zone();
    let since = Timestamp(month_start(zone, Utc::now()));
    let spent: Option<i64> = on_db!(db, pool => {
        sqlx::query_scalar("SELECT CAST(SUM(cost_micros) AS BIGINT) FROM ai_calls WHERE occurred_at >= $1")
            .bind(since)
            .fetch_one(pool)
            .await?
    });
    Ok(spent.unwrap_or(0))
}

/// Whether a model may still be asked this month.
pub async fn within_budget(db: &Db, policy: &Policy) -> Result<bool, DomainError> {
    match policy.monthly_budget_micros {
        None => Ok(true),
        Some(budget) => Ok(spent_this_month(db).await? < budget),
    }
}

/// The most days one usage query covers.
pub const MAX_DAYS: i64 = 92;

type CallRow = (String, String, i64, i64, i64, Timestamp);

/// The days asked about.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// First day, `YYYY-MM-DD` on the clinic's clock.
    #[param(pattern = "^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: String,
    /// Last day (inclusive), at most 91 days after `from`.
    #[param(pattern = "^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: String,
}

/// Usage per function per day over `[from, to]` on the clinic's clock.
pub async fn summary(
    db: &Db,
    actor: &Actor,
    policy: &Policy,
    provider: &str,
    query: &UsageQuery,
) -> Result<Usage, DomainError> {
    actor.require(Permission::SettingsRead)?;
    let day = |field: &'static str, raw: &str| {
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_err(|_| DomainError::field(field, "must be a real day, YYYY-MM-DD"))
    };
    let (from, to) = (day("from", &query.from)?, day("to", &query.to)?);
    if to < from {
        return Err(DomainError::field("to", "must not be before from"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(DomainError::field("to", format!("must be within {MAX_DAYS} days of from")));
    }
    let zone = clock::for_clinic(db).await?.zone();
    let start = |day: NaiveDate| {
        zone.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc(), |at| at.with_timezone(&Utc))
    };
    let (after, before) = (start(from), start(to.succ_opt().unwrap_or(to)));
    let rows: Vec<CallRow> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT function, outcome, prompt_tokens, completion_tokens, cost_micros, occurred_at FROM ai_calls \
             WHERE occurred_at >= $1 AND occurred_at < $2",
        )
        .bind(Timestamp(after))
        .bind(Timestamp(before))
        .fetch_all(pool)
        .await?
    });
    let mut days: std::collections::BTreeMap<(NaiveDate, String), UsageDay> = Default::default();
    for (function, outcome, prompt, completion, cost, at) in rows {
        // Only this server writes the column, with one of the five names.
        let Some(function_kind) = AiFunction::parse(&function) else { continue };
        let day = at.0.with_timezone(&zone).date_naive();
        let entry = days.entry((day, function)).or_insert_with(|| UsageDay {
            day,
            function: function_kind,
            calls: 0,
            fallbacks: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            cost_micros: 0,
        });
        entry.calls += 1;
        entry.fallbacks += i64::from(outcome != "ok");
        entry.prompt_tokens += prompt;
        entry.completion_tokens += completion;
        entry.cost_micros += cost;
    }
    let days: Vec<UsageDay> = days.into_values().collect();
    Ok(Usage {
        from,
        to,
        total_cost_micros: days.iter().map(|d| d.cost_micros).sum(),
        days,
        spent_this_month_micros: spent_this_month(db).await?,
        monthly_budget_micros: policy.monthly_budget_micros,
        provider: provider.to_owned(),
    })
}

/// Asks `engine` (the model only while the month's budget lasts) and logs the call: what every
/// AI function's service does.
pub async fn ask_logged<T>(db: &Db, engine: &Engine, question: Question<'_, T>) -> Result<T, DomainError> {
    let allowed = !engine.is_remote() || within_budget(db, engine.policy()).await?;
    let answered = engine.ask(question, allowed).await;
    record(db, engine.policy(), &answered).await?;
    Ok(answered.answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_costs_its_tokens_at_the_models_price() {
        let policy = Policy::default();
        // 1,000 in and 200 out on llama-3.1-8b: 282 + 165.4 = 447.4 millionths of a dollar.
        assert_eq!(policy.cost_micros(Some("@cf/meta/llama-3.1-8b-instruct"), 1_000, 200), 447);
        assert_eq!(policy.cost_micros(Some("@cf/meta/llama-3.2-1b-instruct"), 1_000_000, 1_000_000), 228_000);
        assert_eq!(
            policy.cost_micros(Some("llama3.2:1b"), 1_000, 200),
            0,
            "a model not priced costs nothing"
        );
        assert_eq!(policy.cost_micros(None, 1_000, 200), 0);
    }

    #[test]
    fn the_month_starts_on_the_clinics_clock() {
        let zone: chrono_tz::Tz = "Australia/Sydney".parse().expect("a zone");
        // 1 Dec 00:00 in Sydney (AEDT, +11) is 30 Nov 13:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).single().expect("an instant");
        assert_eq!(
            month_start(zone, now),
            Utc.with_ymd_and_hms(2026, 11, 30, 13, 0, 0).single().expect("an instant")
        );
    }
}
