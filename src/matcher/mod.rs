//! The matcher: finds the glossary's terms in free text (SPEC §3).
//!
//! A [`Matcher`] is compiled once from a [`Glossary`] and shared immutably (`Arc`) by every
//! request. It turns text into annotations: byte, char and UTF-16 spans with the concept,
//! side, term, kind of match and score.

use std::sync::Arc;

use crate::glossary::{Glossary, Side};

/// How a mention matched its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKind {
    /// The term as written, byte for byte.
    Exact,
    /// Equal after normalisation: case, Unicode form, dashes, quotes, spaces, plural, possessive.
    Normalized,
    /// Within the edit budget of §3.
    Fuzzy,
}

impl MatchKind {
    /// `exact`, `normalized` or `fuzzy`.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Normalized => "normalized",
            MatchKind::Fuzzy => "fuzzy",
        }
    }
}

/// How the input text is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Plain text: everything is matched.
    #[default]
    Plain,
    /// Markdown: code spans and blocks, URLs, HTML tags and link targets are skipped.
    Markdown,
    /// HTML: only text nodes are matched (no tags, attributes, scripts, styles, code).
    Html,
}

/// The default minimum score of a fuzzy match.
pub const DEFAULT_MIN_SCORE: f32 = 0.8;

/// Options of one matching run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchOptions {
    /// Minimum score of a fuzzy match, in `[0, 1]`.
    pub min_score: f32,
    /// Only exact and normalised matches.
    pub exact_only: bool,
    /// How to read the text.
    pub input: InputFormat,
    /// The reader: decides ties between ambiguous concepts and false-friend flags.
    /// `None` means both readers.
    pub audience: Option<Side>,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            min_score: DEFAULT_MIN_SCORE,
            exact_only: false,
            input: InputFormat::Plain,
            audience: None,
        }
    }
}

/// One mention of a glossary term in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// Byte offset of the first byte, in the UTF-8 input.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// The same span in Unicode scalar values.
    pub char_start: usize,
    /// End of the span in Unicode scalar values.
    pub char_end: usize,
    /// The same span in UTF-16 code units.
    pub utf16_start: usize,
    /// End of the span in UTF-16 code units.
    pub utf16_end: usize,
    /// The text as written.
    pub text: String,
    /// The concept chosen for the span.
    pub concept_id: String,
    /// The side of the matched term.
    pub side: Side,
    /// The glossary term that matched.
    pub term: String,
    /// How it matched.
    pub kind: MatchKind,
    /// 1.0 for exact and normalised matches; `1 - edits / letters` for fuzzy ones.
    pub score: f32,
    /// The other side's terms, preferred first.
    pub equivalents: Vec<String>,
    /// The other side's definition (the own side's when there is no other side).
    pub definition: String,
    /// Other concepts the same term belongs to.
    pub alternatives: Vec<String>,
    /// The term is on the reader's side in one concept and on the other side in another.
    pub false_friend: bool,
    /// The term is on both sides of the chosen concept: common vocabulary, never explained.
    pub shared: bool,
}

/// A result of [`Matcher::lookup`].
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The concept found.
    pub concept_id: String,
    /// How well the query matched the best of its terms.
    pub score: f32,
    /// How the query matched.
    pub kind: MatchKind,
}

/// A result of [`Matcher::suggest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// A glossary term starting with the prefix.
    pub term: String,
    /// Its concept.
    pub concept_id: String,
    /// Its side.
    pub side: Side,
}

/// A compiled, immutable matcher for one glossary.
#[derive(Debug)]
pub struct Matcher {
    glossary: Arc<Glossary>,
}

impl Matcher {
    /// Compiles the indexes for `glossary`.
    pub fn new(glossary: Arc<Glossary>) -> Matcher {
        Matcher { glossary }
    }

    /// The glossary this matcher was built from.
    pub fn glossary(&self) -> &Arc<Glossary> {
        &self.glossary
    }

    /// Every mention in `text`, in order, non-overlapping.
    pub fn find(&self, text: &str, opts: &MatchOptions) -> Vec<Annotation> {
        let _ = (text, opts);
        Vec::new()
    }

    /// Concepts whose terms match `query` (exactly, normalised or fuzzily), best first.
    pub fn lookup(&self, query: &str, audience: Option<Side>, limit: usize) -> Vec<Hit> {
        let _ = (query, audience, limit);
        Vec::new()
    }

    /// Terms starting with `prefix` (case-insensitive), on `side` or both.
    pub fn suggest(&self, prefix: &str, side: Option<Side>, limit: usize) -> Vec<Suggestion> {
        let _ = (prefix, side, limit);
        Vec::new()
    }
}
