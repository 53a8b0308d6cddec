//! One translation: match a text, then render it for each requested reader.
//!
//! This is the use case behind `broker translate`, the `Translate` RPC and
//! `POST /v1/translate`; each of those only converts its own input and output.

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
    Ok(TranslateResponse {
        annotations,
        renderings,
        request_id: req.request_id.clone(),
        glossary_version: matcher.glossary().version().to_string(),
        gaps,
    })
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
