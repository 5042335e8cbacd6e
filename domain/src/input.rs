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
            return Err("must be an email address such as name@clinic.com.au".into());
        };
        let domain_ok = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.');
        if local.is_empty() || !domain_ok || domain.contains('@') || value.chars().any(char::is_whitespace) {
            return Err("must be an email address such as name@clinic.com.au".into());
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

/// A short human label (names, token names): trimmed, 1..=max characters, no control chars.
pub fn label(raw: &str, max: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err("is required".into());
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
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
    }
}

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
            .map_err(|_| "is not a phone number, e.g. 0412 345 678 or +61 412 345 678".to_owned())?;
        if !phonenumber::is_valid(&number) {
            return Err("is not a valid phone number".into());
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
