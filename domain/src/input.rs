//! Input newtypes that parse (and normalise) once, so the rest of the code can trust them.

/// A lower-cased email address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err("is required".into());
        }
        if value.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(NOT_AN_EMAIL.into());
        };
        let domain_ok = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.');
        if local.is_empty() || !domain_ok || domain.contains('@') || value.chars().any(char::is_whitespace) {
            return Err(NOT_AN_EMAIL.into());
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

/// A new password: long enough to resist guessing, short enough to hash quickly.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<NewPassword, String> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if chars > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// A short human label (names, token names): at most `max` characters as sent, no control
/// characters, not blank; returned trimmed. The length counts what was sent, spaces included,
/// so it is the same rule the API documents as `maxLength` ([`LABEL_PATTERN`] for the rest).
pub fn label(raw: &str, max: usize) -> Result<String, String> {
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if raw.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    let value = raw.trim();
    if value.is_empty() {
        return Err("is required".into());
    }
    Ok(value.to_owned())
}

/// An optional label: blank (or only spaces) is "none"; otherwise as [`label`].
pub fn optional_label(raw: &str, max: usize) -> Result<Option<String>, String> {
    if raw.trim().is_empty() && !raw.chars().any(char::is_control) {
        return Ok(None);
    }
    label(raw, max).map(Some)
}

/// Free text over several lines (notes): at most `max` characters as sent; tabs and line breaks
/// allowed, other control characters not. Blank is "none".
pub fn optional_prose(raw: &str, max: usize) -> Result<Option<String>, String> {
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if raw.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err("must not contain control characters other than tabs and line breaks".into());
    }
    let value = raw.trim();
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// Required free text over several lines (a note's summary): as [`optional_prose`], not blank.
pub fn prose(raw: &str, max: usize) -> Result<String, String> {
    optional_prose(raw, max)?.ok_or_else(|| "is required".to_owned())
}

/// An amount of dollars as a person types it ("450", "$450.5", "1,200.00") in cents, exactly
/// (no floating point); at most two decimals, not negative, at most $1,000,000.
pub fn dollars_to_cents(raw: &str) -> Result<i64, String> {
    const PROBLEM: &str = "must be an amount in dollars like 450 or 450.50";
    let text: String = raw.trim().trim_start_matches('$').chars().filter(|c| *c != ',').collect();
    let (whole, cents) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 7 || cents.len() > 2 || !digits(whole) || !digits(cents) {
        return Err(PROBLEM.to_owned());
    }
    let whole: i64 = whole.parse().map_err(|_| PROBLEM.to_owned())?;
    let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| PROBLEM.to_owned())?;
    let total = whole * 100 + cents;
    if total > 100_000_000 {
        return Err("must be at most $1,000,000".to_owned());
    }
    Ok(total)
}

/// [`label`]'s rule as a JSON Schema pattern, for the OpenAPI document: no control character
/// (`char::is_control`: U+0000–U+001F, U+007F–U+009F) and at least one character that is
/// neither that nor white space (`char::is_whitespace`).
pub const LABEL_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*\
    [^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]\
    [^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// [`optional_label`]'s rule: no control character (blank is allowed and means "none").
pub const OPTIONAL_LABEL_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// [`prose`]'s rule: as [`PROSE_PATTERN`], with at least one character that is not white space.
pub const REQUIRED_PROSE_PATTERN: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*\
    [^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]\
    [^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";
/// [`optional_prose`]'s rule: no control character but tab, line feed and carriage return.
pub const PROSE_PATTERN: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";

/// Reads an optional whole number the way JSON Schema defines `integer`: `3` and `3.0` alike
/// (any number without a fractional part), within `i64`. serde alone refuses `3.0`.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::Deserialize;
    const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;
    use serde::de::Error;
    let Some(number) = Option::<serde_json::Number>::deserialize(d)? else { return Ok(None) };
    if let Some(n) = number.as_i64() {
        return Ok(Some(n));
    }
    match number.as_f64() {
        // Strictly inside ±2^63: a number just past either end rounds onto it as an f64, and
        // the conversion would saturate.
        Some(f) if f.fract() == 0.0 && f > -TWO_TO_63 && f < TWO_TO_63 => Ok(Some(f as i64)),
        _ => Err(D::Error::custom(format!("{number} is not a whole number within the 64-bit range"))),
    }
}

/// A ULID as the API writes it (Crockford base 32, upper case, 26 characters, at most
/// `7ZZZ…`), exactly the strings [`ULID_PATTERN`] admits; `ulid` alone also takes lower case.
pub fn ulid(raw: &str) -> Option<ulid::Ulid> {
    const DIGITS: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let shaped = raw.len() == 26
        && raw.starts_with(|c: char| ('0'..='7').contains(&c))
        && raw.chars().all(|c| DIGITS.contains(c));
    if shaped { ulid::Ulid::from_string(raw).ok() } else { None }
}

/// Refuses a filter value holding control characters (PostgreSQL cannot even compare text with
/// a NUL); the API documents the rule as [`OPTIONAL_LABEL_PATTERN`].
pub fn no_control_characters(fields: &[(&str, Option<&str>)]) -> Result<(), crate::DomainError> {
    match fields.iter().find(|(_, value)| value.is_some_and(|v| v.chars().any(char::is_control))) {
        Some((field, _)) => Err(crate::DomainError::field(field, "must not contain control characters")),
        None => Ok(()),
    }
}

/// [`ulid`]'s rule as a JSON Schema pattern.
pub const ULID_PATTERN: &str = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$";

/// Declares a type that only describes, in the OpenAPI document, a text field's rule (a
/// pattern above and a maximum length). Fields use it as `#[schema(value_type = …, inline)]`.
macro_rules! text_rule {
    ($(#[doc = $doc:literal])* $name:ident: $pattern:expr, at most $max:literal) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .max_length(Some($max))
                    .pattern(Some($pattern))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

/// For `#[serde(default, deserialize_with = "present")]`: tells a field left out (`None`: keep)
/// from one sent as `null` (`Some(None)`: clear).
pub fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// Text rules as the OpenAPI document states them (see [`label`], [`optional_label`],
/// [`optional_prose`]); the numbers are the limits the services pass to those functions.
pub mod rules {
    use super::{LABEL_PATTERN, OPTIONAL_LABEL_PATTERN, PROSE_PATTERN, REQUIRED_PROSE_PATTERN, ULID_PATTERN};

    text_rule!(
        /// An id as the API writes it: a ULID in upper case.
        Ulid: ULID_PATTERN, at most 26
    );

    text_rule!(
        /// A required name or title: not blank, no control characters.
        Label100: LABEL_PATTERN, at most 100
    );
    text_rule!(Label40: LABEL_PATTERN, at most 40);
    text_rule!(Label80: LABEL_PATTERN, at most 80);
    text_rule!(Label200: LABEL_PATTERN, at most 200);
    text_rule!(Label2000: LABEL_PATTERN, at most 2000);
    text_rule!(Label500: LABEL_PATTERN, at most 500);
    text_rule!(Label60: LABEL_PATTERN, at most 60);
    text_rule!(
        /// Optional text: blank means none; no control characters.
        OptionalLabel40: OPTIONAL_LABEL_PATTERN, at most 40
    );
    text_rule!(OptionalLabel100: OPTIONAL_LABEL_PATTERN, at most 100);
    text_rule!(OptionalLabel200: OPTIONAL_LABEL_PATTERN, at most 200);
    text_rule!(
        /// Free text over several lines: tabs and line breaks allowed; blank means none.
        Prose5000: PROSE_PATTERN, at most 5000
    );
    text_rule!(Prose2000: PROSE_PATTERN, at most 2000);
    text_rule!(
        /// Free text over several lines, not blank: tabs and line breaks allowed.
        RequiredProse2000: REQUIRED_PROSE_PATTERN, at most 2000
    );
    text_rule!(RequiredProse1600: REQUIRED_PROSE_PATTERN, at most 1600);

    /// An SMS body as the OpenAPI document states it: not blank, and either up to 1,530
    /// characters of the GSM 7-bit basic alphabet (10 parts of 153) or up to 330 characters of
    /// anything else (10 UCS-2 parts of 67 units, an emoji taking two and never split). The server's rule is the
    /// exact one, 10 parts whatever the mix; every body the document admits is accepted.
    pub struct SmsBody;

    impl utoipa::PartialSchema for SmsBody {
        fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
            use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Type};
            let gsm7: String =
                crate::segments::BASIC.chars().map(|c| format!("\\u{:04x}", u32::from(c))).collect();
            let plain = ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(1530))
                .pattern(Some(format!("^[{gsm7}]*$")));
            let other = ObjectBuilder::new().schema_type(Type::String).max_length(Some(330));
            let not_blank = ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(1600))
                .pattern(Some(REQUIRED_PROSE_PATTERN));
            AllOfBuilder::new()
                .item(not_blank)
                .item(AnyOfBuilder::new().item(plain).item(other))
                .description(Some("At most 10 SMS parts: 1,530 GSM-7 characters, or 330 others."))
                .into()
        }
    }

    impl utoipa::ToSchema for SmsBody {}
    text_rule!(RequiredProse20000: REQUIRED_PROSE_PATTERN, at most 20000);
    text_rule!(Prose100000: PROSE_PATTERN, at most 100000);
}

#[cfg(test)]
mod tests {
    #[test]
    fn dollars_are_read_exactly_in_cents() {
        assert_eq!(super::dollars_to_cents("450"), Ok(45_000));
        assert_eq!(super::dollars_to_cents(" $450.5 "), Ok(45_050));
        assert_eq!(super::dollars_to_cents("1,200.05"), Ok(120_005));
        assert_eq!(super::dollars_to_cents("0.29"), Ok(29));
        for bad in ["", "-5", "4.505", "abc", "$", "1e3", "1.2.3", "99999999"] {
            assert!(super::dollars_to_cents(bad).is_err(), "{bad} was read as dollars");
        }
        assert_eq!(super::dollars_to_cents("1000000"), Ok(100_000_000));
        assert!(super::dollars_to_cents("1000000.01").is_err());
    }

    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(Email::parse("  Amelia.Hart@Avatar.TEST ").unwrap().as_str(), "amelia.hart@avatar.test");
        assert_eq!(Email::parse("a@clinic.com.au").unwrap().domain(), "clinic.com.au");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in ["", "amelia", "@clinic.com", "amelia@", "amelia@clinic", "a b@clinic.com", "a@b@c.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("avatar-demo").is_ok());
        assert_eq!(format!("{:?}", NewPassword::parse("avatar-demo").unwrap()), "NewPassword(…)");
    }

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(label("  Reporting script ", 80).unwrap(), "Reporting script");
        assert!(label("   ", 80).is_err());
        assert!(label(&"x".repeat(81), 80).is_err());
        assert!(label("bad\u{0}name", 80).is_err());
        assert!(label(&format!(" {} ", "x".repeat(79)), 80).is_err(), "counted as sent");
        assert!(label("\nname", 80).is_err(), "a line break is a control character");
    }

    #[test]
    fn whole_numbers_are_read_as_json_schema_reads_integers() {
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(default, deserialize_with = "whole_number")]
            n: Option<i64>,
        }
        let read = |json: &str| serde_json::from_str::<Body>(json).map(|b| b.n).map_err(|e| e.to_string());
        assert_eq!(read(r#"{"n": 3}"#), Ok(Some(3)));
        assert_eq!(read(r#"{"n": -51865.0}"#), Ok(Some(-51865)));
        assert_eq!(read(r#"{"n": null}"#), Ok(None));
        assert_eq!(read("{}"), Ok(None));
        assert_eq!(read(r#"{"n": -9223372036854775808}"#), Ok(Some(i64::MIN)));
        for out_of_range in
            [r#"{"n": 2.5}"#, r#"{"n": -9223372036854775809}"#, r#"{"n": 1e19}"#, r#"{"n": "3"}"#]
        {
            assert!(read(out_of_range).is_err(), "{out_of_range}");
        }
    }

    #[test]
    fn ulids_are_taken_only_as_the_api_writes_them() {
        assert!(ulid("01K0N0C0NTACT0000000000000").is_some());
        for bad in [
            "01k0n0c0ntact0000000000000",
            "81K0N0C0NTACT0000000000000",
            "01K0N0C0NTACT000000000000",
            "01K0N0C0NTACTI000000000000",
        ] {
            assert!(ulid(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn optional_texts_are_none_when_blank() {
        assert_eq!(optional_label("  ", 10), Ok(None));
        assert_eq!(optional_label(" Dr Raman ", 20), Ok(Some("Dr Raman".into())));
        assert!(optional_label("\t", 10).is_err());
        assert_eq!(optional_prose("line one\nline two\n", 50), Ok(Some("line one\nline two".into())));
        assert_eq!(optional_prose(" \n ", 50), Ok(None));
        assert!(optional_prose("bell\u{7}", 50).is_err());
    }
}

/// Said of anything that cannot be an Australian or international number; a whole sentence,
/// so the form shows it as it is.
const NOT_A_PHONE: &str = "That doesn't look like a phone number — try 0412 345 678 or +61 412 345 678.";
/// Said of anything that cannot be an email address.
pub const NOT_AN_EMAIL: &str = "That doesn't look like an email address — try name@clinic.com.au.";

/// A phone number in E.164 (`+61412345678`), parsed from any common format; numbers without
/// a country code are read as Australian.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is required".into());
        }
        if raw.len() > 40 {
            return Err("is too long for a phone number".into());
        }
        let number = phonenumber::parse(Some(phonenumber::country::Id::AU), raw)
            .map_err(|_| NOT_A_PHONE.to_owned())?;
        if !phonenumber::is_valid(&number) {
            return Err(NOT_A_PHONE.into());
        }
        Ok(Phone(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod phone_tests {
    use super::*;

    #[test]
    fn phones_in_any_format_become_e164() {
        for raw in ["0412 345 678", "+61 412 345 678", "(04) 1234 5678", "61412345678", "+61412345678"] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "+61412345678", "{raw}");
        }
        assert_eq!(Phone::parse("(02) 9200 0100").unwrap().as_str(), "+61292000100");
        assert_eq!(Phone::parse("+1 415 555 2671").unwrap().as_str(), "+14155552671");
    }

    #[test]
    fn non_numbers_are_refused() {
        for bad in ["", "hello", "123", "0412 345 678 999 999 999"] {
            assert!(Phone::parse(bad).is_err(), "{bad:?}");
        }
    }
}
