//! The glossary's domain types: concepts, their two sides, and terms.
//!
//! These types are plain data, validated on construction (see [`Concept::validate`]) and
//! shared immutably once a [`super::Glossary`] is built. They know nothing about TOML, the
//! wire or the matcher.

use std::fmt;

use sha2::{Digest, Sha256};

/// Which vocabulary a term belongs to, and which reader a rendering is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// Engineering vocabulary.
    It,
    /// Marketing and business vocabulary.
    Marketing,
}

impl Side {
    /// Both sides, IT first.
    pub const BOTH: [Side; 2] = [Side::It, Side::Marketing];

    /// The other vocabulary.
    pub fn other(self) -> Side {
        match self {
            Side::It => Side::Marketing,
            Side::Marketing => Side::It,
        }
    }

    /// The lower-case name used in files, flags and JSON: `it` or `marketing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::It => "it",
            Side::Marketing => "marketing",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Side {
    type Err = crate::UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "it" => Ok(Side::It),
            "marketing" => Ok(Side::Marketing),
            other => Err(crate::UnknownValue::new(
                "side",
                other,
                "'it' or 'marketing'",
            )),
        }
    }
}

/// The part of speech a term is used in (SPEC §3 "Senses").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pos {
    /// A noun (the default for terms): not a mention where the text uses the word as a verb
    /// ("lead their teams").
    Noun,
    /// A verb: its inflections are mentions too ("deployed", "deploying" for "deploy"),
    /// and so is its use as a noun ("a deploy").
    Verb,
}

impl Pos {
    /// The name used in glossary files: `noun` or `verb`.
    pub fn as_str(self) -> &'static str {
        match self {
            Pos::Noun => "noun",
            Pos::Verb => "verb",
        }
    }
}

impl std::str::FromStr for Pos {
    type Err = crate::UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "noun" => Ok(Pos::Noun),
            "verb" => Ok(Pos::Verb),
            other => Err(crate::UnknownValue::new(
                "pos",
                other,
                "\"noun\" or \"verb\"",
            )),
        }
    }
}

/// One glossary term, with optional per-term overrides of the matching defaults.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    /// The term as written in the glossary.
    pub text: String,
    /// `Some(true)`: match only with this exact capitalisation. `None`: the default rule
    /// (case-insensitive, except acronyms).
    pub case_sensitive: Option<bool>,
    /// `Some(false)`: never match this term fuzzily. `None`: the default rule.
    pub fuzzy: Option<bool>,
    /// The term's part of speech; `None`: a noun.
    pub pos: Option<Pos>,
}

impl Term {
    /// A term with default matching rules.
    pub fn new(text: impl Into<String>) -> Term {
        Term {
            text: text.into(),
            case_sensitive: None,
            fuzzy: None,
            pos: None,
        }
    }

    /// True when the term carries an override and must be written as a table.
    pub fn has_overrides(&self) -> bool {
        self.case_sensitive.is_some() || self.fuzzy.is_some() || self.pos.is_some()
    }
}

impl From<&str> for Term {
    fn from(s: &str) -> Term {
        Term::new(s)
    }
}

/// One side (IT or marketing) of a concept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SideEntry {
    /// Terms, preferred first. May be empty when the side only has a definition.
    pub terms: Vec<Term>,
    /// The concept explained in this side's words.
    pub definition: String,
}

impl SideEntry {
    /// The preferred (first) term, if any.
    pub fn preferred(&self) -> Option<&Term> {
        self.terms.first()
    }
}

/// A concept: one idea with an IT side, a marketing side, or both.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Concept {
    /// Unique id: `[a-z0-9][a-z0-9-]*`.
    pub id: String,
    /// Free-form tags used for browsing.
    pub tags: Vec<String>,
    /// A note for both readers.
    pub note: Option<String>,
    /// Words that, near an ambiguous mention, point to this concept.
    pub cues: Vec<String>,
    /// Idioms and fixed phrases in which this concept's terms are not mentions of it
    /// ("moving target").
    pub not_in: Vec<String>,
    /// A draft (written by `broker gaps --propose`): its definitions may still be empty, it is
    /// never matched, and `glossary check` warns until an owner fills it and removes the flag.
    pub draft: bool,
    /// The engineering side.
    pub it: Option<SideEntry>,
    /// The marketing side.
    pub marketing: Option<SideEntry>,
}

/// Why a concept is invalid, naming the offending field (e.g. `it.terms[2]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConceptError {
    /// The field path inside the concept: `id`, `it.definition`, `marketing.terms[0]`, …
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl ConceptError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> ConceptError {
        ConceptError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The most words a term may have.
pub const MAX_TERM_WORDS: usize = 8;

/// Checks an id against `[a-z0-9][a-z0-9-]*`.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Number of words in a term: runs separated by whitespace or dashes.
pub fn term_word_count(text: &str) -> usize {
    text.split(|c: char| c.is_whitespace() || is_dash(c))
        .filter(|w| !w.is_empty())
        .count()
}

/// Any hyphen or dash character (they all count as a space when matching).
pub fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
            | '\u{FE58}'
            | '\u{FE63}'
            | '\u{FF0D}'
    )
}

impl Concept {
    /// Whether the concept is written the same for both readers (the same terms and the same
    /// definition on both sides): common knowledge, such as a team-chat "channel". It takes
    /// its words from the concepts they would otherwise be read as, and no reader needs a
    /// note on it, so its mentions are not annotated (glossary/README.md, "Senses").
    pub fn is_common_knowledge(&self) -> bool {
        let (Some(it), Some(mk)) = (&self.it, &self.marketing) else {
            return false;
        };
        let same_terms = it.terms.len() == mk.terms.len()
            && it
                .terms
                .iter()
                .zip(&mk.terms)
                .all(|(a, b)| a.text.eq_ignore_ascii_case(&b.text));
        same_terms && !it.terms.is_empty() && it.definition == mk.definition
    }

    /// The given side, if the concept has it.
    pub fn side(&self, side: Side) -> Option<&SideEntry> {
        match side {
            Side::It => self.it.as_ref(),
            Side::Marketing => self.marketing.as_ref(),
        }
    }

    /// Mutable access to the given side.
    pub fn side_mut(&mut self, side: Side) -> &mut Option<SideEntry> {
        match side {
            Side::It => &mut self.it,
            Side::Marketing => &mut self.marketing,
        }
    }

    /// All terms of a side (empty when the side is absent).
    pub fn terms(&self, side: Side) -> &[Term] {
        self.side(side).map_or(&[], |s| s.terms.as_slice())
    }

    /// True when `term` (compared case-insensitively) is on both sides of this concept.
    pub fn is_shared_term(&self, term: &str) -> bool {
        let on = |side| {
            self.terms(side)
                .iter()
                .any(|t| t.text.to_lowercase() == term.to_lowercase())
        };
        on(Side::It) && on(Side::Marketing)
    }

    /// Checks the rules of SPEC §2 that concern one concept alone.
    ///
    /// # Errors
    /// The first rule broken, naming the field.
    pub fn validate(&self) -> Result<(), ConceptError> {
        if self.id.is_empty() {
            return Err(ConceptError::new("id", "is required"));
        }
        if !is_valid_id(&self.id) {
            return Err(ConceptError::new(
                "id",
                format!(
                    "'{}' is not a valid id: use lower-case letters, digits and '-', starting with a letter or digit",
                    self.id
                ),
            ));
        }
        if self.it.is_none() && self.marketing.is_none() {
            return Err(ConceptError::new(
                "it",
                "a concept needs an 'it' side, a 'marketing' side, or both",
            ));
        }
        for side in Side::BOTH {
            let Some(entry) = self.side(side) else {
                continue;
            };
            if entry.definition.trim().is_empty() && !self.draft {
                return Err(ConceptError::new(
                    format!("{side}.definition"),
                    "is required when the side is present",
                ));
            }
            for (i, term) in entry.terms.iter().enumerate() {
                validate_term(&term.text)
                    .map_err(|m| ConceptError::new(format!("{side}.terms[{i}]"), m.to_string()))?;
            }
        }
        if self.terms(Side::It).is_empty() && self.terms(Side::Marketing).is_empty() {
            return Err(ConceptError::new(
                "terms",
                "the concept has no terms: at least one side needs one",
            ));
        }
        for (i, cue) in self.cues.iter().enumerate() {
            if cue.trim().is_empty() {
                return Err(ConceptError::new(format!("cues[{i}]"), "is empty"));
            }
        }
        for (i, phrase) in self.not_in.iter().enumerate() {
            if phrase.split_whitespace().count() < 2 {
                return Err(ConceptError::new(
                    format!("not_in[{i}]"),
                    "must be a phrase of two or more words that contains one of the terms",
                ));
            }
        }
        for (i, tag) in self.tags.iter().enumerate() {
            if tag.trim().is_empty() {
                return Err(ConceptError::new(format!("tags[{i}]"), "is empty"));
            }
        }
        Ok(())
    }

    /// Terms written twice on one side (compared case-insensitively): `(side, index, text)`.
    pub fn duplicate_terms(&self) -> Vec<(Side, usize, &str)> {
        let mut out = Vec::new();
        for side in Side::BOTH {
            let terms = self.terms(side);
            for (i, t) in terms.iter().enumerate() {
                if terms[..i].iter().any(|u| same_lowercase(&u.text, &t.text)) {
                    out.push((side, i, t.text.as_str()));
                }
            }
        }
        out
    }

    /// An opaque tag that changes whenever the concept's content changes.
    pub fn etag(&self) -> String {
        let mut h = Sha256::new();
        let mut put = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        put(&self.id);
        put(&self.tags.join("\u{1f}"));
        put(self.note.as_deref().unwrap_or("\u{0}"));
        put(&self.cues.join("\u{1f}"));
        for side in Side::BOTH {
            match self.side(side) {
                None => put("\u{0}none"),
                Some(e) => {
                    put(&e.definition);
                    for t in &e.terms {
                        put(&t.text);
                        put(&format!("{:?}{:?}", t.case_sensitive, t.fuzzy));
                        // Only when set, so that the etags of concepts without it stay.
                        if let Some(pos) = t.pos {
                            put(pos.as_str());
                        }
                    }
                }
            }
        }
        if !self.not_in.is_empty() {
            put(&self.not_in.join("\u{1f}"));
        }
        if self.draft {
            put("\u{0}draft");
        }
        let digest = h.finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// `a.to_lowercase() == b.to_lowercase()`, without allocating when both are ASCII (checked
/// for every pair of terms on a side while loading).
fn same_lowercase(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// Checks one term's text.
fn validate_term(text: &str) -> Result<(), TermProblem> {
    if text.trim().is_empty() {
        return Err(TermProblem::Empty);
    }
    let words = term_word_count(text);
    if words == 0 {
        return Err(TermProblem::NoWords(text.to_string()));
    }
    if words > MAX_TERM_WORDS {
        return Err(TermProblem::TooLong(text.to_string(), words));
    }
    Ok(())
}

/// What is wrong with one term's text.
#[derive(Debug, thiserror::Error)]
enum TermProblem {
    #[error("empty term")]
    Empty,
    #[error("term '{0}' has no words")]
    NoWords(String),
    #[error("term '{0}' has {1} words; the most is {MAX_TERM_WORDS}")]
    TooLong(String, usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concept() -> Concept {
        Concept {
            id: "latency".into(),
            it: Some(SideEntry {
                terms: vec!["latency".into()],
                definition: "Time to answer.".into(),
            }),
            ..Concept::default()
        }
    }

    #[test]
    fn ids() {
        for ok in ["a", "latency", "p99-latency", "2fa"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", "A", "a_b", "a b", "é"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn validation_names_the_field() {
        let check = |f: fn(&mut Concept), field: &str| {
            let mut c = concept();
            f(&mut c);
            assert_eq!(c.validate().unwrap_err().field, field);
        };
        check(|c| c.id = "Bad".into(), "id");
        check(
            |c| c.it.as_mut().unwrap().definition.clear(),
            "it.definition",
        );
        check(
            |c| c.it.as_mut().unwrap().terms.push(" ".into()),
            "it.terms[1]",
        );
        check(|c| c.it.as_mut().unwrap().terms.clear(), "terms");
        check(|c| c.it = None, "it");
        check(
            |c| {
                c.it.as_mut()
                    .unwrap()
                    .terms
                    .push("a b c d e f g h i".into())
            },
            "it.terms[1]",
        );
        assert!(concept().validate().is_ok());
    }

    #[test]
    fn etag_changes_with_content() {
        let a = concept();
        let mut b = concept();
        assert_eq!(a.etag(), b.etag());
        b.tags.push("x".into());
        assert_ne!(a.etag(), b.etag());
    }
}
