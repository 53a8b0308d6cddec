//! One translation: match a text, then render it for each requested reader.
//!
//! This is the use case behind `broker translate`, the `Translate` RPC and
//! `POST /v1/translate`; each of those only converts its own input and output.

use std::collections::BTreeMap;

use crate::glossary::Side;
use crate::matcher::{Gap, InputFormat, MatchOptions, Matcher, DEFAULT_MIN_SCORE};
use crate::render::{annotate, needs_note, render, Annotation, Explain, Format};

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
    /// What a client needs, once: equivalents and definitions once per concept the reader
    /// needs explained, in [`TranslateResponse::concepts`]; annotations as spans and ids (their
    /// notes, `text`, and `term` when it is the span as written, left empty). A 1 KB brief
    /// then answers in under 5 KB instead of 12, and a long document no longer repeats a
    /// definition at every mention. See `compact` in this module for the rules.
    Compact,
}

impl std::str::FromStr for View {
    type Err = crate::UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().trim_start_matches("view_") {
            "" | "unspecified" | "full" => Ok(View::Full),
            "compact" => Ok(View::Compact),
            other => Err(crate::UnknownValue::new("view", other, "full or compact")),
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
    /// [`View::Compact`]: the note of every concept annotated that the reader(s) asked need
    /// explained, by concept id (empty in the full view).
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
///
/// Runs on every string of every annotation of every service response, so the common case (no
/// byte to escape) is one branch-free count the compiler vectorises; the exact escape widths
/// are only worked out for a string that has such a byte.
fn json_len(s: &str) -> usize {
    let special = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    // 32 bytes at a time, or-ed without an early exit inside a chunk: vector compares.
    let mut chunks = s.as_bytes().chunks_exact(32);
    let escaped = chunks.by_ref().any(|c| {
        let hits = c.iter().fold(0u8, |m, &b| {
            m | u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\')
        });
        hits != 0
    }) || chunks.remainder().iter().any(|&b| special(b));
    if !escaped {
        return s.len() + 2;
    }
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
    r.annotations.iter().map(annotation_size).sum::<usize>() + response_size_besides_annotations(r)
}

/// [`response_size`] without the annotations.
fn response_size_besides_annotations(r: &TranslateResponse) -> usize {
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
    200 + renderings + gaps + concepts + json_len(&r.request_id)
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
    let mentions = matcher.find(&req.text, &opts);
    bounds.check(text_len, 0)?;
    // Gaps before the notes are looked up: the gap finder's word tables of a long text then
    // come and go before the annotations are built, not on top of them (issue 33: the peak
    // memory of `broker translate --json`).
    let gaps = matcher.gaps(&req.text, &opts, &mentions);
    let annotations = annotate(matcher, mentions);
    // Sizes are estimated only for a bounded answer (the service's): a CLI run or a library
    // call has no limit to check them against. In the compact view the notes move out of the
    // annotations: only a full view's are known to stay this large.
    let bounded = bounds.max_response_ratio.is_some();
    let early = match req.view {
        View::Full if bounded => annotations.iter().map(annotation_size).sum(),
        _ => 0,
    };
    bounds.check(text_len, early)?;
    let readers = req.readers();
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
        View::Compact => compact(&mut annotations, &req.text, readers),
    };
    let response = TranslateResponse {
        annotations,
        renderings,
        request_id: req.request_id.clone(),
        glossary_version: matcher.glossary().version().to_string(),
        gaps,
        concepts,
    };
    if bounded {
        // The full view's annotations were sized above: only the rest is added.
        let size = match req.view {
            View::Full => early + response_size_besides_annotations(&response),
            View::Compact => response_size(&response),
        };
        bounds.check(text_len, size)?;
    }
    Ok(response)
}

impl TranslateRequest {
    /// The readers this request renders for: the one asked, or both.
    pub fn readers(&self) -> &'static [Side] {
        match self.audience {
            Some(Side::It) => &[Side::It],
            Some(Side::Marketing) => &[Side::Marketing],
            None => &Side::BOTH,
        }
    }
}

/// Makes `annotations` compact (SPEC §5 `view`, issue 33): what a client needs, once.
///
/// - Each concept's equivalents and definition move out of its annotations into one note in
///   the returned map, and only for the concepts one of `readers` needs explained
///   ([`needs_note`]): a marketing reader is told nothing about "conversion rate", so its
///   note is not sent either. With both readers (no audience asked) every concept has one.
/// - A concept's note depends on the side of the term that matched (an IT term is explained by
///   marketing words and the other way round), so when one text mentions a concept by terms of
///   both sides, the annotations whose note differs from the concept's entry (that of its
///   first mention a reader needs explained) keep theirs: a client reads an annotation's own
///   fields when they are set, else the entry. An annotation of a concept without an entry
///   has no note.
/// - `text` is left empty: it is the request's text from `start` to `end`. `term` is left
///   empty when it is that span exactly as written.
fn compact(
    annotations: &mut [Annotation],
    text: &str,
    readers: &[Side],
) -> BTreeMap<String, ConceptNote> {
    // The entry of each concept: the note of its first mention a reader needs explained.
    let mut notes: BTreeMap<String, ConceptNote> = BTreeMap::new();
    for a in annotations.iter() {
        if !notes.contains_key(&a.concept_id) && readers.iter().any(|&r| needs_note(a, r)) {
            let note = ConceptNote {
                equivalents: a.equivalents.clone(),
                definition: a.definition.clone(),
            };
            notes.insert(a.concept_id.clone(), note);
        }
    }
    for a in annotations.iter_mut() {
        if text.get(a.start..a.end) == Some(a.text.as_str()) {
            if a.term == a.text {
                a.mention.term = String::new();
            }
            a.mention.text = String::new();
        }
        // An annotation keeps its own note only where the entry would say something else (a
        // mention by a term of the other side; one the reader needs nothing about keeps it
        // too, so that a client never reads the entry's note for it).
        let same = notes
            .get(&a.concept_id)
            .is_none_or(|n| n.equivalents == a.equivalents && n.definition == a.definition);
        if same {
            a.equivalents = Vec::new();
            a.definition = String::new();
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
