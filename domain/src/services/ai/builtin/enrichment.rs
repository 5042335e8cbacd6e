//! The built-in reading of a free-text note or enquiry ("Mum needs an MRI of her left knee asap,
//! GP referral attached"): what the person wants, how urgent it is, which modality and body
//! part, and whether a referral is mentioned — by vocabularies of the words clinics and patients
//! use, longest phrase first, with negation ("not urgent") turning urgency down. Each finding
//! says which words it rests on, so staff can check it.

use crate::model::{EnquiryIntent, Enrichment, Modality, Urgency};

/// Reads one note.
pub fn enrich(text: &str) -> Enrichment {
    let lower = format!(" {} ", normalise(text));
    let mut evidence: Vec<String> = Vec::new();
    let found =
        |phrases: &[&'static str]| phrases.iter().copied().find(|p| lower.contains(&format!(" {p} ")));

    let modality = MODALITIES.iter().find_map(|(modality, words)| found(words).map(|w| (*modality, w)));
    if let Some((_, word)) = modality {
        evidence.push(format!("modality: \u{201c}{word}\u{201d}"));
    }
    // Longest first: "lower back" before "back", "lumbar spine" before "spine".
    let mut parts: Vec<&(&str, &str)> = BODY_PARTS.iter().collect();
    parts.sort_by_key(|(phrase, _)| std::cmp::Reverse(phrase.len()));
    let body_part =
        parts.iter().find(|(phrase, _)| lower.contains(&format!(" {phrase} "))).map(|(phrase, part)| {
            evidence.push(format!("body part: \u{201c}{phrase}\u{201d}"));
            (*part).to_owned()
        });
    // Mammography is of the breast even when the note does not say so.
    let body_part = body_part
        .or_else(|| modality.filter(|(m, _)| *m == Modality::Mammography).map(|_| "breast".to_owned()));

    let referral = found(REFERRAL);
    if let Some(word) = referral {
        evidence.push(format!("referral: \u{201c}{word}\u{201d}"));
    }

    let urgency = if let Some(word) = found(NOT_URGENT) {
        evidence.push(format!("urgency: \u{201c}{word}\u{201d}"));
        Urgency::Low
    } else if let Some(word) = found(URGENT) {
        evidence.push(format!("urgency: \u{201c}{word}\u{201d}"));
        Urgency::Urgent
    } else if let Some(word) = found(SOON) {
        evidence.push(format!("urgency: \u{201c}{word}\u{201d}"));
        Urgency::High
    } else {
        Urgency::Normal
    };

    let intent = INTENTS
        .iter()
        .find_map(|(intent, words)| found(words).map(|w| (*intent, w)))
        .map(|(intent, word)| {
            evidence.push(format!("intent: \u{201c}{word}\u{201d}"));
            intent
        })
        // A modality or a body part with nothing else said is someone who wants a scan.
        .unwrap_or(if modality.is_some() || body_part.is_some() {
            EnquiryIntent::BookScan
        } else {
            EnquiryIntent::Other
        });

    Enrichment {
        intent,
        urgency,
        modality: modality.map(|(m, _)| m),
        body_part,
        referral_mentioned: referral.is_some(),
        evidence,
    }
}

/// Lower case, apostrophes and punctuation as spaces, runs of spaces as one.
fn normalise(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '\u{2019}' | '\'' => '\'',
            c if c.is_alphanumeric() => c.to_lowercase().next().unwrap_or(c),
            '-' | '/' => ' ',
            _ => ' ',
        })
        .collect();
    mapped
        .replace("x ray", "xray")
        .replace("can't", "cannot")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const MODALITIES: &[(Modality, &[&str])] = &[
    (
        Modality::Mammography,
        &["mammogram", "mammography", "mammo", "breast screen", "breastscreen", "breast screening"],
    ),
    (Modality::Mri, &["mri", "magnetic resonance", "mr scan"]),
    (Modality::Ct, &["ct", "cat scan", "ct scan", "computed tomography", "ctca"]),
    (
        Modality::Ultrasound,
        &[
            "ultrasound",
            "sonogram",
            "u s",
            "us scan",
            "doppler",
            "scan of the baby",
            "dating scan",
            "morphology scan",
        ],
    ),
    (Modality::Xray, &["xray", "xrays", "radiograph", "plain film", "opg"]),
];

const BODY_PARTS: &[(&str, &str)] = &[
    ("knee", "knee"),
    ("knees", "knee"),
    ("shoulder", "shoulder"),
    ("shoulders", "shoulder"),
    ("hip", "hip"),
    ("hips", "hip"),
    ("ankle", "ankle"),
    ("wrist", "wrist"),
    ("elbow", "elbow"),
    ("hand", "hand"),
    ("foot", "foot"),
    ("feet", "foot"),
    ("neck", "neck"),
    ("back", "back"),
    ("lower back", "lumbar spine"),
    ("lumbar", "lumbar spine"),
    ("lumbar spine", "lumbar spine"),
    ("cervical spine", "cervical spine"),
    ("thoracic spine", "thoracic spine"),
    ("spine", "spine"),
    ("head", "head"),
    ("brain", "brain"),
    ("chest", "chest"),
    ("lungs", "chest"),
    ("abdomen", "abdomen"),
    ("abdominal", "abdomen"),
    ("stomach", "abdomen"),
    ("pelvis", "pelvis"),
    ("pelvic", "pelvis"),
    ("breast", "breast"),
    ("breasts", "breast"),
    ("thyroid", "thyroid"),
    ("liver", "liver"),
    ("kidney", "kidney"),
    ("kidneys", "kidney"),
    ("renal", "kidney"),
    ("prostate", "prostate"),
    ("sinus", "sinuses"),
    ("sinuses", "sinuses"),
    ("heart", "heart"),
    ("carotid", "carotid arteries"),
    ("teeth", "teeth"),
    ("jaw", "jaw"),
    ("pregnancy", "pregnancy"),
    ("baby", "pregnancy"),
];

const REFERRAL: &[&str] = &[
    "referral",
    "referred",
    "referring",
    "request form",
    "gp letter",
    "doctor's letter",
    "doctors letter",
    "specialist letter",
    "form from my doctor",
    "form from the gp",
];

const NOT_URGENT: &[&str] =
    &["not urgent", "no rush", "no hurry", "whenever suits", "whenever is easiest", "not in a hurry"];
const URGENT: &[&str] = &[
    "urgent",
    "urgently",
    "emergency",
    "asap",
    "as soon as possible",
    "severe pain",
    "cannot walk",
    "today",
];
const SOON: &[&str] =
    &["this week", "soon", "tomorrow", "in pain", "quickly", "before the weekend", "first available"];

const INTENTS: &[(EnquiryIntent, &[&str])] = &[
    (EnquiryIntent::Cancel, &["cancel", "cancelled", "cancellation", "cannot make it"]),
    (
        EnquiryIntent::Reschedule,
        &["reschedule", "move my appointment", "change my appointment", "another time", "different day"],
    ),
    (
        EnquiryIntent::Results,
        &["results", "result", "report", "findings", "images on a cd", "copy of my scan"],
    ),
    (
        EnquiryIntent::Price,
        &[
            "how much",
            "cost",
            "costs",
            "price",
            "prices",
            "quote",
            "bulk bill",
            "bulk billed",
            "bulk billing",
            "gap",
            "out of pocket",
            "rebate",
            "medicare",
        ],
    ),
    (
        EnquiryIntent::BookScan,
        &[
            "book",
            "booking",
            "appointment",
            "make an appointment",
            "get a scan",
            "need a scan",
            "needs a scan",
            "would like",
            "schedule",
            "available",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booking_enquiry_names_the_scan_the_part_and_the_referral() {
        let e = enrich("Mum needs an MRI of her left knee asap, GP referral attached");
        assert_eq!(e.modality, Some(Modality::Mri));
        assert_eq!(e.body_part.as_deref(), Some("knee"));
        assert!(e.referral_mentioned);
        assert_eq!(e.urgency, Urgency::Urgent);
        assert_eq!(e.intent, EnquiryIntent::BookScan, "{e:?}");
        assert!(e.evidence.iter().any(|w| w.contains("asap")), "{:?}", e.evidence);
    }

    #[test]
    fn longer_phrases_win_and_negation_turns_urgency_down() {
        let e = enrich("Lower back pain for months, not urgent. Wants an x-ray. How much is the gap?");
        assert_eq!(e.body_part.as_deref(), Some("lumbar spine"));
        assert_eq!(e.modality, Some(Modality::Xray));
        assert_eq!(e.urgency, Urgency::Low);
        assert_eq!(e.intent, EnquiryIntent::Price);
        assert!(!e.referral_mentioned);
    }

    #[test]
    fn each_kind_of_note_is_read() {
        let cases = [
            ("Called asking for her CT results from last week", EnquiryIntent::Results, Some(Modality::Ct)),
            ("Breast screen due, would like to book", EnquiryIntent::BookScan, Some(Modality::Mammography)),
            ("Wants to cancel Thursday's ultrasound", EnquiryIntent::Cancel, Some(Modality::Ultrasound)),
            ("Can we reschedule the shoulder scan", EnquiryIntent::Reschedule, None),
            ("Is the MRI bulk billed?", EnquiryIntent::Price, Some(Modality::Mri)),
            ("Left a voicemail", EnquiryIntent::Other, None),
        ];
        for (text, intent, modality) in cases {
            let e = enrich(text);
            assert_eq!((e.intent, e.modality), (intent, modality), "{text}: {e:?}");
        }
        assert_eq!(enrich("Breast screen due").body_part.as_deref(), Some("breast"));
        assert_eq!(enrich("In pain, first available CT of the abdomen").urgency, Urgency::High);
        assert_eq!(enrich("Left a voicemail").urgency, Urgency::Normal);
    }

    #[test]
    fn a_word_inside_another_is_not_found() {
        // "ct" in "doctor", "back" in "feedback", "hip" in "relationship".
        let e = enrich("Feedback from the doctor about our relationship");
        assert_eq!(e.modality, None);
        assert_eq!(e.body_part, None);
    }
}
