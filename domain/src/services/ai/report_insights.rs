//! What stands out in a report's statistics, each sentence citing the figure it rests on.

use serde::Deserialize;
use serde_json::{Value, json};

use super::builtin;
use super::builtin::report_insights::{MAX_INSIGHTS, format_number, format_value};
use super::engine::{AiFunction, Engine, Question, fit};
use super::redact::Redactions;
use super::usage;
use crate::access::Permission;
use crate::error::Validator;
use crate::input::label;
use crate::model::{
    Insight, InsightKind, InsightTone, MetricInput, MetricUnit, ReportInsights, ReportInsightsInput,
};
use crate::{Actor, Db, DomainError};

const MAX_METRICS: usize = 50;
const MAX_SERIES: usize = 400;
/// Figures beyond this are not a clinic's (and keep the sums finite).
const MAX_ABS_VALUE: f64 = 1e13;

/// Reads the statistics with the configured engine and logs the call.
pub async fn insights(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    input: &ReportInsightsInput,
) -> Result<ReportInsights, DomainError> {
    actor.require(Permission::ReportsRead)?;
    let metrics = checked(input)?;
    // Statistics and their labels only: nothing about a patient is in them.
    let prompt = |_: &mut Redactions| {
        let lines: Vec<String> = metrics.iter().map(describe).collect();
        format!("The report's figures, one metric a line:\n{}", lines.join("\n"))
    };
    let builtin = || builtin::report_insights::insights(&metrics);
    let read = |json: &Value, _: &Redactions| read_answer(json, &metrics);
    let question = Question {
        function: AiFunction::ReportInsights,
        system: SYSTEM,
        schema: schema(),
        prompt: &prompt,
        read: &read,
        builtin: &builtin,
    };
    usage::ask_logged(db, engine, question).await
}

fn checked(input: &ReportInsightsInput) -> Result<Vec<MetricInput>, DomainError> {
    let mut v = Validator::default();
    if input.metrics.is_empty() || input.metrics.len() > MAX_METRICS {
        v.check::<()>("metrics", Err(format!("must hold 1 to {MAX_METRICS} metrics")));
    }
    let mut out = Vec::new();
    for (i, metric) in input.metrics.iter().take(MAX_METRICS).enumerate() {
        let field = |name: &str| format!("metrics[{i}].{name}");
        let key_ok = !metric.key.is_empty()
            && metric.key.len() <= 40
            && metric.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            v.check::<()>(&field("key"), Err("must be 1 to 40 lower-case letters, digits or _".into()));
        }
        let name = v.check(&field("label"), label(&metric.label, 60));
        let finite = |x: f64| x.is_finite() && x.abs() <= MAX_ABS_VALUE;
        if !finite(metric.current) {
            v.check::<()>(&field("current"), Err("must be a number up to 10^13".into()));
        }
        if metric.previous.is_some_and(|p| !finite(p)) {
            v.check::<()>(&field("previous"), Err("must be a number up to 10^13".into()));
        }
        if metric.series.len() > MAX_SERIES {
            v.check::<()>(&field("series"), Err(format!("must hold at most {MAX_SERIES} days")));
        } else if metric.series.iter().any(|p| !finite(p.value)) {
            v.check::<()>(&field("series"), Err("every value must be a number up to 10^13".into()));
        }
        let mut metric = metric.clone();
        metric.label = name.unwrap_or_default();
        out.push(metric);
    }
    v.finish()?;
    Ok(out)
}

fn describe(metric: &MetricInput) -> String {
    let unit = match metric.unit {
        MetricUnit::Count => "count",
        MetricUnit::Cents => "money (write as dollars)",
        MetricUnit::Percent => "percent",
        MetricUnit::Minutes => "minutes",
    };
    let series: Vec<String> = metric.series.iter().map(|p| format!("{} {}", p.date, p.value)).collect();
    format!(
        "key={} label=\"{}\" unit={unit} current={} previous={} higher_is_better={} days=[{}]",
        metric.key,
        metric.label.replace('"', "'"),
        format_value(metric.unit, metric.current),
        metric.previous.map_or_else(|| "none".to_owned(), |p| format_value(metric.unit, p)),
        metric.higher_is_better,
        series.join(", ")
    )
}

const SYSTEM: &str = "You read a medical imaging clinic's report figures and say what stands out: changes \
against the previous period, days unlike the rest (anomalies), and steady climbs or falls (trends). Write one \
plain sentence per insight, at most 12, most important first. Each insight names the metric by its key and \
quotes in `figure` the one figure it rests on, exactly as it appears in the sentence; that figure must be one \
of the metric's values, the difference between current and previous, or that difference as a whole \
percentage. Do not guess causes. Answer with JSON only.";

/// The JSON schema of the insights a model must give.
pub fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "insights": {
                "type": "array",
                "maxItems": MAX_INSIGHTS,
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": { "type": "string", "enum": ["change", "anomaly", "trend"] },
                        "metric": { "type": "string" },
                        "figure": { "type": "string", "minLength": 1, "maxLength": 40 },
                        "text": { "type": "string", "minLength": 1, "maxLength": 300 },
                        "tone": { "type": "string", "enum": ["good", "concern", "neutral"] },
                    },
                    "required": ["kind", "metric", "figure", "text", "tone"],
                    "additionalProperties": false,
                },
            },
        },
        "required": ["insights"],
        "additionalProperties": false,
    })
}

/// Checks a model's insights: the schema, and that each cites a metric it was given, quotes its
/// figure in its sentence, and that the figure is one the metric gives (a model's arithmetic or
/// memory is not trusted).
fn read_answer(json: &Value, metrics: &[MetricInput]) -> Result<ReportInsights, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Answer {
        insights: Vec<Item>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        kind: InsightKind,
        metric: String,
        figure: String,
        text: String,
        tone: InsightTone,
    }
    let answer: Answer = fit(json)?;
    if answer.insights.len() > MAX_INSIGHTS {
        return Err(format!("more than {MAX_INSIGHTS} insights"));
    }
    let mut out = Vec::new();
    for (i, item) in answer.insights.into_iter().enumerate() {
        // Keys should be distinct; where a client repeats one, a figure of any of them will do.
        let cited: Vec<&MetricInput> = metrics.iter().filter(|m| m.key == item.metric).collect();
        let Some(metric) = cited.first() else {
            return Err(format!("insight {i} cites a metric it was not given"));
        };
        let text = item.text.trim();
        if text.is_empty() || text.chars().count() > 300 || item.figure.chars().count() > 40 {
            return Err(format!("insight {i} is empty or too long"));
        }
        if !text.contains(item.figure.as_str()) {
            return Err(format!("insight {i} does not quote its figure"));
        }
        if !cited.iter().any(|m| figure_is_given(&item.figure, m)) {
            return Err(format!("insight {i}'s figure is not one of its metric's"));
        }
        out.push(Insight {
            kind: item.kind,
            metric: metric.key.clone(),
            figure: item.figure,
            text: text.to_owned(),
            tone: item.tone,
        });
    }
    Ok(ReportInsights { insights: out })
}

/// The number in a figure ("$1,234.50", "18%", "2.5 points", "−3") as the metric's unit counts
/// it (cents for money).
fn number_in(figure: &str, unit: MetricUnit) -> Option<f64> {
    let cleaned: String =
        figure.replace('\u{2212}', "-").chars().filter(|c| *c != ',' && *c != '$').collect();
    let start = cleaned.find(|c: char| c.is_ascii_digit() || c == '-')?;
    let rest = &cleaned[start..];
    let end = rest
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-')))
        .map_or(rest.len(), |(i, _)| i);
    let value: f64 = rest[..end].parse().ok()?;
    Some(if unit == MetricUnit::Cents && figure.contains('$') { value * 100.0 } else { value })
}

fn figure_is_given(figure: &str, metric: &MetricInput) -> bool {
    let Some(value) = number_in(figure, metric.unit) else { return false };
    let mut allowed = vec![metric.current];
    allowed.extend(metric.series.iter().map(|p| p.value));
    if let Some(previous) = metric.previous {
        allowed.push(previous);
        allowed.push(metric.current - previous);
        if previous != 0.0 {
            allowed.push((metric.current - previous) / previous.abs() * 100.0);
        }
    }
    let close = |given: f64, actual: f64| {
        // As written: to the rounding a sentence uses (whole per cent, one decimal, the cent).
        let rounded = format_number(actual.abs(), 1).replace(',', "").parse::<f64>().unwrap_or(actual.abs());
        (given.abs() - actual.abs()).abs() <= 0.5 || (given.abs() - rounded).abs() < 1e-9
    };
    allowed.iter().any(|actual| close(value, *actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bookings() -> Vec<MetricInput> {
        vec![MetricInput {
            key: "bookings".into(),
            label: "Bookings".into(),
            unit: MetricUnit::Count,
            current: 142.0,
            previous: Some(120.0),
            higher_is_better: true,
            series: Vec::new(),
        }]
    }

    fn answer(metric: &str, figure: &str, text: &str) -> Value {
        json!({ "insights": [{ "kind": "change", "metric": metric, "figure": figure, "text": text, "tone": "good" }] })
    }

    #[test]
    fn a_model_may_only_cite_figures_it_was_given() {
        let metrics = bookings();
        assert!(read_answer(&answer("bookings", "18%", "Bookings rose 18% to 142."), &metrics).is_ok());
        assert!(read_answer(&answer("bookings", "22", "Bookings rose by 22."), &metrics).is_ok());
        assert!(read_answer(&answer("bookings", "35%", "Bookings rose 35%."), &metrics).is_err(), "invented");
        assert!(
            read_answer(&answer("bookings", "18%", "Bookings rose sharply."), &metrics).is_err(),
            "not quoted"
        );
        assert!(
            read_answer(&answer("revenue", "142", "Revenue was 142."), &metrics).is_err(),
            "no such metric"
        );
    }

    #[test]
    fn bad_statistics_are_named_field_by_field() {
        let mut metrics = bookings();
        metrics.push(metrics[0].clone());
        metrics[1].current = f64::NAN;
        metrics[1].label = " ".into();
        let Err(DomainError::Validation(fields)) = checked(&ReportInsightsInput { metrics }) else {
            panic!("accepted")
        };
        assert!(
            !fields.contains_key("metrics[1].key"),
            "a repeated key is the client's to sort out: {fields:?}"
        );
        assert!(fields.contains_key("metrics[1].label"), "{fields:?}");
        assert!(fields.contains_key("metrics[1].current"), "{fields:?}");
        let empty = checked(&ReportInsightsInput { metrics: Vec::new() });
        assert!(matches!(empty, Err(DomainError::Validation(f)) if f.contains_key("metrics")));
    }
}
