//! The AI layer's budget: each built-in function's time per call (p50 and p99 over many calls
//! with realistic inputs: the labelled SMS replies, notes as staff write them, a contact with a
//! busy timeline, campaign goals, a month of report figures), and the nightly warmness
//! recalculation of 100,000 contacts with their timelines on SQLite (`warmness::sweep`, as
//! the `warmness_sweep` job runs it).

use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use domain::Db;
use domain::model::{
    BookingFact, BookingStatus, CampaignDraftInput, CampaignTone, ContactSource, MetricInput, MetricUnit,
    Modality, ReplyContext, SegmentFacts, SeriesPoint, TouchFact, TouchpointKind, WarmnessFacts,
};
use domain::services::ai::builtin;
use domain::time::Timestamp;

/// Calls timed per function.
const CALLS: usize = 20_000;
/// Contacts the nightly recalculation scores.
pub const SWEEP_CONTACTS: usize = 100_000;
/// Touchpoints generated per contact, on average.
const TOUCHES_PER_CONTACT: usize = 3;

const REPLIES: &str = include_str!("../../domain/src/services/ai/builtin/sms_replies.tsv");

/// p50 and p99 in microseconds of `CALLS` calls of `f` (its input chosen by the call's number).
fn time_calls(mut f: impl FnMut(usize)) -> (f64, f64) {
    for n in 0..1_000 {
        f(n);
    }
    let mut samples: Vec<f64> = (0..CALLS)
        .map(|n| {
            let started = Instant::now();
            f(n);
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

/// Each built-in function's (name, p50 µs, p99 µs).
pub fn builtin_functions() -> Vec<(&'static str, f64, f64)> {
    let replies: Vec<&str> =
        REPLIES.lines().filter(|l| !l.starts_with('#')).filter_map(|line| line.split('\t').nth(2)).collect();
    let replies = if replies.is_empty() { vec!["Yes see you then"] } else { replies };
    let notes = [
        "Mum needs an MRI of her left knee asap, GP referral attached",
        "Called about the price of a CT of the chest, no referral yet",
        "Wants results from last week's ultrasound, not urgent",
        "Referred by Dr Raman for a mammogram, can only do mornings, would like to book next week",
        "Asked to move her X-ray of the lower back to Thursday afternoon",
    ];
    let now = Utc::now();
    let facts = WarmnessFacts {
        requested_modality: Some(Modality::Mri),
        referral_on_file: true,
        source: ContactSource::Referral,
        has_phone: true,
        has_email: true,
        has_date_of_birth: false,
        touchpoints: (0..40)
            .map(|i| TouchFact {
                kind: TouchpointKind::ALL[i % TouchpointKind::ALL.len()],
                inbound: i % 3 == 0,
                at: now - Duration::days(i as i64 * 4),
            })
            .collect(),
        bookings: vec![
            BookingFact { status: BookingStatus::Completed, starts_at: now - Duration::days(90) },
            BookingFact { status: BookingStatus::NoShow, starts_at: now - Duration::days(30) },
            BookingFact { status: BookingStatus::Booked, starts_at: now + Duration::days(6) },
        ],
        now,
    };
    let goals = [
        "Remind women due for their yearly mammogram",
        "Win back enquiries that never booked",
        "Rebook last month's no-shows",
        "Announce our new 3T MRI at Brisbane North",
        "Monthly newsletter",
    ];
    let drafts: Vec<CampaignDraftInput> = goals
        .iter()
        .enumerate()
        .map(|(i, goal)| CampaignDraftInput {
            goal: (*goal).to_owned(),
            segment: SegmentFacts {
                size: Some(400),
                modality: Some(Modality::ALL[i % Modality::ALL.len()]),
                location: Some("Sydney CBD".into()),
                inactive_days: Some(90),
            },
            tone: CampaignTone::Friendly,
        })
        .collect();
    let start = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    let metrics: Vec<MetricInput> = (0..10)
        .map(|m| MetricInput {
            key: format!("metric_{m}"),
            label: format!("Metric {m}"),
            unit: if m % 3 == 0 { MetricUnit::Percent } else { MetricUnit::Count },
            current: 100.0 + m as f64 * 7.0,
            previous: Some(90.0 + m as f64 * 3.0),
            higher_is_better: m % 2 == 0,
            series: (0..30)
                .map(|d| SeriesPoint {
                    date: start + chrono::Days::new(d),
                    value: 10.0 + (d as f64) * 0.3 * m as f64 + if d == 17 { 40.0 } else { (d % 4) as f64 },
                })
                .collect(),
        })
        .collect();

    vec![
        (
            "SMS reply intent",
            time_calls(|n| {
                std::hint::black_box(builtin::sms_intent::classify(
                    replies[n % replies.len()],
                    ReplyContext::Reminder,
                ));
            }),
        ),
        (
            "Warmness (40 touchpoints, 3 bookings)",
            time_calls(|_| {
                std::hint::black_box(builtin::warmness::score(&facts));
            }),
        ),
        (
            "Notes enrichment",
            time_calls(|n| {
                std::hint::black_box(builtin::enrichment::enrich(notes[n % notes.len()]));
            }),
        ),
        (
            "Campaign draft",
            time_calls(|n| {
                std::hint::black_box(builtin::campaign_draft::draft(&drafts[n % drafts.len()]));
            }),
        ),
        (
            "Report insights (10 metrics × 30 days)",
            time_calls(|_| {
                std::hint::black_box(builtin::report_insights::insights(&metrics));
            }),
        ),
    ]
    .into_iter()
    .map(|(name, (p50, p99))| (name, p50, p99))
    .collect()
}

/// Adds about `TOUCHES_PER_CONTACT` touchpoints to every contact over the last half-year.
pub async fn touchpoints(db: &Db) -> anyhow::Result<usize> {
    let ids: Vec<String> = domain::on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM contacts").fetch_all(pool).await?
    });
    let kinds = ["call", "sms", "email", "note"];
    let now = Utc::now();
    let mut made = 0;
    let rows: Vec<(String, &str, Timestamp)> = ids
        .iter()
        .enumerate()
        .flat_map(|(i, id)| {
            (0..(i % (2 * TOUCHES_PER_CONTACT + 1))).map(move |t| {
                (
                    id.clone(),
                    kinds[(i + t) % kinds.len()],
                    Timestamp(now - Duration::hours(((i * 7 + t * 131) % 4_000) as i64)),
                )
            })
        })
        .collect();
    for chunk in rows.chunks(400) {
        let placeholders: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, 'Called about the booking', ${})",
                    i * 4 + 1,
                    i * 4 + 2,
                    i * 4 + 3,
                    i * 4 + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO touchpoints (id, contact_id, kind, summary, occurred_at) VALUES {}",
            placeholders.join(", ")
        );
        domain::on_db!(db, pool => {
            // Only placeholders are formatted in; every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (contact, kind, at) in chunk {
                query = query.bind(ulid::Ulid::new().to_string()).bind(contact).bind(*kind).bind(*at);
            }
            query.execute(pool).await?;
        });
        made += chunk.len();
    }
    Ok(made)
}

/// Seconds the nightly recalculation of every contact takes.
pub async fn sweep(db: &Db) -> anyhow::Result<(u64, f64)> {
    let started = Instant::now();
    let scored = domain::services::ai::warmness::sweep(db).await?;
    Ok((scored, started.elapsed().as_secs_f64()))
}
