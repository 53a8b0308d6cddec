//! What one matching run takes and gives: its options ([`MatchOptions`], [`InputFormat`]) and
//! its result, the lean [`Mention`]. A leaf of the matcher: every pass may use these types,
//! and they use none of the passes.

use super::ids::TermId;
use crate::glossary::Side;

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
    /// When the caller stops waiting (a request's deadline): matching past it stops early
    /// and returns what it has, which the caller drops. `None`: no deadline.
    pub deadline: Option<std::time::Instant>,
}

impl MatchOptions {
    /// Whether [`MatchOptions::deadline`] has passed (cheap enough for once per piece).
    pub fn past_deadline(&self) -> bool {
        self.deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
    }
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            min_score: DEFAULT_MIN_SCORE,
            exact_only: false,
            input: InputFormat::Plain,
            audience: None,
            deadline: None,
        }
    }
}

/// One mention of a glossary term in a text: where it is, what matched and how, and the
/// sense flags. What a reader is told about it (equivalents, definition, a false friend's
/// wording) is looked up by [`crate::render::Annotation`].
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Byte offset of the first byte, in the UTF-8 input.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// The same span in Unicode scalar values (counted by [`crate::lines::Offsets`]).
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
    /// The side of the matched term (the reader's, or IT, for a term on both sides of its
    /// concept).
    pub side: Side,
    /// The glossary term that matched.
    pub term: String,
    /// How it matched.
    pub kind: MatchKind,
    /// 1.0 for exact and normalised matches; `1 - edits / letters` for fuzzy ones.
    pub score: f32,
    /// Other concepts the same span matched, in the order of [`Mention::terms`].
    pub alternatives: Vec<String>,
    /// The term is on the IT side of one concept and the marketing side of another.
    pub false_friend: bool,
    /// The term is on both sides of the chosen concept: common vocabulary, never explained.
    pub shared: bool,
    /// The first mention of its concept in this text.
    pub first_mention: bool,
    /// The evidence in the text did not separate the chosen concept from its alternatives
    /// (SPEC §3 "no guessing").
    pub undecided: bool,
    /// The matched term is an everyday word that counts only with evidence of its jargon
    /// sense ("event", "channel"): undecided, it is left alone in a rendering (SPEC §3 "no
    /// guessing").
    pub generic: bool,
    /// The matched term, then the term of each alternative: what a reader's note is looked
    /// up from.
    pub terms: Vec<TermId>,
}

impl AsRef<Mention> for Mention {
    fn as_ref(&self) -> &Mention {
        self
    }
}
