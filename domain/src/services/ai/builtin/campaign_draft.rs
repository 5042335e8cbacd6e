//! The built-in campaign draft: the goal is read for what kind of campaign it is (recall,
//! reactivation, rebooking, announcement, general) by the words clinics use, and the draft is
//! written from reviewed paragraphs for that kind, the modality and the tone — the same goal
//! always gives the same draft. Staff words that are quoted (an announcement's topic) are escaped
//! in the HTML. Every draft ends with the unsubscribe line Australia's Spam Act asks of marketing
//! email.

use crate::model::{CampaignDraft, CampaignDraftInput, CampaignKind, CampaignTone, Modality};

/// Words that mark each kind, tried in this order (a "no-show" goal that says "new" is still a
/// rebooking).
const KINDS: &[(CampaignKind, &[&str])] = &[
    (
        CampaignKind::Rebook,
        &[
            "no show",
            "no shows",
            "noshow",
            "missed",
            "didn't attend",
            "did not attend",
            "dna",
            "cancelled",
            "canceled",
            "rebook",
            "re book",
        ],
    ),
    (
        CampaignKind::Reactivation,
        &[
            "never booked",
            "haven't booked",
            "have not booked",
            "didn't book",
            "did not book",
            "not booked",
            "enquired",
            "enquiries",
            "enquiry",
            "inquiries",
            "leads",
            "win back",
            "re engage",
            "reengage",
            "lapsed",
            "gone cold",
            "cold",
            "inactive",
        ],
    ),
    (
        CampaignKind::Recall,
        &[
            "recall",
            "annual",
            "yearly",
            "every year",
            "due",
            "overdue",
            "screening",
            "follow up",
            "followup",
            "check up",
            "checkup",
            "repeat",
        ],
    ),
    (
        CampaignKind::Announcement,
        &[
            "announce",
            "announcing",
            "new",
            "now offer",
            "now offering",
            "opening",
            "launch",
            "launching",
            "introduce",
            "introducing",
            "extended hours",
        ],
    ),
];

/// Leading words of an announcement's goal that are the clinic talking to itself, not the news.
const ANNOUNCE_LEADS: &[&str] = &[
    "let patients know about",
    "let people know about",
    "tell patients about",
    "tell people about",
    "announce",
    "announcing",
    "promote",
    "introduce",
    "introducing",
    "launch",
    "launching",
    "share",
];

/// Writes a draft for the goal.
pub fn draft(input: &CampaignDraftInput) -> CampaignDraft {
    let words = format!(" {} ", normalise(&input.goal));
    let mut rationale = Vec::new();
    let kind = KINDS
        .iter()
        .find_map(|(kind, phrases)| {
            phrases.iter().find(|p| words.contains(&format!(" {p} "))).map(|p| (*kind, *p))
        })
        .map_or(CampaignKind::General, |(kind, phrase)| {
            rationale.push(format!("{}: \u{201c}{phrase}\u{201d}", kind.as_str()));
            kind
        });
    let modality = input.segment.modality;
    if let Some(m) = modality {
        rationale.push(format!("modality: {}", m.label()));
    }
    if let Some(days) = input.segment.inactive_days {
        rationale.push(format!("last in touch about {days} days ago"));
    }
    let scan = modality.map_or_else(|| "scan".to_owned(), scan_name);
    let (greeting, sign_off) = match input.tone {
        CampaignTone::Friendly => ("Hi {{contact.first_name}},", "See you soon,"),
        CampaignTone::Professional => ("Dear {{contact.first_name}},", "Kind regards,"),
    };
    let topic = (kind == CampaignKind::Announcement).then(|| announcement_topic(&input.goal));

    let (subject, preheader, lead) = match kind {
        CampaignKind::Recall => (
            format!("Your {scan} is due"),
            "Book a time that suits you, online in a minute.".to_owned(),
            vec![Para::Text(format!(
                "Our records show it is time for your next {scan}. Keeping to the schedule your doctor \
                 recommended means any change is found early, when it is easiest to treat."
            ))],
        ),
        CampaignKind::Reactivation => (
            format!("Still need your {scan}? We can fit you in"),
            "Times this week and next, and we can help with the referral.".to_owned(),
            vec![Para::Text(format!(
                "{} asked us about {} and we would still be glad to help. We have times available \
                 this week and next, and if you are waiting on a referral we can contact your doctor for you.",
                match input.segment.inactive_days {
                    Some(days) if days >= 60 => "A while ago you",
                    _ => "Recently you",
                },
                with_article(&scan)
            ))],
        ),
        CampaignKind::Rebook => (
            format!("Let's find a new time for your {scan}"),
            "It takes a minute to choose another time.".to_owned(),
            vec![Para::Text(format!(
                "We missed you at your recent appointment. Your {scan} is still important, so we have kept \
                 times open for you to choose from — morning, afternoon and some evenings."
            ))],
        ),
        CampaignKind::Announcement => {
            let topic = topic.clone().unwrap_or_default();
            (
                "News from {{location.name}}".to_owned(),
                "Something new for our patients.".to_owned(),
                vec![Para::Quoted("We are pleased to share some news: ", topic, ".")],
            )
        }
        CampaignKind::General => (
            "News from {{location.name}}".to_owned(),
            "What's new at the clinic this month.".to_owned(),
            vec![Para::Text(
                "Here is what is new at the clinic, and a reminder that booking a scan takes a minute online."
                    .to_owned(),
            )],
        ),
    };

    let mut paragraphs = vec![Para::Text(greeting.to_owned())];
    paragraphs.extend(lead);
    if let Some(prep) = modality.and_then(preparation) {
        paragraphs.push(Para::Text(prep.to_owned()));
    }
    paragraphs.push(Para::Link(
        "Choose a time online at ",
        "{{booking_url}}",
        " or reply to this email and we will call you.",
    ));
    paragraphs.push(Para::Text(format!("{sign_off}\nThe team at {{{{location.name}}}}")));
    paragraphs.push(Para::Small(
        "You are receiving this because you agreed to hear from us. Unsubscribe: ",
        "{{unsubscribe_url}}",
    ));

    CampaignDraft {
        kind,
        subject,
        preheader,
        html: paragraphs.iter().map(Para::html).collect::<Vec<_>>().join("\n"),
        text: paragraphs.iter().map(Para::text).collect::<Vec<_>>().join("\n\n"),
        rationale,
    }
}

/// A paragraph of a draft, written as HTML or as text.
enum Para {
    Text(String),
    /// Before, staff words (escaped in HTML), after.
    Quoted(&'static str, String, &'static str),
    /// Before, a link (a placeholder), after.
    Link(&'static str, &'static str, &'static str),
    /// The footer.
    Small(&'static str, &'static str),
}

impl Para {
    fn html(&self) -> String {
        match self {
            Para::Text(text) => format!("<p>{}</p>", escape(text).replace('\n', "<br>")),
            Para::Quoted(before, words, after) => format!("<p>{before}{}{after}</p>", escape(words)),
            Para::Link(before, url, after) => format!("<p>{before}<a href=\"{url}\">{url}</a>{after}</p>"),
            Para::Small(before, url) => format!("<p><small>{before}<a href=\"{url}\">{url}</a></small></p>"),
        }
    }

    fn text(&self) -> String {
        match self {
            Para::Text(text) => text.clone(),
            Para::Quoted(before, words, after) => format!("{before}{words}{after}"),
            Para::Link(before, url, after) => format!("{before}{url}{after}"),
            Para::Small(before, url) => format!("{before}{url}"),
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// "MRI scan", "mammogram", "ultrasound".
fn scan_name(modality: Modality) -> String {
    match modality {
        Modality::Mri => "MRI scan",
        Modality::Ct => "CT scan",
        Modality::Ultrasound => "ultrasound",
        Modality::Xray => "X-ray",
        Modality::Mammography => "mammogram",
    }
    .to_owned()
}

fn with_article(noun: &str) -> String {
    let vowel_sound = noun.starts_with(['a', 'e', 'i', 'o', 'u', 'M', 'X']);
    format!("{} {noun}", if vowel_sound { "an" } else { "a" })
}

/// What a patient should know before the scan, where there is something.
fn preparation(modality: Modality) -> Option<&'static str> {
    match modality {
        Modality::Mri => Some(
            "Please bring your referral and tell us about any implants or metal in your body when you book.",
        ),
        Modality::Ct => {
            Some("Some CT scans need you to fast for a few hours; we will tell you when you book.")
        }
        Modality::Mammography => {
            Some("On the day, please avoid deodorant or talcum powder, which can show on the images.")
        }
        Modality::Ultrasound => {
            Some("Some ultrasounds need a full bladder or fasting; we will tell you when you book.")
        }
        Modality::Xray => None,
    }
}

/// The news in an announcement's goal: the goal without the clinic's instruction to itself
/// ("Announce our new 3T MRI" → "our new 3T MRI").
fn announcement_topic(goal: &str) -> String {
    let trimmed = goal.trim().trim_end_matches(['.', '!']);
    for lead in ANNOUNCE_LEADS {
        // The leads are ASCII, so their length is a character boundary when they match.
        if trimmed.get(..lead.len()).is_some_and(|start| start.eq_ignore_ascii_case(lead))
            && let Some(rest) = trimmed.get(lead.len()..)
            && rest.starts_with(' ')
        {
            return rest.trim().to_owned();
        }
    }
    trimmed.to_owned()
}

/// Lower case; apostrophes kept; other punctuation as spaces.
fn normalise(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '\u{2019}' | '\'' => '\'',
            c if c.is_alphanumeric() => c.to_lowercase().next().unwrap_or(c),
            _ => ' ',
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SegmentFacts;

    fn input(goal: &str, modality: Option<Modality>) -> CampaignDraftInput {
        CampaignDraftInput {
            goal: goal.into(),
            segment: SegmentFacts { modality, ..SegmentFacts::default() },
            tone: CampaignTone::Friendly,
        }
    }

    #[test]
    fn the_goal_decides_the_kind_of_campaign() {
        let cases = [
            ("Remind women due for their yearly mammogram", CampaignKind::Recall),
            ("Win back enquiries that never booked", CampaignKind::Reactivation),
            ("Rebook last month's no-shows", CampaignKind::Rebook),
            ("Announce our new 3T MRI at Brisbane North", CampaignKind::Announcement),
            ("Monthly newsletter", CampaignKind::General),
            ("Follow up patients who missed their scan, including new ones", CampaignKind::Rebook),
        ];
        for (goal, kind) in cases {
            assert_eq!(draft(&input(goal, None)).kind, kind, "{goal}");
        }
    }

    #[test]
    fn a_draft_has_a_subject_both_bodies_and_the_unsubscribe_line() {
        let d = draft(&input("Remind women due for their yearly mammogram", Some(Modality::Mammography)));
        assert_eq!(d.subject, "Your mammogram is due");
        assert!(d.text.starts_with("Hi {{contact.first_name}},"));
        assert!(d.text.contains("deodorant"), "{}", d.text);
        assert!(d.html.contains("<a href=\"{{unsubscribe_url}}\">"));
        assert!(d.text.contains("Unsubscribe: {{unsubscribe_url}}"));
        assert_eq!(
            d.rationale,
            vec!["recall: \u{201c}yearly\u{201d}".to_owned(), "modality: Mammography".to_owned()]
        );
        let formal = draft(&CampaignDraftInput {
            tone: CampaignTone::Professional,
            ..input("Monthly newsletter", None)
        });
        assert!(formal.text.starts_with("Dear {{contact.first_name}},"));
        assert!(formal.text.contains("Kind regards,"));
    }

    #[test]
    fn an_announcements_topic_is_the_clinics_words_escaped_in_html() {
        let d = draft(&input("Announce our new <b>3T</b> MRI & longer hours!", None));
        assert!(d.text.contains("some news: our new <b>3T</b> MRI & longer hours."), "{}", d.text);
        assert!(d.html.contains("our new &lt;b&gt;3T&lt;/b&gt; MRI &amp; longer hours."), "{}", d.html);
        assert!(!d.html.contains("<b>"));
    }

    #[test]
    fn the_same_goal_always_gives_the_same_draft() {
        let i = input("Win back enquiries that never booked", Some(Modality::Mri));
        assert_eq!(draft(&i), draft(&i));
        assert!(draft(&i).text.contains("about an MRI scan"), "{}", draft(&i).text);
    }
}
