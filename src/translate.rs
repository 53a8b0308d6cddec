//! One translation: match a text, then render it for each requested reader.
//!
//! This is the use case behind `broker translate`, the `Translate` RPC and
//! `POST /v1/translate`; each of those only converts its own input and output.

use std::collections::BTreeMap;

use crate::glossary::Side;
use crate::matcher::{Gap, InputFormat, MatchOptions, Matcher, DEFAULT_MIN_SCORE};
use crate::render::{annotate, render, Annotation, Explain, Format};

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
    /// The deadline given to [`translate_within`] passed before the work was done.
    #[error("deadline: passed before the text was translated")]
    DeadlinePassed,
    /// The response would be larger than [`Bounds::max_response_ratio`] allows.
    #[error(
        "response: the answer for this text would be about {size} bytes, over the limit of \
         {limit} bytes ({ratio} times the text, at least {floor} bytes); ask for view compact, \
         format none, or send less text"
    )]
    ResponseTooLarge {
        /// The estimated size of the response (as JSON).
        size: usize,
        /// The limit for this text.
        limit: usize,
        /// The ratio the limit is of the text.
        ratio: usize,
        /// The smallest limit.
        floor: usize,
    },
}

/// Bounds on one translation's work and answer, for a service: the core has none by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bounds {
    /// Stop matching once this has passed ([`TranslateError::DeadlinePassed`]).
    pub deadline: Option<std::time::Instant>,
    /// The largest answer, as a multiple of the text's bytes (at least
    /// [`RESPONSE_FLOOR_BYTES`]): a dense text's annotations, notes and renderings are
    /// refused ([`TranslateError::ResponseTooLarge`]) before they are built whole.
    pub max_response_ratio: Option<usize>,
}

/// The service's response limit, as a multiple of the text (SPEC §12: about 12×).
pub const MAX_RESPONSE_RATIO: usize = 12;
/// The smallest response limit: a short text with one long definition is always answered.
pub const RESPONSE_FLOOR_BYTES: usize = 64 * 1024;

impl Bounds {
    fn check(&self, text_len: usize, size: usize) -> Result<(), TranslateError> {
        if self
            .deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
        {
            return Err(TranslateError::DeadlinePassed);
        }
        let Some(ratio) = self.max_response_ratio else {
            return Ok(());
        };
        let limit = text_len.saturating_mul(ratio).max(RESPONSE_FLOOR_BYTES);
        if size > limit {
            return Err(TranslateError::ResponseTooLarge {
                size,
                limit,
                ratio,
                floor: RESPONSE_FLOOR_BYTES,
            });
        }
        Ok(())
    }
}

/// The bytes `s` takes as a JSON string (quotes and escapes; other control characters as
/// `\u00XX`).
fn json_len(s: &str) -> usize {
    let escapes: usize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' => 1,
            0..=0x1f => 5,
            _ => 0,
        })
        .sum();
    s.len() + escapes + 2
}

/// Keys, numbers and punctuation of one annotation or gap in JSON, beyond its strings.
const ANNOTATION_FIXED: usize = 330;
const GAP_FIXED: usize = 130;

fn annotation_size(a: &Annotation) -> usize {
    ANNOTATION_FIXED
        + json_len(&a.text)
        + json_len(&a.concept_id)
        + json_len(&a.term)
        + json_len(&a.definition)
        + a.equivalents.iter().map(|e| json_len(e) + 1).sum::<usize>()
        + a.alternatives
            .iter()
            .map(|e| json_len(e) + 1)
            .sum::<usize>()
        + a.misread_as.as_deref().map_or(0, json_len)
}

/// About how many bytes `r` takes as JSON (the larger of its encodings: protobuf is smaller).
pub fn response_size(r: &TranslateResponse) -> usize {
    let annotations: usize = r.annotations.iter().map(annotation_size).sum();
    let renderings: usize = r.renderings.iter().map(|x| json_len(&x.text) + 40).sum();
    let gaps: usize = r.gaps.iter().map(|g| GAP_FIXED + json_len(&g.text)).sum();
    let concepts: usize = r
        .concepts
        .iter()
        .map(|(id, n)| {
            40 + json_len(id)
                + json_len(&n.definition)
                + n.equivalents.iter().map(|e| json_len(e) + 1).sum::<usize>()
        })
        .sum();
    200 + annotations + renderings + gaps + concepts + json_len(&r.request_id)
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
            deadline: None,
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
    translate_within(matcher, req, Bounds::default())
}

/// [`translate`] within `bounds`: its work stops once the deadline has passed (a request
/// whose client is no longer waiting must not go on using a core), and an answer over the
/// size limit is refused as soon as its annotations show it will be, and again once built.
///
/// # Errors
/// As [`translate`]; [`TranslateError::DeadlinePassed`] when the deadline passed first,
/// [`TranslateError::ResponseTooLarge`] for an answer over the limit.
pub fn translate_within(
    matcher: &Matcher,
    req: &TranslateRequest,
    bounds: Bounds,
) -> Result<TranslateResponse, TranslateError> {
    let opts = MatchOptions {
        deadline: bounds.deadline,
        ..req.match_options()?
    };
    let text_len = req.text.len();
    let annotations = annotate(matcher, matcher.find(&req.text, &opts));
    // In the compact view the notes move out of the annotations: only a full view's are
    // known to stay this large.
    let early = match req.view {
        View::Full => annotations.iter().map(annotation_size).sum(),
        View::Compact => 0,
    };
    bounds.check(text_len, early)?;
    let gaps = matcher.gaps(&req.text, &opts, &annotations);
    bounds.check(text_len, early)?;
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
    let response = TranslateResponse {
        annotations,
        renderings,
        request_id: req.request_id.clone(),
        glossary_version: matcher.glossary().version().to_string(),
        gaps,
        concepts,
    };
    if bounds.max_response_ratio.is_some() {
        bounds.check(text_len, response_size(&response))?;
    }
    Ok(response)
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
