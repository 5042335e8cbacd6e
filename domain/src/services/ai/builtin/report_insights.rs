//! The built-in report insights, by plain statistics a manager can check by hand:
//! - **change** against the previous period, when it moved by 10% or more (percentages by
//!   points as well);
//! - **trend**, a least-squares line through the period's days that explains most of their
//!   movement (R² ≥ 0.6) and adds up to 10% of the average or more;
//! - **anomaly**, a day far from the period's median by the robust z-score (median absolute
//!   deviation, |z| > 3.5, Iglewicz and Hoaglin's cut-off).
//!
//! Each sentence names the figure it rests on, written as the metric's unit says, and the
//! strongest findings come first.

use chrono::NaiveDate;

use crate::model::{Insight, InsightKind, InsightTone, MetricInput, MetricUnit, ReportInsights};

/// Changes smaller than this (relative) are not news.
const CHANGE_THRESHOLD: f64 = 0.10;
const TREND_MIN_POINTS: usize = 6;
const TREND_MIN_R2: f64 = 0.6;
const ANOMALY_MIN_POINTS: usize = 7;
const ANOMALY_Z: f64 = 3.5;
/// The most insights returned.
pub const MAX_INSIGHTS: usize = 12;

/// Reads the metrics.
pub fn insights(metrics: &[MetricInput]) -> ReportInsights {
    let mut found: Vec<(f64, Insight)> = Vec::new();
    for metric in metrics {
        if let Some(change) = change(metric) {
            found.push(change);
        }
        if let Some(trend) = trend(metric) {
            found.push(trend);
        }
        found.extend(anomalies(metric));
    }
    // Strongest first; ties keep the order the metrics were given in.
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    ReportInsights { insights: found.into_iter().take(MAX_INSIGHTS).map(|(_, i)| i).collect() }
}

fn tone(metric: &MetricInput, rose: bool) -> InsightTone {
    if rose == metric.higher_is_better { InsightTone::Good } else { InsightTone::Concern }
}

fn change(metric: &MetricInput) -> Option<(f64, Insight)> {
    let previous = metric.previous?;
    let current = metric.current;
    let label = &metric.label;
    let now = format_value(metric.unit, current);
    let before = format_value(metric.unit, previous);
    if previous == 0.0 {
        if current == 0.0 {
            return None;
        }
        return Some((
            1.0,
            Insight {
                kind: InsightKind::Change,
                metric: metric.key.clone(),
                figure: now.clone(),
                text: format!("{label} went from none last period to {now}."),
                tone: tone(metric, current > 0.0),
            },
        ));
    }
    let relative = (current - previous) / previous.abs();
    if relative.abs() < CHANGE_THRESHOLD {
        return None;
    }
    let verb = if current > previous { "rose" } else { "fell" };
    let (figure, text) = if metric.unit == MetricUnit::Percent {
        let points = format_number((current - previous).abs(), 1);
        let figure = format!("{points} points");
        (figure.clone(), format!("{label} {verb} {figure} to {now} (from {before})."))
    } else {
        let figure = format!("{}%", format_number(relative.abs() * 100.0, 0));
        (figure.clone(), format!("{label} {verb} {figure} to {now} (from {before})."))
    };
    Some((
        relative.abs(),
        Insight {
            kind: InsightKind::Change,
            metric: metric.key.clone(),
            figure,
            text,
            tone: tone(metric, current > previous),
        },
    ))
}

/// Day offsets from the first point, and values.
fn points(metric: &MetricInput) -> Vec<(f64, f64)> {
    let Some(first) = metric.series.iter().map(|p| p.date).min() else { return Vec::new() };
    metric.series.iter().map(|p| ((p.date - first).num_days() as f64, p.value)).collect()
}

fn trend(metric: &MetricInput) -> Option<(f64, Insight)> {
    let points = points(metric);
    if points.len() < TREND_MIN_POINTS {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - mean_y).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx == 0.0 || syy == 0.0 || mean_y == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let r2 = sxy * sxy / (sxx * syy);
    let span = points.iter().map(|p| p.0).fold(0.0, f64::max);
    let relative = (slope * span / mean_y.abs()).abs();
    if r2 < TREND_MIN_R2 || relative < CHANGE_THRESHOLD {
        return None;
    }
    let direction = if slope > 0.0 { "climbed" } else { "fell" };
    let per_day = format_value_precise(metric.unit, slope.abs());
    let figure = format!("{per_day} a day");
    Some((
        relative * r2,
        Insight {
            kind: InsightKind::Trend,
            metric: metric.key.clone(),
            figure: figure.clone(),
            text: format!("{} {direction} steadily through the period, by about {figure}.", metric.label),
            tone: tone(metric, slope > 0.0),
        },
    ))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if !n.is_multiple_of(2) { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}

fn anomalies(metric: &MetricInput) -> Vec<(f64, Insight)> {
    if metric.series.len() < ANOMALY_MIN_POINTS {
        return Vec::new();
    }
    let mut values: Vec<f64> = metric.series.iter().map(|p| p.value).collect();
    let middle = median(&mut values);
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - middle).abs()).collect();
    let mad = median(&mut deviations);
    let usual = format_value(metric.unit, middle);
    let mut found: Vec<(f64, NaiveDate, Insight)> = Vec::new();
    for point in &metric.series {
        let distance = point.value - middle;
        // With no spread at all (every day the same but one), any clear departure stands out.
        let z = if mad > 0.0 {
            0.6745 * distance / mad
        } else if distance.abs() >= middle.abs().max(1.0) * 0.5 {
            distance.signum() * (ANOMALY_Z + 1.0)
        } else {
            0.0
        };
        if z.abs() <= ANOMALY_Z {
            continue;
        }
        let figure = format_value(metric.unit, point.value);
        let side = if distance > 0.0 { "above" } else { "below" };
        found.push((
            z.abs() / 10.0,
            point.date,
            Insight {
                kind: InsightKind::Anomaly,
                metric: metric.key.clone(),
                figure: figure.clone(),
                text: format!(
                    "{} on {} stood at {figure}, well {side} the usual {usual}.",
                    metric.label,
                    point.date.format("%a %-d %b")
                ),
                tone: tone(metric, distance > 0.0),
            },
        ));
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    found.into_iter().take(3).map(|(score, _, insight)| (score, insight)).collect()
}

/// A value as its unit is read: "1,420", "$1,234.50", "7.5%", "42 min".
pub fn format_value(unit: MetricUnit, value: f64) -> String {
    match unit {
        MetricUnit::Count => format_number(value, if value.fract() == 0.0 { 0 } else { 1 }),
        MetricUnit::Cents => money(value),
        MetricUnit::Percent => format!("{}%", format_number(value, 1)),
        MetricUnit::Minutes => format!("{} min", format_number(value, 0)),
    }
}

/// As [`format_value`], with one more decimal for small rates ("0.4 a day").
fn format_value_precise(unit: MetricUnit, value: f64) -> String {
    match unit {
        MetricUnit::Count | MetricUnit::Minutes if value < 10.0 => {
            let n = format_number(value, 1);
            if unit == MetricUnit::Minutes { format!("{n} min") } else { n }
        }
        _ => format_value(unit, value),
    }
}

/// Cents as dollars, exactly to the cent.
fn money(cents: f64) -> String {
    let cents = cents.round() as i64;
    let sign = if cents < 0 { "\u{2212}" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}${}.{:02}", group(cents / 100), cents % 100)
}

/// With thousands separators and `decimals` places.
pub fn format_number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole: u64 = whole.parse().unwrap_or(0);
    let sign =
        if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "\u{2212}" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{}", group(whole))
    } else {
        format!("{sign}{}.{fraction}", group(whole))
    }
}

fn group(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SeriesPoint;

    fn metric(key: &str, label: &str, current: f64, previous: Option<f64>) -> MetricInput {
        MetricInput {
            key: key.into(),
            label: label.into(),
            unit: MetricUnit::Count,
            current,
            previous,
            higher_is_better: true,
            series: Vec::new(),
        }
    }

    fn days(values: &[f64]) -> Vec<SeriesPoint> {
        let start = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        values
            .iter()
            .enumerate()
            .map(|(i, v)| SeriesPoint { date: start + chrono::Days::new(i as u64), value: *v })
            .collect()
    }

    #[test]
    fn changes_cite_the_percentage_and_both_figures() {
        let found = insights(&[
            metric("bookings", "Bookings", 142.0, Some(120.0)),
            metric("enquiries", "Enquiries", 101.0, Some(100.0)),
        ]);
        assert_eq!(found.insights.len(), 1, "a 1% change is not news: {found:?}");
        let insight = &found.insights[0];
        assert_eq!(insight.text, "Bookings rose 18% to 142 (from 120).");
        assert_eq!(insight.figure, "18%");
        assert_eq!(insight.tone, InsightTone::Good);
    }

    #[test]
    fn rates_move_by_points_and_a_rise_can_be_bad_news() {
        let mut no_shows = metric("no_show_rate", "No-show rate", 8.0, Some(5.5));
        no_shows.unit = MetricUnit::Percent;
        no_shows.higher_is_better = false;
        let found = insights(&[no_shows]);
        assert_eq!(found.insights[0].text, "No-show rate rose 2.5 points to 8.0% (from 5.5%).");
        assert_eq!(found.insights[0].tone, InsightTone::Concern);
    }

    #[test]
    fn money_is_written_to_the_cent() {
        let mut revenue = metric("revenue", "Revenue", 12_345_050.0, Some(10_000_000.0));
        revenue.unit = MetricUnit::Cents;
        assert_eq!(
            insights(&[revenue]).insights[0].text,
            "Revenue rose 23% to $123,450.50 (from $100,000.00)."
        );
    }

    #[test]
    fn a_steady_climb_is_a_trend_and_noise_is_not() {
        let mut climbing = metric("bookings", "Bookings", 0.0, None);
        climbing.series = days(&[10.0, 12.0, 13.0, 15.0, 16.0, 18.0, 20.0, 21.0]);
        let found = insights(&[climbing]);
        let trend = found.insights.iter().find(|i| i.kind == InsightKind::Trend).expect("a trend");
        assert_eq!(trend.text, "Bookings climbed steadily through the period, by about 1.6 a day.");
        let mut noisy = metric("bookings", "Bookings", 0.0, None);
        noisy.series = days(&[10.0, 14.0, 9.0, 13.0, 10.0, 15.0, 9.0, 12.0]);
        assert!(insights(&[noisy]).insights.iter().all(|i| i.kind != InsightKind::Trend));
    }

    #[test]
    fn one_day_far_from_the_rest_is_an_anomaly_naming_the_day() {
        let mut no_shows = metric("no_shows", "No-shows", 0.0, None);
        no_shows.higher_is_better = false;
        no_shows.series = days(&[2.0, 1.0, 2.0, 3.0, 2.0, 9.0, 2.0, 1.0, 2.0, 3.0]);
        let found = insights(&[no_shows]);
        let anomaly = found.insights.iter().find(|i| i.kind == InsightKind::Anomaly).expect("an anomaly");
        assert_eq!(anomaly.text, "No-shows on Fri 6 Nov stood at 9, well above the usual 2.");
        assert_eq!(anomaly.tone, InsightTone::Concern);
        assert_eq!(found.insights.iter().filter(|i| i.kind == InsightKind::Anomaly).count(), 1);
    }

    #[test]
    fn every_insight_contains_its_figure_and_the_strongest_comes_first() {
        let found = insights(&[
            metric("a", "Calls", 110.0, Some(100.0)),
            metric("b", "Texts", 300.0, Some(100.0)),
            metric("c", "Emails", 5.0, Some(0.0)),
        ]);
        assert_eq!(found.insights.iter().map(|i| i.metric.as_str()).collect::<Vec<_>>(), ["b", "c", "a"]);
        for insight in &found.insights {
            assert!(insight.text.contains(&insight.figure), "{insight:?}");
        }
    }
}
