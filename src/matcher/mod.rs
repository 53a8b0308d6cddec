//! The matcher: finds the glossary's terms in free text (SPEC §3).
//!
//! A [`Matcher`] is compiled once from a [`Glossary`] and shared immutably (`Arc`) by every
//! request. It turns text into [`Mention`]s: byte, char and UTF-16 spans with the concept,
//! side, term, kind of match, score and sense flags. What a reader is told about a mention
//! is the renderer's business ([`crate::render`]).

mod defined;
mod deletions;
mod find;
mod gaps;
mod glosses;
mod ids;
mod index;
mod lexicon;
pub(crate) mod markup;
mod mention;
mod normalize;
pub mod pos;
mod profile;
mod senses;
mod tokens;
mod verbs;

use std::sync::Arc;

use crate::glossary::{Glossary, Side};
use index::{fold_phrase, Index};

pub use gaps::{Gap, GapKind};
pub use ids::TermId;
pub use mention::{InputFormat, MatchKind, MatchOptions, Mention, DEFAULT_MIN_SCORE};

/// What a [`TermId`] stands for.
#[derive(Debug, Clone, Copy)]
pub struct TermRef<'g> {
    /// The term's concept.
    pub concept: &'g crate::glossary::Concept,
    /// The side the term is on.
    pub side: Side,
    /// The term as the glossary writes it.
    pub text: &'g str,
    /// Equal for terms whose folded text is equal (of any concept or side).
    key: u32,
}

impl TermRef<'_> {
    /// Whether `other` is written the same, folded (case, dashes, spaces, plural).
    pub fn same_text(&self, other: &TermRef<'_>) -> bool {
        self.key == other.key
    }
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
    index: Index,
    /// Term indices sorted by folded term text (then term order): the prefix index of
    /// [`Matcher::suggest`].
    sorted_terms: Vec<TermId>,
}

/// The default number of results of look-ups and suggestions.
pub const DEFAULT_LIMIT: usize = 10;

impl Matcher {
    /// Compiles the indexes for `glossary`.
    pub fn new(glossary: Arc<Glossary>) -> Matcher {
        let index = Index::build(&glossary);
        let sorted_terms = index.terms_by_key_text();
        Matcher {
            glossary,
            index,
            sorted_terms,
        }
    }

    /// The glossary this matcher was built from.
    pub fn glossary(&self) -> &Arc<Glossary> {
        &self.glossary
    }

    /// Every mention in `text`, in order, non-overlapping.
    pub fn find(&self, text: &str, opts: &MatchOptions) -> Vec<Mention> {
        find::find(&self.index, &self.glossary, text, opts, false)
    }

    /// What term `t` (of a [`Mention`] of this matcher) stands for.
    ///
    /// # Panics
    /// For a `TermId` of another matcher with more terms.
    pub fn term(&self, t: TermId) -> TermRef<'_> {
        let info = &self.index.terms[t];
        TermRef {
            concept: &self.glossary.concepts()[info.concept],
            side: info.side,
            text: self.index.term_text(&self.glossary, t),
            key: info.key,
        }
    }

    /// The gaps of `text` (SPEC §8): jargon-looking spans no concept covers, in order.
    /// `annotations` are the text's mentions, from [`Matcher::find`] with the same options.
    pub fn gaps(
        &self,
        text: &str,
        opts: &MatchOptions,
        annotations: &[impl AsRef<Mention>],
    ) -> Vec<Gap> {
        let excluded = markup::excluded(text, opts.input);
        gaps::find(&self.index, text, &excluded, annotations)
    }

    /// Concepts whose terms match `query` (exactly, normalised or fuzzily), best first.
    ///
    /// Unlike [`Matcher::find`], a look-up ignores capitalisation (a chat user types "mql"
    /// for "MQL"). When the query is not a term itself, the terms found inside it count
    /// ("what does MQL mean?"), then the closest terms by edit distance.
    pub fn lookup(&self, query: &str, audience: Option<Side>, limit: usize) -> Vec<Hit> {
        let limit = if limit == 0 { DEFAULT_LIMIT } else { limit };
        let ix = &self.index;
        let folded = fold_phrase(query.trim());
        if folded.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(ids::ConceptId, f32, MatchKind, Side)> = Vec::new();
        let add = |hits: &mut Vec<(ids::ConceptId, f32, MatchKind, Side)>,
                   term: TermId,
                   score: f32,
                   kind: MatchKind| {
            let t = &ix.terms[term];
            match hits.iter_mut().find(|h| h.0 == t.concept) {
                Some(h) if h.1 >= score => {}
                Some(h) => *h = (t.concept, score, kind, t.side),
                None => hits.push((t.concept, score, kind, t.side)),
            }
        };
        if let Some(ts) = ix.terms_with_key_text(&folded) {
            for &t in ts {
                let kind = if ix.term_text(&self.glossary, t) == query.trim() {
                    MatchKind::Exact
                } else {
                    MatchKind::Normalized
                };
                add(&mut hits, t, 1.0, kind);
            }
        }
        if hits.is_empty() {
            let opts = MatchOptions {
                min_score: 0.6,
                ..MatchOptions::default()
            };
            for a in find::find(&self.index, &self.glossary, query, &opts, true) {
                if let Some(&t) = ix
                    .terms_with_key_text(&fold_phrase(&a.term))
                    .and_then(|ts| {
                        ts.iter().find(|&&t| {
                            self.glossary.concepts()[ix.terms[t].concept].id == a.concept_id
                        })
                    })
                {
                    // A term inside a longer question is a weaker hit than the whole query.
                    let whole = a.text.len() == query.trim().len();
                    add(
                        &mut hits,
                        t,
                        if whole { a.score } else { a.score * 0.9 },
                        a.kind,
                    );
                }
            }
        }
        if hits.is_empty() {
            for (key, ts) in ix.key_texts() {
                let sim = strsim::normalized_damerau_levenshtein(&folded, key) as f32;
                if sim >= 0.7 {
                    for &t in ts {
                        add(&mut hits, t, sim, MatchKind::Fuzzy);
                    }
                }
            }
        }
        hits.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| {
                    let pref = |h: &(ids::ConceptId, f32, MatchKind, Side)| {
                        audience.is_some_and(|r| h.3 != r)
                    };
                    pref(b).cmp(&pref(a))
                })
                .then(a.0.cmp(&b.0))
        });
        hits.into_iter()
            .take(limit)
            .map(|(c, score, kind, _)| Hit {
                concept_id: self.glossary.concepts()[c].id.clone(),
                score,
                kind,
            })
            .collect()
    }

    /// Terms starting with `prefix` (case-insensitive), on `side` or both, in
    /// alphabetical order.
    pub fn suggest(&self, prefix: &str, side: Option<Side>, limit: usize) -> Vec<Suggestion> {
        let limit = if limit == 0 { DEFAULT_LIMIT } else { limit };
        let mut p = fold_phrase(prefix);
        if prefix.ends_with(char::is_whitespace) && !p.is_empty() {
            p.push(' ');
        }
        if p.trim().is_empty() {
            return Vec::new();
        }
        let key_of = |t: TermId| self.index.key_text(self.index.terms[t].key);
        let from = self
            .sorted_terms
            .partition_point(|&t| key_of(t) < p.as_str());
        let mut out: Vec<Suggestion> = Vec::new();
        for &t in &self.sorted_terms[from..] {
            if !key_of(t).starts_with(p.as_str()) || out.len() >= limit {
                break;
            }
            let text = self.index.term_text(&self.glossary, t);
            let t = &self.index.terms[t];
            if side.is_some_and(|s| s != t.side) {
                continue;
            }
            let s = Suggestion {
                term: text.to_string(),
                concept_id: self.glossary.concepts()[t.concept].id.clone(),
                side: t.side,
            };
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }
}
