//! Where a browser goes after signing in: only ever a path on this site.

/// Percent-encodes a path for use as a query value.
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `next` target is only ever a path on this site. It is parsed the way a browser parses a
/// link (WHATWG URL rules: tabs and newlines dropped, a backslash read as `/`) against a placeholder
/// origin; anything that leaves that origin (`//evil.example`, `/\t/evil.example`, a full
/// URL, `javascript:`) becomes `/`. What is returned is the parsed path, query and fragment,
/// percent-encoded, so it is always a valid `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    static HERE: std::sync::LazyLock<Option<url::Url>> =
        std::sync::LazyLock::new(|| url::Url::parse("http://this-site.invalid/").ok());
    let (Some(here), Some(next)) = (HERE.as_ref(), next) else { return "/".to_owned() };
    match here.join(next) {
        Ok(target) if target.origin() == here.origin() => target[url::Position::BeforePath..].to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn next_targets_stay_on_this_site() {
        assert_eq!(safe_next(Some("/contacts?q=a")), "/contacts?q=a");
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        // Characters browsers drop or rewrite do not smuggle a host in.
        for evil in [
            "/\t/evil.example/phish",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            " //evil.example",
            "\t//evil.example",
            "javascript:alert(1)",
            "https:/evil.example",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
        // Same-site targets survive, normalised into a valid header value.
        assert_eq!(safe_next(Some("/contacts/01K?q=Ann Lee#x")), "/contacts/01K?q=Ann%20Lee#x");
        assert_eq!(safe_next(Some("/%0A/evil.example")), "/%0A/evil.example");
        assert_eq!(safe_next(Some("/a/../settings")), "/settings");
        // A same-scheme "relative URL" is a path here, as in a browser.
        assert_eq!(safe_next(Some("http:evil.example")), "/evil.example");
        assert!(axum::http::HeaderValue::from_str(&safe_next(Some("/é\u{7f}"))).is_ok());
    }

    #[test]
    fn paths_are_encoded_as_query_values() {
        assert_eq!(urlencode("/a b?c=d&e"), "/a%20b%3Fc%3Dd%26e");
    }
}
