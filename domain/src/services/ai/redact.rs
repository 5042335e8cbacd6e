//! Redaction: before any text leaves the server for a model, what identifies a patient is
//! replaced by a numbered placeholder — names (the ones the caller knows, and any after a title
//! such as "Dr" or "Mrs"), phone numbers, email addresses, dates (a date of birth looks like
//! any other), street addresses and Medicare numbers — and the answer's placeholders are put
//! back afterwards. The same value gets the same placeholder throughout one request.

/// What a placeholder stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Name,
    Phone,
    Email,
    Date,
    Address,
    Medicare,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Name => "NAME",
            Kind::Phone => "PHONE",
            Kind::Email => "EMAIL",
            Kind::Date => "DATE",
            Kind::Address => "ADDRESS",
            Kind::Medicare => "MEDICARE",
        }
    }
}

/// The placeholders of one request and what each stood for, to put back into the answer.
#[derive(Clone, Debug, Default)]
pub struct Redactions {
    found: Vec<(Kind, String, String)>,
}

impl Redactions {
    /// `text` with everything identifying replaced; `known_names` are names the caller knows are
    /// in it (the contact's, the staff member's), matched whole-word and case-insensitively.
    pub fn redact(&mut self, text: &str, known_names: &[&str]) -> String {
        let mut out = self.emails(text);
        out = self.addresses(&out);
        out = self.dates(&out);
        out = self.numbers(&out);
        out = self.names(&out, known_names);
        out
    }

    /// As [`Redactions::redact`], for text a patient wrote where the names in it are not known
    /// ("Yes see you then, Ada Ngata here"): also every capitalised word that is not the first
    /// of a sentence (or is, and a capitalised word follows it), except days, months and the
    /// like. Some place names go too ("the Paddington clinic"); nothing a reply means is lost.
    pub fn redact_free_text(&mut self, text: &str, known_names: &[&str]) -> String {
        let out = self.redact(text, known_names);
        self.capitalised_names(&out)
    }

    fn capitalised_names(&mut self, text: &str) -> String {
        const KEEP: &[&str] = &[
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "i",
            "i'm",
            "i'll",
            "i've",
            "i'd",
            "ok",
            "okay",
            "dr",
            "mr",
            "mrs",
            "ms",
            "miss",
            "mum",
            "dad",
            "medicare",
            "christmas",
            "easter",
            "australia",
            "ultrasound",
            "mammogram",
            "xray",
            "x-ray",
        ];
        let looks_like_name = |word: &str| {
            let core = word.trim_matches(|c: char| !c.is_alphanumeric());
            let mut chars = core.chars();
            core.chars().count() >= 2
                && chars.next().is_some_and(char::is_uppercase)
                && chars.all(|c| c.is_lowercase() || c == '\'' || c == '-')
                && !KEEP.contains(&core.to_lowercase().as_str())
        };
        let words: Vec<&str> = text.split(' ').collect();
        let mut out: Vec<String> = Vec::with_capacity(words.len());
        for (i, word) in words.iter().enumerate() {
            let starts_sentence =
                i == 0 || words[i - 1].ends_with(['.', '!', '?', '\n']) || words[i - 1].is_empty();
            let next_is_name = words.get(i + 1).is_some_and(|w| looks_like_name(w));
            if looks_like_name(word) && (!starts_sentence || next_is_name) {
                let core = word.trim_matches(|c: char| !c.is_alphanumeric());
                let placeholder = self.placeholder(Kind::Name, core);
                out.push(word.replacen(core, &placeholder, 1));
            } else {
                out.push((*word).to_owned());
            }
        }
        out.join(" ")
    }

    /// Puts back what each placeholder in `answer` stood for.
    pub fn restore(&self, answer: &str) -> String {
        let mut out = answer.to_owned();
        // Longest placeholder first: [NAME_12] before [NAME_1].
        let mut found: Vec<&(Kind, String, String)> = self.found.iter().collect();
        found.sort_by_key(|(_, placeholder, _)| std::cmp::Reverse(placeholder.len()));
        for (_, placeholder, original) in found {
            out = out.replace(placeholder.as_str(), original);
        }
        out
    }

    /// How many values were replaced.
    pub fn len(&self) -> usize {
        self.found.len()
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    fn placeholder(&mut self, kind: Kind, original: &str) -> String {
        if let Some((_, placeholder, _)) =
            self.found.iter().find(|(k, _, o)| *k == kind && o.eq_ignore_ascii_case(original))
        {
            return placeholder.clone();
        }
        let n = self.found.iter().filter(|(k, ..)| *k == kind).count() + 1;
        let placeholder = format!("[{}_{n}]", kind.tag());
        self.found.push((kind, placeholder.clone(), original.to_owned()));
        placeholder
    }

    fn emails(&mut self, text: &str) -> String {
        replace_words(
            text,
            |word| {
                let core = word.trim_matches(|c: char| !c.is_alphanumeric());
                let (local, domain) = core.split_once('@')?;
                (!local.is_empty() && domain.contains('.') && !domain.starts_with('.'))
                    .then(|| core.to_owned())
            },
            |original| self.placeholder(Kind::Email, original),
        )
    }

    /// "12 Smith St", "3/45 King Street", "Unit 4, 10 Ocean Pde".
    fn addresses(&mut self, text: &str) -> String {
        const SUFFIXES: &[&str] = &[
            "st",
            "street",
            "rd",
            "road",
            "ave",
            "avenue",
            "dr",
            "drive",
            "ct",
            "court",
            "pl",
            "place",
            "cres",
            "crescent",
            "hwy",
            "highway",
            "pde",
            "parade",
            "lane",
            "ln",
            "way",
            "blvd",
            "boulevard",
            "tce",
            "terrace",
            "cl",
            "close",
            "esp",
            "esplanade",
            "cct",
            "circuit",
            "gr",
            "grove",
            "sq",
            "square",
        ];
        let words: Vec<&str> = text.split(' ').collect();
        let mut out: Vec<String> = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            let starts_with_number = words[i].chars().next().is_some_and(|c| c.is_ascii_digit())
                && words[i].chars().all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '-');
            // A street number, then one to three capitalised words, the last a street type.
            let end = starts_with_number
                .then(|| {
                    (1..=3).find(|&len| {
                        let Some(last) = words.get(i + len) else { return false };
                        let street_words_capitalised = (1..len).all(|k| {
                            words.get(i + k).is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
                        });
                        let suffix = last.trim_end_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
                        len >= 2 && street_words_capitalised && SUFFIXES.contains(&suffix.as_str())
                    })
                })
                .flatten();
            match end {
                Some(len) => {
                    let last = words[i + len];
                    let trailing: String = last.chars().rev().take_while(|c| !c.is_alphanumeric()).collect();
                    let trailing: String = trailing.chars().rev().collect();
                    let original = format!(
                        "{} {}",
                        words[i..i + len].join(" "),
                        last.trim_end_matches(|c: char| !c.is_alphanumeric())
                    );
                    out.push(format!("{}{trailing}", self.placeholder(Kind::Address, &original)));
                    i += len + 1;
                }
                None => {
                    out.push(words[i].to_owned());
                    i += 1;
                }
            }
        }
        out.join(" ")
    }

    /// 14/03/1980, 14-3-80, 1980-03-14, 14 March 1980, March 14, 1980.
    fn dates(&mut self, text: &str) -> String {
        const MONTHS: &[&str] = &[
            "jan",
            "january",
            "feb",
            "february",
            "mar",
            "march",
            "apr",
            "april",
            "may",
            "jun",
            "june",
            "jul",
            "july",
            "aug",
            "august",
            "sep",
            "sept",
            "september",
            "oct",
            "october",
            "nov",
            "november",
            "dec",
            "december",
        ];
        let numeric = |w: &str| {
            let core = w.trim_matches(|c: char| !c.is_ascii_digit());
            let parts: Vec<&str> = core.split(['/', '-', '.']).collect();
            parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
                && parts.iter().any(|p| p.len() == 4 || p.len() == 2)
        };
        let words: Vec<&str> = text.split(' ').collect();
        let mut out: Vec<String> = Vec::with_capacity(words.len());
        let mut i = 0;
        let is_day = |w: &str| {
            let core = w
                .trim_end_matches(|c: char| !c.is_alphanumeric())
                .trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']);
            core.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
        };
        let is_month = |w: &str| {
            MONTHS.contains(&w.trim_end_matches(|c: char| !c.is_alphanumeric()).to_lowercase().as_str())
        };
        let is_year = |w: &str| {
            let core = w.trim_end_matches(|c: char| !c.is_alphanumeric());
            core.len() == 4 && core.parse::<u32>().is_ok_and(|y| (1900..=2100).contains(&y))
        };
        while i < words.len() {
            let w = words[i];
            if numeric(w) {
                let core = w.trim_matches(|c: char| !c.is_ascii_digit());
                out.push(w.replacen(core, &self.placeholder(Kind::Date, core), 1));
                i += 1;
                continue;
            }
            // "14 March 1980" or "March 14, 1980".
            let spelled = match (words.get(i), words.get(i + 1), words.get(i + 2)) {
                (Some(a), Some(b), Some(c)) if is_day(a) && is_month(b) && is_year(c) => true,
                (Some(a), Some(b), Some(c)) if is_month(a) && is_day(b) && is_year(c) => true,
                _ => false,
            };
            if spelled {
                let last = words[i + 2];
                let trailing: String = last.chars().skip_while(|c| c.is_alphanumeric()).collect();
                let original = format!(
                    "{} {} {}",
                    words[i],
                    words[i + 1],
                    last.trim_end_matches(|c: char| !c.is_alphanumeric())
                );
                out.push(format!("{}{trailing}", self.placeholder(Kind::Date, &original)));
                i += 3;
                continue;
            }
            out.push(w.to_owned());
            i += 1;
        }
        out.join(" ")
    }

    /// Runs of 8 to 12 digits, however spaced ("0412 555 019", "+61 2 9999 0000", "(02)
    /// 9999-0000"): a Medicare number when its check digit says so, else a phone number.
    fn numbers(&mut self, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            let starts = chars[i].is_ascii_digit()
                || (chars[i] == '+' || chars[i] == '(') && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            let boundary = i == 0 || !chars[i - 1].is_alphanumeric();
            if starts && boundary {
                // Extend over digits and the separators people type between them.
                let mut end = i;
                let mut digits = String::new();
                let mut j = i;
                while j < chars.len() {
                    let c = chars[j];
                    if c.is_ascii_digit() {
                        digits.push(c);
                        end = j + 1;
                    } else if !(matches!(c, ' ' | '-' | '(' | ')' | '+' | '.')
                        && chars.get(j + 1).is_some_and(|n| n.is_ascii_digit() || *n == '(' || *n == ' '))
                    {
                        break;
                    }
                    j += 1;
                }
                let followed_by_letter = chars.get(end).is_some_and(|c| c.is_alphabetic());
                if (8..=12).contains(&digits.len()) && !followed_by_letter {
                    let original: String = chars[i..end].iter().collect();
                    let kind = if is_medicare(&digits) { Kind::Medicare } else { Kind::Phone };
                    out.push_str(&self.placeholder(kind, &original));
                    i = end;
                    continue;
                }
                // Not an identifier: copy the run as it was.
                let run_end = end.max(i + 1);
                out.extend(&chars[i..run_end]);
                i = run_end;
                continue;
            }
            out.push(chars[i]);
            i += 1;
        }
        out
    }

    fn names(&mut self, text: &str, known: &[&str]) -> String {
        const TITLES: &[&str] =
            &["dr", "mr", "mrs", "ms", "miss", "mx", "prof", "doctor", "professor", "sister", "nurse"];
        let known: Vec<String> = known
            .iter()
            .flat_map(|n| n.split_whitespace())
            .map(|n| n.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
            .filter(|n| n.chars().count() >= 2)
            .collect();
        let words: Vec<&str> = text.split(' ').collect();
        let mut out: Vec<String> = Vec::with_capacity(words.len());
        let mut after_title = false;
        for word in words {
            let core = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-');
            let lower = core.to_lowercase();
            let capitalised = core.chars().next().is_some_and(char::is_uppercase);
            let is_name = !core.is_empty() && (known.contains(&lower) || (after_title && capitalised));
            after_title = TITLES.contains(&lower.trim_end_matches('.'));
            if is_name {
                let placeholder = self.placeholder(Kind::Name, core);
                out.push(word.replacen(core, &placeholder, 1));
                // "Dr Priya Raman": the surname after the first name too.
                after_title = after_title || capitalised && !known.contains(&lower);
            } else {
                out.push(word.to_owned());
            }
        }
        out.join(" ")
    }
}

/// Replaces each space-separated word `find` picks (by what it returns) with `with(found)`.
fn replace_words(
    text: &str,
    find: impl Fn(&str) -> Option<String>,
    mut with: impl FnMut(&str) -> String,
) -> String {
    text.split(' ')
        .map(|word| match find(word) {
            Some(found) => word.replacen(&found, &with(&found), 1),
            None => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Medicare card number: 10 digits (11 with the person's number on the card), the first 2–6,
/// the ninth a check digit of the first eight weighted 1, 3, 7, 9, 1, 3, 7, 9.
fn is_medicare(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(d.len() == 10 || d.len() == 11) || !(2..=6).contains(&d[0]) {
        return false;
    }
    let weights = [1, 3, 7, 9, 1, 3, 7, 9];
    let sum: u32 = d.iter().zip(weights).map(|(digit, w)| digit * w).sum();
    sum % 10 == d[8]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(text: &str, names: &[&str]) -> (String, Redactions) {
        let mut r = Redactions::default();
        let out = r.redact(text, names);
        (out, r)
    }

    #[test]
    fn identifiers_are_replaced_and_put_back() {
        let text = "Marguerite Vo (DOB 14/03/1980, Medicare 2123 45670 1) lives at 12 Smith St, Bondi. \
                    Call 0412 555 019 or email marguerite.vo@example.com. Referred by Dr Priya Raman.";
        let (out, r) = redacted(text, &["Marguerite Vo"]);
        for secret in [
            "Marguerite",
            "Vo ",
            "14/03/1980",
            "2123 45670 1",
            "12 Smith St",
            "0412 555 019",
            "marguerite.vo@example.com",
            "Priya",
            "Raman",
        ] {
            assert!(!out.contains(secret), "{secret:?} left in {out:?}");
        }
        assert!(out.contains("[MEDICARE_1]"), "{out}");
        assert!(
            out.contains("[PHONE_1]")
                && out.contains("[EMAIL_1]")
                && out.contains("[DATE_1]")
                && out.contains("[ADDRESS_1]"),
            "{out}"
        );
        assert!(out.contains("Bondi"), "a suburb alone does not identify: {out}");
        assert_eq!(r.restore(&out), text);
    }

    #[test]
    fn the_same_value_gets_the_same_placeholder() {
        let (out, r) = redacted("Ada called. ada wants an MRI; call Ada on +61 412 555 019.", &["Ada"]);
        assert_eq!(out.matches("[NAME_1]").count(), 3, "{out}");
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn ordinary_numbers_and_words_stay() {
        let (out, r) = redacted("MRI at 9:30 on 2 lanes, 15 minutes, $450, ref 12345, level 3", &[]);
        assert!(r.is_empty(), "{out}");
        assert_eq!(out, "MRI at 9:30 on 2 lanes, 15 minutes, $450, ref 12345, level 3");
    }

    #[test]
    fn a_patients_own_words_lose_the_names_in_them() {
        let mut r = Redactions::default();
        let out =
            r.redact_free_text("Yes see you Thursday. Ada Ngata here, my son Tom will drive me. Thanks", &[]);
        assert_eq!(
            out,
            "Yes see you Thursday. [NAME_1] [NAME_2] here, my son [NAME_3] will drive me. Thanks"
        );
        assert_eq!(r.restore(&out), "Yes see you Thursday. Ada Ngata here, my son Tom will drive me. Thanks");
        let mut r = Redactions::default();
        assert_eq!(r.redact_free_text("STOP. Thank you", &[]), "STOP. Thank you");
    }

    #[test]
    fn a_spelled_date_is_a_date() {
        let (out, _) = redacted("born 3 March 1975, seen March 4, 2026.", &[]);
        assert_eq!(out, "born [DATE_1], seen [DATE_2].");
    }
}
