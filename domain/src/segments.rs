//! How many SMS parts a text takes, as carriers count them (3GPP TS 23.038 / 23.040): all in
//! the GSM 7-bit alphabet, 160 characters in one part or 153 per part when split (the rest of
//! each part holds the join header); the extension characters (`^ { } \ [ ~ ] | €` and form
//! feed) take two. Anything else sends the whole text as UCS-2: 70 UTF-16 units in one part,
//! 67 per part when split (an emoji is two units). A character is never split across parts.
//!
//! Pure and `no server`: the live counter under every message box runs it in the browser.

use serde::{Deserialize, Serialize};

/// The most parts one SMS of ours may take (10 × 153 plain characters); the server refuses more.
pub const MAX_PARTS: u32 = 10;

/// Which alphabet a text goes out in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// A text's size as an SMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Segments {
    pub encoding: Encoding,
    /// Parts the text is sent as (0 for an empty text).
    pub parts: u32,
    /// Septets (GSM 7-bit) or UTF-16 units (UCS-2) in all.
    pub units: u32,
    /// Units still free in the last part before another part is needed.
    pub remaining: u32,
}

/// The GSM 7-bit basic alphabet: one septet each.
pub const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const EXTENSION: &str = "^{}\\[~]|€\u{c}";

/// Septets `c` takes in GSM 7-bit, or `None` if it is not in the alphabet.
fn septets(c: char) -> Option<u32> {
    if BASIC.contains(c) {
        Some(1)
    } else if EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Packs characters of the given widths into parts of `per_part` units without splitting one.
fn pack(widths: impl Iterator<Item = u32>, per_part: u32) -> (u32, u32) {
    let (mut parts, mut used) = (1, 0);
    for width in widths {
        if used + width > per_part {
            parts += 1;
            used = 0;
        }
        used += width;
    }
    (parts, per_part - used)
}

/// How `text` goes out as an SMS.
pub fn count(text: &str) -> Segments {
    let gsm: Option<Vec<u32>> = text.chars().map(septets).collect();
    let (encoding, widths, single, multi) = match gsm {
        Some(widths) => (Encoding::Gsm7, widths, 160, 153),
        None => (Encoding::Ucs2, text.chars().map(|c| c.len_utf16() as u32).collect(), 70, 67),
    };
    let units: u32 = widths.iter().sum();
    if units == 0 {
        return Segments { encoding, parts: 0, units: 0, remaining: single };
    }
    if units <= single {
        return Segments { encoding, parts: 1, units, remaining: single - units };
    }
    let (parts, remaining) = pack(widths.into_iter(), multi);
    Segments { encoding, parts, units, remaining }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OpenAPI document's SMS body rule (`input::rules::SmsBody`) admits only bodies the
    /// server sends: its two bounds are exactly 10 parts at worst.
    #[test]
    fn the_documented_sms_body_bounds_fit_in_ten_parts() {
        assert_eq!(count(&"e".repeat(1530)).parts, MAX_PARTS);
        assert_eq!(count(&"e".repeat(1531)).parts, MAX_PARTS + 1);
        assert_eq!(count(&"\u{1f600}".repeat(330)).parts, MAX_PARTS, "emoji take two units, never split");
        assert_eq!(count(&"\u{1f600}".repeat(331)).parts, MAX_PARTS + 1);
        assert_eq!(count(&"{".repeat(330)).parts, 5, "extension characters take two septets");
    }

    #[test]
    fn plain_english_fits_160_in_one_part_then_153_a_part() {
        assert_eq!(
            count(&"a".repeat(160)),
            Segments { encoding: Encoding::Gsm7, parts: 1, units: 160, remaining: 0 }
        );
        assert_eq!(count(&"a".repeat(161)).parts, 2);
        assert_eq!(count(&"a".repeat(306)).parts, 2);
        assert_eq!(count(&"a".repeat(307)).parts, 3);
        assert_eq!(count(&"a".repeat(161)).remaining, 306 - 161);
        assert_eq!(count("").parts, 0);
    }

    #[test]
    fn extension_characters_take_two_and_are_never_split() {
        let reminder = "Your MRI is at 9:30 [Sydney CBD] — reply YES";
        // The em dash is not GSM: the whole text goes as UCS-2.
        assert_eq!(count(reminder).encoding, Encoding::Ucs2);
        let euro = "Fee €120";
        assert_eq!(count(euro), Segments { encoding: Encoding::Gsm7, parts: 1, units: 9, remaining: 151 });
        // 152 septets then a two-septet character: it moves whole to the second part.
        let edge = format!("{}{{{}", "a".repeat(152), "a".repeat(10));
        assert_eq!(count(&edge), Segments { encoding: Encoding::Gsm7, parts: 2, units: 164, remaining: 141 });
    }

    #[test]
    fn anything_outside_gsm_sends_as_ucs2_70_then_67() {
        assert_eq!(count(&"é".repeat(160)).encoding, Encoding::Gsm7, "é is in the GSM alphabet");
        let accent = "ã".repeat(70);
        assert_eq!(count(&accent), Segments { encoding: Encoding::Ucs2, parts: 1, units: 70, remaining: 0 });
        assert_eq!(count(&"ã".repeat(71)).parts, 2);
        assert_eq!(count(&"ã".repeat(134)).parts, 2);
        assert_eq!(count(&"ã".repeat(135)).parts, 3);
    }

    #[test]
    fn an_emoji_is_two_units_and_stays_whole() {
        assert_eq!(
            count("See you then 👍"),
            Segments { encoding: Encoding::Ucs2, parts: 1, units: 15, remaining: 55 }
        );
        // 66 units then an emoji (2 units) does not fit the first 67-unit part.
        let edge = format!("{}👍{}", "ã".repeat(66), "ã".repeat(3));
        assert_eq!(count(&edge).units, 71);
        assert_eq!(count(&edge).parts, 2);
    }
}
