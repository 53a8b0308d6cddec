//! The bodies of the HTTP/JSON routes other than `POST /v1/translate` (whose shape is
//! [`crate::json`]'s, shared with the CLI), as serde structs.
//!
//! Fields are declared in alphabetical order: that is the order the bodies have always had
//! (they were `serde_json::Value` maps, which sort their keys), so clients see the same bytes.
//! Scores are `f64` widened from the matcher's `f32`, as before.

use serde::Serialize;
use serde_json::Value;

/// `GET /v1/lookup`.
#[derive(Serialize)]
pub(crate) struct Hits {
    pub(crate) hits: Vec<Hit>,
}

/// One concept a look-up found.
#[derive(Serialize)]
pub(crate) struct Hit {
    /// The concept in the shape of [`crate::json::concept`].
    pub(crate) concept: Value,
    #[serde(rename = "match")]
    pub(crate) kind: &'static str,
    pub(crate) score: f64,
}

/// `DELETE /v1/concepts/{id}`.
#[derive(Serialize)]
pub(crate) struct Deleted {
    pub(crate) deleted: String,
}

/// `GET /v1/concepts`: one page.
#[derive(Serialize)]
pub(crate) struct ConceptPage {
    pub(crate) concepts: Vec<Value>,
    pub(crate) next_page_token: String,
}

/// `GET /v1/suggest`.
#[derive(Serialize)]
pub(crate) struct Suggestions {
    pub(crate) suggestions: Vec<Suggestion>,
}

/// One completion.
#[derive(Serialize)]
pub(crate) struct Suggestion {
    pub(crate) concept_id: String,
    pub(crate) side: &'static str,
    pub(crate) term: String,
}

/// `GET /v1/info` (`GlossaryInfo`; `loaded_at` in RFC 3339).
#[derive(Serialize)]
pub(crate) struct Info {
    pub(crate) concepts: usize,
    pub(crate) false_friends: usize,
    pub(crate) it_terms: usize,
    pub(crate) loaded_at: String,
    pub(crate) marketing_terms: usize,
    pub(crate) source: String,
    pub(crate) version: String,
}

/// `GET /v1/usage`.
#[derive(Serialize)]
pub(crate) struct Usage {
    pub(crate) annotations_by_concept: Vec<ConceptCount>,
    pub(crate) bytes: u64,
    pub(crate) gaps: u64,
    pub(crate) lookups: u64,
    pub(crate) lookups_without_hit: u64,
    pub(crate) since: String,
    pub(crate) texts: u64,
}

/// Annotations of one concept.
#[derive(Serialize)]
pub(crate) struct ConceptCount {
    pub(crate) concept_id: String,
    pub(crate) count: u64,
}

/// `GET /v1/gaps`.
#[derive(Serialize)]
pub(crate) struct Gaps<'a> {
    pub(crate) gaps: Vec<Gap<'a>>,
}

/// A gap and how often it was seen.
#[derive(Serialize)]
pub(crate) struct Gap<'a> {
    pub(crate) count: u64,
    pub(crate) key: &'a str,
    pub(crate) kind: &'static str,
    pub(crate) text: &'a str,
}

/// `GET /healthz`.
#[derive(Serialize)]
pub(crate) struct Health<'a> {
    pub(crate) concepts: usize,
    pub(crate) glossary_version: &'a str,
    pub(crate) status: &'static str,
}
