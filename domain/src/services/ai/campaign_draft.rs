//! A campaign's first draft from its goal and facts about its audience.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Value, json};

use super::builtin;
use super::engine::{AiFunction, Engine, Question, fit};
use super::redact::Redactions;
use super::usage;
use crate::access::Permission;
use crate::error::Validator;
use crate::input::{label, optional_label};
use crate::model::{CampaignDraft, CampaignDraftInput, CampaignKind, CampaignTone};
use crate::{Actor, Db, DomainError};

pub const MAX_GOAL: usize = 500;
const MAX_SEGMENT: u32 = 10_000_000;
const MAX_INACTIVE_DAYS: u32 = 3650;
const MAX_SUBJECT: usize = 150;
const MAX_BODY: usize = 20_000;

/// Writes a draft with the configured engine (the built-in one when a model fails or the budget
/// is spent) and logs the call.
pub async fn draft(
    db: &Db,
    engine: &Engine,
    actor: &Actor,
    input: &CampaignDraftInput,
) -> Result<CampaignDraft, DomainError> {
    actor.require(Permission::CampaignsWrite)?;
    let input = checked(input)?;
    let prompt = |redactions: &mut Redactions| {
        let segment = &input.segment;
        format!(
            "Goal: {}\nAudience: {}{}{}{}\nTone: {}",
            redactions.redact_free_text(&input.goal, &[]),
            segment.size.map_or_else(|| "patients".to_owned(), |n| format!("{n} patients")),
            segment.modality.map(|m| format!(", about {}", m.label())).unwrap_or_default(),
            segment.location.as_deref().map(|l| format!(", of the {l} location")).unwrap_or_default(),
            segment.inactive_days.map(|d| format!(", last in touch about {d} days ago")).unwrap_or_default(),
            match input.tone {
                CampaignTone::Friendly => "friendly",
                CampaignTone::Professional => "professional",
            },
        )
    };
    let builtin = || builtin::campaign_draft::draft(&input);
    let read = |json: &Value, redactions: &Redactions| read_answer(json, redactions);
    let question = Question {
        function: AiFunction::CampaignDraft,
        system: SYSTEM,
        schema: schema(),
        prompt: &prompt,
        read: &read,
        builtin: &builtin,
    };
    usage::ask_logged(db, engine, question).await
}

/// The input with every field checked (all problems at once) and trimmed.
fn checked(input: &CampaignDraftInput) -> Result<CampaignDraftInput, DomainError> {
    let mut v = Validator::default();
    let goal = v.check("goal", label(&input.goal, MAX_GOAL));
    let location = match &input.segment.location {
        Some(raw) => v.check("segment.location", optional_label(raw, 100)).flatten(),
        None => None,
    };
    if input.segment.size.is_some_and(|n| n > MAX_SEGMENT) {
        v.check::<()>("segment.size", Err(format!("must be at most {MAX_SEGMENT}")));
    }
    if input.segment.inactive_days.is_some_and(|d| d > MAX_INACTIVE_DAYS) {
        v.check::<()>("segment.inactive_days", Err(format!("must be at most {MAX_INACTIVE_DAYS}")));
    }
    v.finish()?;
    let mut out = input.clone();
    out.goal = goal.unwrap_or_default();
    out.segment.location = location;
    Ok(out)
}

const SYSTEM: &str = "You write the first draft of an email campaign for a medical imaging clinic in \
Australia, in Australian English, plain and warm, never alarming, with no medical claims or prices. Use these \
placeholders exactly where they belong: {{contact.first_name}} in the greeting, {{location.name}} for the \
clinic, {{booking_url}} for the booking link and {{unsubscribe_url}} in a last line offering to unsubscribe. \
The HTML body uses only p, a, strong, em, ul, ol, li and br. Placeholders such as [NAME_1] stand for details \
removed for privacy. Answer with JSON only.";

/// The JSON schema of a draft as a model must give it.
pub fn schema() -> Value {
    let kinds: Vec<&str> = CampaignKind::ALL.iter().map(|k| k.as_str()).collect();
    json!({
        "type": "object",
        "properties": {
            "kind": { "type": "string", "enum": kinds },
            "subject": { "type": "string", "minLength": 1, "maxLength": MAX_SUBJECT },
            "preheader": { "type": "string", "maxLength": 200 },
            "html": { "type": "string", "minLength": 1, "maxLength": MAX_BODY },
            "text": { "type": "string", "minLength": 1, "maxLength": MAX_BODY },
        },
        "required": ["kind", "subject", "preheader", "html", "text"],
        "additionalProperties": false,
    })
}

/// Checks a model's draft against [`schema`], restores what was redacted and cuts the HTML
/// down to the tags a campaign email uses.
fn read_answer(json: &Value, redactions: &Redactions) -> Result<CampaignDraft, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Answer {
        kind: String,
        subject: String,
        preheader: String,
        html: String,
        text: String,
    }
    let answer: Answer = fit(json)?;
    let kind =
        CampaignKind::parse(&answer.kind).ok_or_else(|| "the kind is not one of the five".to_owned())?;
    let subject = answer.subject.trim();
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT || subject.contains(['\n', '\r']) {
        return Err(format!("the subject must be one line of 1 to {MAX_SUBJECT} characters"));
    }
    if answer.preheader.chars().count() > 200 {
        return Err("the preheader is over 200 characters".to_owned());
    }
    for (field, body) in [("html", &answer.html), ("text", &answer.text)] {
        if body.trim().is_empty() || body.chars().count() > MAX_BODY {
            return Err(format!("the {field} body must be 1 to {MAX_BODY} characters"));
        }
    }
    if !answer.text.contains("{{unsubscribe_url}}") || !answer.html.contains("{{unsubscribe_url}}") {
        return Err("the draft has no unsubscribe link".to_owned());
    }
    Ok(CampaignDraft {
        kind,
        subject: redactions.restore(subject),
        preheader: redactions.restore(answer.preheader.trim()),
        html: sanitise(&redactions.restore(&answer.html)),
        text: redactions.restore(answer.text.trim()),
        rationale: vec![format!("{}: the model's reading of the goal", kind.as_str())],
    })
}

/// Only paragraphs, links (http, https, mailto, tel or a placeholder), emphasis and lists.
pub fn sanitise(html: &str) -> String {
    let tags: HashSet<&str> =
        ["p", "a", "strong", "em", "ul", "ol", "li", "br", "small"].into_iter().collect();
    let schemes: HashSet<&str> = ["http", "https", "mailto", "tel"].into_iter().collect();
    ammonia::Builder::default()
        .tags(tags)
        .generic_attributes(HashSet::new())
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_models_html_keeps_only_what_an_email_needs() {
        let clean = sanitise(
            "<p onclick=\"x()\">Hi <script>alert(1)</script><strong>{{contact.first_name}}</strong></p>\
             <img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">bad</a><a href=\"{{booking_url}}\">Book</a>",
        );
        assert!(!clean.contains("script") && !clean.contains("onclick") && !clean.contains("img"), "{clean}");
        assert!(!clean.contains("javascript"), "{clean}");
        assert!(clean.contains("<strong>{{contact.first_name}}</strong>"), "{clean}");
        assert!(clean.contains("href=\"{{booking_url}}\""), "{clean}");
    }

    #[test]
    fn an_answer_outside_the_schema_or_without_unsubscribe_is_refused() {
        let good = json!({ "kind": "recall", "subject": "Your scan is due", "preheader": "",
            "html": "<p>Hi</p><p>{{unsubscribe_url}}</p>", "text": "Hi\n{{unsubscribe_url}}" });
        assert!(read_answer(&good, &Redactions::default()).is_ok());
        let mut no_unsubscribe = good.clone();
        no_unsubscribe["text"] = json!("Hi");
        assert!(read_answer(&no_unsubscribe, &Redactions::default()).is_err());
        let mut bad_kind = good.clone();
        bad_kind["kind"] = json!("spam");
        assert!(read_answer(&bad_kind, &Redactions::default()).is_err());
        let mut two_lines = good;
        two_lines["subject"] = json!("A\nB");
        assert!(read_answer(&two_lines, &Redactions::default()).is_err());
    }
}
