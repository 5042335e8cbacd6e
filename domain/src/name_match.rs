//! Typo-tolerant name matching, shared by search and duplicate detection.
//!
//! A query matches a name when every query word is the start of some word of the name, or is
//! within a small edit distance of one (one typo in 6–10 letters, two from 11). The database
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
    // Two typos only from 11 letters: below that, three pieces would be three-letter
    // trigrams common to thousands of names, and the index could no longer narrow the search.
    match len {
        0..=5 => 0,
        6..=10 => 1,
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

    /// Substrings of `word`, at least one of which any match must contain: with `k` typos
    /// allowed the word splits into `k + 1` pieces and a typo spoils at most one. Empty when
    /// the word is too short for a trigram index.
    fn pieces(word: &str) -> Vec<String> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < MIN_PROBE_CHARS {
            return Vec::new();
        }
        let count = allowed_typos(chars.len()) + 1;
        let size = chars.len() / count;
        (0..count)
            .map(|i| {
                let end = if i + 1 == count { chars.len() } else { (i + 1) * size };
                chars[i * size..end].iter().collect()
            })
            .collect()
    }

    /// The longest word's pieces (see [`NameQuery::probe_groups`]).
    pub fn probes(&self) -> Vec<String> {
        Self::pieces(&self.words[0])
    }

    /// Each word long enough to index, with its pieces.
    pub fn probed_words(&self) -> Vec<(&str, Vec<String>)> {
        self.words.iter().map(|w| (w.as_str(), Self::pieces(w))).filter(|(_, p)| !p.is_empty()).collect()
    }

    /// Whether every word is long enough for the trigram index (none needs a prefix scan).
    pub fn every_word_probed(&self) -> bool {
        self.words.iter().all(|w| w.chars().count() >= MIN_PROBE_CHARS)
    }

    /// One group of pieces per word long enough to index: a match contains at least one piece
    /// of every group. Empty when no word is long enough (the caller scans by prefix).
    pub fn probe_groups(&self) -> Vec<Vec<String>> {
        self.words.iter().map(|w| Self::pieces(w)).filter(|g| !g.is_empty()).collect()
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

/// How well `query_word` matches the best word of `text` (as in [`NameQuery::score`]); `None`
/// when it matches none (neither a prefix nor within the typo allowance).
pub fn text_distance(query_word: &str, text: &str) -> Option<usize> {
    words(text).iter().filter_map(|word| word_distance(query_word, word)).min()
}

/// 0 when `query` starts `name`; else the typos between `query` and `name` (or the start of
/// `name` of about the same length), if within the allowance for `query`'s length.
fn word_distance(query: &str, name: &str) -> Option<usize> {
    if name.starts_with(query) {
        return Some(0);
    }
    let query_len = query.chars().count();
    let allowed = allowed_typos(query_len);
    if allowed == 0 {
        return None;
    }
    let name_len = name.chars().count();
    // Cheap bound first: no edit path shorter than the length difference (for the whole word),
    // and a name shorter than the query by more than the allowance cannot match at all.
    if name_len + allowed < query_len {
        return None;
    }
    let whole =
        if name_len.abs_diff(query_len) <= allowed { strsim::osa_distance(query, name) } else { usize::MAX };
    if whole <= allowed {
        return Some(whole);
    }
    if name_len <= query_len {
        return None;
    }
    // A typo in a prefix ("pembet" for "pemberton") compares with the name's start; such hits
    // cost one extra so a full-word typo match outranks a partial one.
    let prefix = (query_len.saturating_sub(1)..=query_len + 1)
        .map(|len| strsim::osa_distance(query, &name.chars().take(len).collect::<String>()))
        .min()
        .unwrap_or(usize::MAX);
    (prefix <= allowed).then_some(prefix + 1)
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
        assert_eq!(q("pemberten").probes(), vec!["pemb", "erten"]);
        assert_eq!(q("jane pemberten").probes(), vec!["pemb", "erten"], "the longest word is probed");
        assert_eq!(q("fotheringhan").probes(), vec!["foth", "erin", "ghan"], "two typos from 11 letters");
        assert_eq!(q("kathrine").probes(), vec!["kath", "rine"]);
        assert_eq!(q("smith").probes(), vec!["smith"]);
        assert!(q("jo").probes().is_empty());
        assert_eq!(q("jane pemberten").probe_groups(), vec![vec!["pemb", "erten"], vec!["jane"]]);
        assert_eq!(q("jo pemberten").probe_groups(), vec![vec!["pemb", "erten"]], "short words add no group");
        // Whatever the single typo, one probe of an 8-letter word survives in the right name.
        for typo in 0..8 {
            let mut misspelt: Vec<char> = "kathrine".chars().collect();
            misspelt[typo] = 'x';
            let misspelt: String = misspelt.into_iter().collect();
            assert!(q(&misspelt).probes().iter().any(|p| "katherine".contains(p.as_str())), "{misspelt}");
        }
    }

    #[test]
    fn a_text_scores_by_its_best_word() {
        assert_eq!(text_distance("harris", "harris"), Some(0));
        assert_eq!(text_distance("hareis", "harris"), Some(1));
        assert_eq!(text_distance("hareis", "Smith-Harris"), Some(1), "each word of the text counts");
        assert_eq!(text_distance("hareis", "harrison"), Some(2), "a typo in a prefix costs one more");
        assert_eq!(text_distance("hareis", "morris"), None);
        assert!(q("jane pemberten").every_word_probed());
        assert!(!q("jo pemberten").every_word_probed());
    }

    #[test]
    fn punctuation_and_case_are_ignored() {
        assert_eq!(words("  O'Brien-Smith, Mary "), vec!["o'brien", "smith", "mary"]);
        assert_eq!(NameQuery::parse(" ,; "), None);
    }
}
