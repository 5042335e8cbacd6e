//! Typo-tolerant name matching, shared by search and duplicate detection.
//!
//! A query matches a name when every query word is the start of some word of the name, or is
//! within a small edit distance of one (one typo in 6–8 letters, two from 9). The database
//! cannot rank by edit distance through an index, so search works in two steps: the index
//! finds names containing any of [`NameQuery::probes`] (substrings that must survive the
//! allowed typos, by the pigeonhole principle), then [`NameQuery::score`] ranks them here.

/// Trigram indexes (FTS5 trigram, pg_trgm) need at least three characters to use the index.
pub const MIN_PROBE_CHARS: usize = 3;

/// A parsed name query: lower-cased words, longest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameQuery {
    words: Vec<String>,
}

/// Lower-case words of a name or query; hyphens and spaces separate, other punctuation goes.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Typos tolerated in a word of `len` characters.
pub fn allowed_typos(len: usize) -> usize {
    match len {
        0..=5 => 0,
        6..=8 => 1,
        _ => 2,
    }
}

impl NameQuery {
    /// `None` when the text has no letters or digits.
    pub fn parse(text: &str) -> Option<NameQuery> {
        let mut words = words(text);
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        words.truncate(4);
        (!words.is_empty()).then_some(NameQuery { words })
    }

    pub fn longest_word(&self) -> &str {
        &self.words[0]
    }

    /// Substrings of the longest word, at least one of which any match must contain:
    /// with `k` typos allowed the word splits into `k + 1` pieces and a typo spoils at most
    /// one. Empty when the word is too short for the index (the caller falls back to a prefix scan).
    pub fn probes(&self) -> Vec<String> {
        let longest: Vec<char> = self.words[0].chars().collect();
        if longest.len() < MIN_PROBE_CHARS {
            return Vec::new();
        }
        let pieces = allowed_typos(longest.len()) + 1;
        let size = longest.len() / pieces;
        (0..pieces)
            .map(|i| {
                let end = if i + 1 == pieces { longest.len() } else { (i + 1) * size };
                longest[i * size..end].iter().collect()
            })
            .collect()
    }

    /// How far `first last` is from the query (0 = every word is an exact prefix); `None` if
    /// some query word matches no word of the name.
    pub fn score(&self, first_name: &str, last_name: &str) -> Option<usize> {
        let name_words: Vec<String> = words(first_name).into_iter().chain(words(last_name)).collect();
        let mut total = 0;
        for query_word in &self.words {
            total += name_words.iter().filter_map(|name_word| word_distance(query_word, name_word)).min()?;
        }
        Some(total)
    }
}

/// 0 when `query` starts `name`; else the typos between `query` and `name` (or the start of
/// `name` of about the same length), if within the allowance for `query`'s length.
fn word_distance(query: &str, name: &str) -> Option<usize> {
    if name.starts_with(query) {
        return Some(0);
    }
    let allowed = allowed_typos(query.chars().count());
    if allowed == 0 {
        return None;
    }
    let query_len = query.chars().count();
    let whole = strsim::osa_distance(query, name);
    // A typo in a prefix ("pembert" for "pemberton") compares with the name's start.
    let prefix = (query_len.saturating_sub(1)..=query_len + 1)
        .map(|len| strsim::osa_distance(query, &name.chars().take(len).collect::<String>()))
        .min()
        .unwrap_or(usize::MAX);
    let best = whole.min(prefix);
    // Prefix hits cost one extra so a full-word typo match outranks a partial one.
    (best <= allowed).then_some(if whole <= allowed { whole } else { best + 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> NameQuery {
        NameQuery::parse(text).expect("a query")
    }

    #[test]
    fn a_prefix_of_any_word_matches_exactly() {
        assert_eq!(q("pem").score("Jane", "Pemberton"), Some(0));
        assert_eq!(q("jane pem").score("Jane", "Pemberton"), Some(0));
        assert_eq!(q("PEMBERTON").score("Jane", "Pemberton"), Some(0));
        assert_eq!(q("smith").score("Anna", "Smith-Jones"), Some(0));
        assert_eq!(q("jones").score("Anna", "Smith-Jones"), Some(0));
    }

    #[test]
    fn typos_are_tolerated_in_longer_words() {
        assert_eq!(q("Pemberten").score("Jane", "Pemberton"), Some(1));
        assert_eq!(q("Pembreton").score("Jane", "Pemberton"), Some(1), "a swap is one typo");
        assert_eq!(q("Pmberton").score("Jane", "Pemberton"), Some(1), "a dropped letter");
        assert_eq!(q("Kathrine").score("Katherine", "Lee"), Some(1));
        assert_eq!(q("Pemberten").score("Jane", "Pembrook"), None);
        assert!(q("Pember").score("Jane", "Pemberton") < q("Pembet").score("Jane", "Pemberton"));
    }

    #[test]
    fn unrelated_or_short_mismatched_names_do_not_match() {
        assert_eq!(q("smyth").score("John", "Smith"), None, "five letters must match exactly");
        assert_eq!(q("Pemberten").score("Jane", "Patterson"), None);
        assert_eq!(q("jane nguyen").score("Jane", "Pemberton"), None, "every word must match");
    }

    #[test]
    fn probes_survive_the_allowed_typos() {
        assert_eq!(q("pemberten").probes(), vec!["pem", "ber", "ten"]);
        assert_eq!(q("jane pemberten").probes(), vec!["pem", "ber", "ten"], "the longest word is probed");
        assert_eq!(q("kathrine").probes(), vec!["kath", "rine"]);
        assert_eq!(q("smith").probes(), vec!["smith"]);
        assert!(q("jo").probes().is_empty());
        // Whatever the single typo, one probe of an 8-letter word survives in the right name.
        for typo in 0..8 {
            let mut misspelt: Vec<char> = "kathrine".chars().collect();
            misspelt[typo] = 'x';
            let misspelt: String = misspelt.into_iter().collect();
            assert!(q(&misspelt).probes().iter().any(|p| "katherine".contains(p.as_str())), "{misspelt}");
        }
    }

    #[test]
    fn punctuation_and_case_are_ignored() {
        assert_eq!(words("  O'Brien-Smith, Mary "), vec!["o'brien", "smith", "mary"]);
        assert_eq!(NameQuery::parse(" ,; "), None);
    }
}
