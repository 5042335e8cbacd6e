//! The built-in warmness score: how likely a contact is to book (or come back), 0–100, as the sum
//! of reasons a receptionist would give. Fit — what they asked for, a referral, where they came
//! from, how complete the record is — and engagement — how recently and how often the clinic and
//! they have been in touch, their replies, their bookings and no-shows — where older touches
//! count for less (a half-life of 14 days). Every point is in a reason; nothing is hidden.

use chrono::Duration;

use crate::model::{BookingStatus, ContactSource, TouchpointKind, Warmness, WarmnessFacts, WarmnessReason};

/// Days after which a touch counts half as much.
const HALF_LIFE_DAYS: f64 = 14.0;

/// Scores a contact from its facts.
pub fn score(facts: &WarmnessFacts) -> Warmness {
    let mut reasons: Vec<WarmnessReason> = Vec::new();
    let mut add = |points: i32, text: String| {
        if points != 0 {
            reasons.push(WarmnessReason { points, text });
        }
    };

    // Fit.
    if let Some(modality) = facts.requested_modality {
        add(12, format!("asked about {}", modality.label()));
    }
    if facts.referral_on_file {
        add(18, "referral on file".to_owned());
    }
    let (points, source) = match facts.source {
        ContactSource::Referral => (8, "referred by a doctor"),
        ContactSource::WalkIn => (7, "walked in"),
        ContactSource::WebForm => (6, "enquired through the website"),
        ContactSource::Phone => (5, "phoned the clinic"),
        ContactSource::Campaign => (3, "answered a campaign"),
    };
    add(points, source.to_owned());
    let missing: Vec<&str> =
        [(facts.has_phone, "phone"), (facts.has_email, "email"), (facts.has_date_of_birth, "date of birth")]
            .into_iter()
            .filter(|(has, _)| !has)
            .map(|(_, what)| what)
            .collect();
    match missing.len() {
        0 => add(6, "record complete".to_owned()),
        3 => add(-5, "no phone, email or date of birth".to_owned()),
        _ => add(4 - 2 * missing.len() as i32, format!("record lacks {}", missing.join(" and "))),
    }

    // Engagement: touches (bookings are scored below, and stage changes are the clinic's own).
    let touches: Vec<_> = facts
        .touchpoints
        .iter()
        .filter(|t| !matches!(t.kind, TouchpointKind::Booking | TouchpointKind::StageChange))
        .filter(|t| t.at <= facts.now)
        .collect();
    let days_since = |at: chrono::DateTime<chrono::Utc>| (facts.now - at).num_days().max(0);
    let weight = |at: chrono::DateTime<chrono::Utc>| 0.5_f64.powf(days_since(at) as f64 / HALF_LIFE_DAYS);
    match touches.iter().map(|t| t.at).max() {
        None => add(-8, "never contacted".to_owned()),
        Some(last) => {
            let days = days_since(last);
            match days {
                0..=2 => add(12, "in touch in the last 3 days".to_owned()),
                3..=7 => add(8, "in touch this week".to_owned()),
                8..=14 => add(4, "in touch in the last fortnight".to_owned()),
                15..=21 => {}
                _ => add(-10, format!("no contact for {days} days")),
            }
        }
    }
    let outbound: f64 = touches.iter().filter(|t| !t.inbound).map(|t| weight(t.at)).sum();
    let frequency = (outbound * 3.0).round().min(12.0) as i32;
    let recent = touches.iter().filter(|t| !t.inbound && days_since(t.at) <= 30).count();
    if frequency > 0 && recent > 1 {
        add(frequency, format!("{recent} touches in the last 30 days"));
    }
    let replies: f64 = touches.iter().filter(|t| t.inbound).map(|t| weight(t.at)).sum();
    let replied = touches.iter().filter(|t| t.inbound).count();
    let reply_points = (replies * 6.0).round().min(12.0) as i32;
    if reply_points > 0 {
        add(
            reply_points,
            if replied == 1 { "replied".to_owned() } else { format!("replied {replied} times") },
        );
    }

    // Bookings.
    let coming = facts
        .bookings
        .iter()
        .filter(|b| {
            b.starts_at > facts.now && matches!(b.status, BookingStatus::Booked | BookingStatus::Confirmed)
        })
        .min_by_key(|b| b.starts_at);
    if let Some(next) = coming {
        add(25, "has a scan booked".to_owned());
        if next.status == BookingStatus::Confirmed {
            add(5, "confirmed it".to_owned());
        }
    }
    let attended = facts.bookings.iter().filter(|b| b.status == BookingStatus::Completed).count();
    if attended > 0 {
        add(
            10,
            if attended == 1 { "attended a scan".to_owned() } else { format!("attended {attended} scans") },
        );
    }
    let missed = facts.bookings.iter().filter(|b| b.status == BookingStatus::NoShow).count();
    if missed > 0 {
        let points = -(15 * missed.min(2) as i32);
        add(
            points,
            if missed == 1 { "missed a booking".to_owned() } else { format!("missed {missed} bookings") },
        );
    }
    let cancelled_lately = facts
        .bookings
        .iter()
        .filter(|b| b.status == BookingStatus::Cancelled && b.starts_at > facts.now - Duration::days(60))
        .count();
    if cancelled_lately > 0 && coming.is_none() {
        add(-6, "cancelled without rebooking".to_owned());
    }

    let score = reasons.iter().map(|r| r.points).sum::<i32>().clamp(0, 100);
    // Biggest reasons first; equal ones in the order above.
    reasons.sort_by_key(|r| std::cmp::Reverse(r.points.abs()));
    Warmness { score, reasons }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{BookingFact, Modality, TouchFact};

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).single().expect("a real instant")
    }

    fn bare() -> WarmnessFacts {
        WarmnessFacts {
            requested_modality: None,
            referral_on_file: false,
            source: ContactSource::Phone,
            has_phone: true,
            has_email: false,
            has_date_of_birth: false,
            touchpoints: Vec::new(),
            bookings: Vec::new(),
            now: now(),
        }
    }

    fn touch(days_ago: i64, inbound: bool) -> TouchFact {
        TouchFact { kind: TouchpointKind::Call, inbound, at: now() - Duration::days(days_ago) }
    }

    fn labels(w: &Warmness) -> Vec<String> {
        w.reasons.iter().map(WarmnessReason::label).collect()
    }

    #[test]
    fn the_score_is_the_sum_of_its_reasons_within_0_to_100() {
        let mut hot = bare();
        hot.requested_modality = Some(Modality::Mri);
        hot.referral_on_file = true;
        hot.has_email = true;
        hot.has_date_of_birth = true;
        hot.touchpoints = (0..8).map(|d| touch(d, d % 2 == 0)).collect();
        hot.bookings =
            vec![BookingFact { status: BookingStatus::Confirmed, starts_at: now() + Duration::days(3) }];
        let w = score(&hot);
        assert_eq!(w.score, 100, "{:?}", labels(&w));
        assert!(labels(&w).contains(&"+18 referral on file".to_owned()));
        assert!(labels(&w).contains(&"+12 asked about MRI".to_owned()));
        let cold = score(&bare());
        assert_eq!(cold.score, cold.reasons.iter().map(|r| r.points).sum::<i32>().max(0));
    }

    #[test]
    fn a_referral_and_a_booking_raise_it_and_silence_and_no_shows_lower_it() {
        let mut recent = bare();
        recent.touchpoints = vec![touch(1, false)];
        let mut referred = recent.clone();
        referred.referral_on_file = true;
        assert_eq!(score(&referred).score, score(&recent).score + 18);

        let mut silent = bare();
        silent.touchpoints = vec![touch(25, false)];
        assert!(score(&recent).score > score(&silent).score);
        assert!(labels(&score(&silent)).contains(&"\u{2212}10 no contact for 25 days".to_owned()));

        let mut missed = recent.clone();
        missed.bookings =
            vec![BookingFact { status: BookingStatus::NoShow, starts_at: now() - Duration::days(5) }];
        assert_eq!(score(&missed).score, score(&recent).score - 15);
    }

    #[test]
    fn older_touches_count_for_less() {
        let mut fresh = bare();
        fresh.touchpoints = vec![touch(1, true), touch(2, true)];
        let mut stale = bare();
        stale.touchpoints = vec![touch(40, true), touch(41, true)];
        let points =
            |w: &Warmness| w.reasons.iter().find(|r| r.text.starts_with("replied")).map_or(0, |r| r.points);
        assert!(points(&score(&fresh)) > points(&score(&stale)));
    }

    #[test]
    fn the_same_facts_give_the_same_score() {
        let mut facts = bare();
        facts.touchpoints = vec![touch(3, false), touch(9, true)];
        assert_eq!(score(&facts), score(&facts));
    }
}
