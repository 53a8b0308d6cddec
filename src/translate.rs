//! One translation: match a text, then render it for each requested reader.
//!
//! This is the use case behind `broker translate`, the `Translate` RPC and
//! `POST /v1/translate`; each of those only converts its own input and output.

use std::collections::BTreeMap;

use crate::glossary::Side;
use crate::matcher::{Annotation, Gap, InputFormat, MatchOptions, Matcher, DEFAULT_MIN_SCORE};
use crate::render::{render, Explain, Format};

/// What to translate and for whom.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TranslateRequest {
    /// The text (plain, Markdown or HTML, per `format`).
    pub text: String,
    /// The reader; `None` renders for both.
    pub audience: Option<Side>,
    /// Output format; also decides how the input is read (§3).
    pub format: Format,
    /// Minimum fuzzy score; `None` means the default (0.8).
    pub min_score: Option<f32>,
    /// Only exact and normalised matches.
    pub exact_only: bool,
    /// Echoed back in the response.
    pub request_id: String,
    /// Explain a concept at its first mention only, or at every one.
    pub explain: Explain,
    /// Whether each annotation carries its concept's equivalents and definition, or the
    /// response carries them once per concept.
    pub view: View,
}

/// The shape of a response: every annotation self-contained, or notes once per concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Each annotation carries its equivalents and definition (the default).
    #[default]
    Full,
    /// Equivalents and definitions once per concept, in [`TranslateResponse::concepts`]; the
    /// annotations leave them empty. A 1 KB brief then answers in about a third of the bytes,
    /// and a long document no longer repeats a definition at every mention.
    Compact,
}

impl std::str::FromStr for View {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().trim_start_matches("view_") {
            "" | "unspecified" | "full" => Ok(View::Full),
            "compact" => Ok(View::Compact),
            other => Err(format!("unknown view '{other}': expected full or compact")),
        }
    }
}

/// What a reader needs to know about a concept mentioned in a text: the other side's terms and
/// the definition (as in [`Annotation::equivalents`] and [`Annotation::definition`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConceptNote {
    /// The other side's terms, preferred first.
    pub equivalents: Vec<String>,
    /// The other side's definition (the own side's when there is none).
    pub definition: String,
}

/// The text rendered for one reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendering {
    /// The reader this rendering is for.
    pub audience: Side,
    /// The rendered text.
    pub text: String,
}

/// The annotations and renderings of one text.
#[derive(Debug, Clone, PartialEq)]
pub struct TranslateResponse {
    /// Every mention, in text order.
    pub annotations: Vec<Annotation>,
    /// One rendering per requested reader (none for [`Format::None`]).
    pub renderings: Vec<Rendering>,
    /// The request's id, echoed.
    pub request_id: String,
    /// The version of the glossary that answered.
    pub glossary_version: String,
    /// Jargon-looking spans the glossary lacks (SPEC §8), in text order.
    pub gaps: Vec<Gap>,
    /// [`View::Compact`]: the note of every concept annotated, by concept id (empty in the
    /// full view).
    pub concepts: BTreeMap<String, ConceptNote>,
}

/// A request that cannot be served, naming the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TranslateError {
    /// `min_score` outside `[0, 1]` or not a number.
    #[error("min_score: must be between 0 and 1, got {0}")]
    MinScore(f32),
}

impl TranslateRequest {
    /// The matching options this request asks for.
    ///
    /// # Errors
    /// [`TranslateError::MinScore`] for a score outside `[0, 1]`.
    pub fn match_options(&self) -> Result<MatchOptions, TranslateError> {
        let min_score = self.min_score.unwrap_or(DEFAULT_MIN_SCORE);
        if !(0.0..=1.0).contains(&min_score) {
            return Err(TranslateError::MinScore(min_score));
        }
        Ok(MatchOptions {
            min_score,
            exact_only: self.exact_only,
            input: self.format.input(),
            audience: self.audience,
        })
    }
}

/// Annotates `req.text` and renders it for the requested reader(s).
///
/// # Errors
/// A [`TranslateError`] naming the invalid field.
pub fn translate(
    matcher: &Matcher,
    req: &TranslateRequest,
) -> Result<TranslateResponse, TranslateError> {
    let opts = req.match_options()?;
    let annotations = matcher.find(&req.text, &opts);
    let gaps = matcher.gaps(&req.text, &opts, &annotations);
    let readers: &[Side] = match req.audience {
        Some(Side::It) => &[Side::It],
        Some(Side::Marketing) => &[Side::Marketing],
        None => &Side::BOTH,
    };
    let renderings = if req.format == Format::None {
        Vec::new()
    } else {
        readers
            .iter()
            .map(|&audience| Rendering {
                audience,
                text: render(&req.text, &annotations, audience, req.format, req.explain),
            })
            .collect()
    };
    let mut annotations = annotations;
    let concepts = match req.view {
        View::Full => BTreeMap::new(),
        View::Compact => compact(&mut annotations),
    };
    Ok(TranslateResponse {
        annotations,
        renderings,
        request_id: req.request_id.clone(),
        glossary_version: matcher.glossary().version().to_string(),
        gaps,
        concepts,
    })
}

/// Moves each concept's equivalents and definition out of its annotations into one note.
///
/// A concept's note depends on the side of the term that matched (an IT term is explained by
/// marketing words and the other way round), so when one text mentions a concept by terms of
/// both sides, the annotations whose note differs from the concept's entry (the first one's)
/// keep theirs: a client reads an annotation's own fields when they are set, else the entry.
fn compact(annotations: &mut [Annotation]) -> BTreeMap<String, ConceptNote> {
    let mut notes: BTreeMap<String, ConceptNote> = BTreeMap::new();
    for a in annotations {
        match notes.get(&a.concept_id) {
            Some(n) if n.equivalents == a.equivalents && n.definition == a.definition => {
                a.equivalents = Vec::new();
                a.definition = String::new();
            }
            Some(_) => {}
            None => {
                let note = ConceptNote {
                    equivalents: std::mem::take(&mut a.equivalents),
                    definition: std::mem::take(&mut a.definition),
                };
                notes.insert(a.concept_id.clone(), note);
            }
        }
    }
    notes
}

impl Format {
    /// How text in this format is read by the matcher.
    pub fn input(self) -> InputFormat {
        match self {
            Format::Markdown => InputFormat::Markdown,
            Format::Html => InputFormat::Html,
            _ => InputFormat::Plain,
        }
    }
}
