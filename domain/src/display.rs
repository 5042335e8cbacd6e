//! How stored values read to a person (shared with the WASM UI, so no large crates here):
//! phone numbers in the national format an Australian clinic writes them, and instants as the
//! clinic's clock shows them ([`LocalTimes`], written on the server, which has the tz database).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The instants in a server answer, each as a person at the clinic reads it ("Tue 1 Dec,
/// 6:33 am AEST"): the server formats them in the right IANA zone, so the browser bundle needs
/// no tz database. Keyed by the instant in microseconds since 1970.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LocalTimes(Vec<(i64, String)>);

impl LocalTimes {
    /// Records how `at` reads.
    pub fn insert(&mut self, at: &DateTime<Utc>, text: String) {
        let key = at.timestamp_micros();
        if let Err(index) = self.0.binary_search_by_key(&key, |(k, _)| *k) {
            self.0.insert(index, (key, text));
        }
    }

    /// How `at` reads; an instant the server did not format reads in UTC, marked as such.
    pub fn show(&self, at: &DateTime<Utc>) -> String {
        let key = at.timestamp_micros();
        match self.0.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(index) => self.0[index].1.clone(),
            Err(_) => at.format("%a %-d %b %Y, %-I:%M %P UTC").to_string(),
        }
    }
}

/// A server answer with its instants as the clinic reads them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Zoned<T> {
    pub value: T,
    pub times: LocalTimes,
}

/// A whole number with thousands separators, as a person reads a count: "12,345".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A stored E.164 number as Australians write it: mobiles `0412 345 678`, landlines
/// `02 9200 0100`, `1300 123 456`, `13 22 11`. Numbers from other countries stay in their
/// international form (`+14155552671`), which is how they must be dialled from here.
pub fn national_phone(e164: &str) -> String {
    let Some(rest) = e164.strip_prefix("+61") else { return e164.to_owned() };
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return e164.to_owned();
    }
    let group = |parts: &[&str]| parts.join(" ");
    match rest.len() {
        // Mobiles (4…) and landlines (2, 3, 7, 8): nine digits after the country code.
        9 if rest.starts_with('4') || rest.starts_with('5') => {
            group(&[&format!("0{}", &rest[..3]), &rest[3..6], &rest[6..]])
        }
        9 if matches!(rest.as_bytes()[0], b'2' | b'3' | b'7' | b'8') => {
            group(&[&format!("0{}", &rest[..1]), &rest[1..5], &rest[5..]])
        }
        // 1300 and 1800 numbers.
        10 if rest.starts_with("1300") || rest.starts_with("1800") => {
            group(&[&rest[..4], &rest[4..7], &rest[7..]])
        }
        // 13 numbers.
        6 if rest.starts_with("13") => group(&[&rest[..2], &rest[2..4], &rest[4..]]),
        _ => format!("0{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_thousands_separators() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(123_456_789), "123,456,789");
    }

    #[test]
    fn australian_numbers_read_the_way_they_are_written() {
        assert_eq!(national_phone("+61412555019"), "0412 555 019");
        assert_eq!(national_phone("+61292000100"), "02 9200 0100");
        assert_eq!(national_phone("+61733334444"), "07 3333 4444");
        assert_eq!(national_phone("+611300123456"), "1300 123 456");
        assert_eq!(national_phone("+611800123456"), "1800 123 456");
        assert_eq!(national_phone("+61132211"), "13 22 11");
    }

    #[test]
    fn other_countries_and_odd_values_are_left_as_stored() {
        assert_eq!(national_phone("+14155552671"), "+14155552671");
        assert_eq!(national_phone("+447911123456"), "+447911123456");
        assert_eq!(national_phone("+61abc"), "+61abc");
        assert_eq!(national_phone(""), "");
    }
}
