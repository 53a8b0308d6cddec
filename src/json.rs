//! The JSON shape of translations, shared by `broker translate --json` and `POST /v1/translate`.
//!
//! Field names are the snake_case names of the proto (SPEC §5); enums are lower-case strings
//! (`"it"`, `"fuzzy"`, `"markdown"`). This module is an edge: the core types know nothing of it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::glossary::{Concept, Side, SideEntry, Term};
use crate::render::Annotation;
use crate::render::Format;
use crate::translate::{TranslateRequest, TranslateResponse};
use crate::UnknownValue;

/// A JSON request field that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field's name.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

fn field_error(field: &str, message: impl std::fmt::Display) -> FieldError {
    FieldError {
        field: field.to_string(),
        message: message.to_string(),
    }
}

/// A score as JSON: the f32 rounded to 6 decimals, so it prints as `0.928571` rather than
/// the f64 widening `0.9285714030265808`.
pub fn score(s: f32) -> f64 {
    (f64::from(s) * 1e6).round() / 1e6
}

/// An annotation on the wire (the proto `Annotation`).
#[derive(Serialize)]
struct AnnotationOut<'a> {
    start: usize,
    end: usize,
    char_start: usize,
    char_end: usize,
    utf16_start: usize,
    utf16_end: usize,
    text: &'a str,
    concept_id: &'a str,
    side: &'static str,
    term: &'a str,
    #[serde(rename = "match")]
    kind: &'static str,
    score: f64,
    equivalents: &'a [String],
    definition: &'a str,
    alternatives: &'a [String],
    false_friend: bool,
    first_mention: bool,
}

impl<'a> From<&'a Annotation> for AnnotationOut<'a> {
    fn from(a: &'a Annotation) -> Self {
        AnnotationOut {
            start: a.start,
            end: a.end,
            char_start: a.char_start,
            char_end: a.char_end,
            utf16_start: a.utf16_start,
            utf16_end: a.utf16_end,
            text: &a.text,
            concept_id: &a.concept_id,
            side: a.side.as_str(),
            term: &a.term,
            kind: a.kind.as_str(),
            score: score(a.score),
            equivalents: &a.equivalents,
            definition: &a.definition,
            alternatives: &a.alternatives,
            false_friend: a.false_friend,
            first_mention: a.first_mention,
        }
    }
}

/// A gap on the wire (the proto `Gap`).
#[derive(Serialize)]
struct GapOut<'a> {
    start: usize,
    end: usize,
    char_start: usize,
    char_end: usize,
    utf16_start: usize,
    utf16_end: usize,
    text: &'a str,
    kind: &'static str,
}

impl<'a> From<&'a crate::matcher::Gap> for GapOut<'a> {
    fn from(g: &'a crate::matcher::Gap) -> Self {
        GapOut {
            start: g.start,
            end: g.end,
            char_start: g.char_start,
            char_end: g.char_end,
            utf16_start: g.utf16_start,
            utf16_end: g.utf16_end,
            text: &g.text,
            kind: g.kind.as_str(),
        }
    }
}

/// A rendering on the wire.
#[derive(Serialize)]
struct RenderingOut<'a> {
    audience: &'static str,
    text: &'a str,
}

/// A concept's note in a compact response's `concepts`.
#[derive(Serialize)]
struct NoteOut<'a> {
    equivalents: &'a [String],
    definition: &'a str,
}

/// A translation on the wire (the proto `TranslateResponse`).
#[derive(Serialize)]
struct TranslateResponseOut<'a> {
    annotations: Vec<AnnotationOut<'a>>,
    renderings: Vec<RenderingOut<'a>>,
    request_id: &'a str,
    glossary_version: &'a str,
    gaps: Vec<GapOut<'a>>,
    concepts: BTreeMap<&'a str, NoteOut<'a>>,
}

/// One side of a concept on the wire.
#[derive(Serialize)]
struct SideOut<'a> {
    terms: Vec<&'a str>,
    definition: &'a str,
}

/// A concept on the wire (the proto `Concept`); a side it lacks is left out.
#[derive(Serialize)]
struct ConceptOut<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    it: Option<SideOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    marketing: Option<SideOut<'a>>,
    tags: &'a [String],
    note: &'a str,
    cues: &'a [String],
    not_in: &'a [String],
    etag: String,
}

/// A value as JSON; the wire structs here hold only strings, numbers, booleans and lists,
/// which always convert.
fn to_value(v: impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// One annotation as JSON.
pub fn annotation(a: &Annotation) -> Value {
    to_value(AnnotationOut::from(a))
}

/// A whole translation as JSON.
pub fn translate_response(r: &TranslateResponse) -> Value {
    to_value(TranslateResponseOut {
        annotations: r.annotations.iter().map(AnnotationOut::from).collect(),
        renderings: r
            .renderings
            .iter()
            .map(|x| RenderingOut {
                audience: x.audience.as_str(),
                text: &x.text,
            })
            .collect(),
        request_id: &r.request_id,
        glossary_version: &r.glossary_version,
        gaps: r.gaps.iter().map(GapOut::from).collect(),
        concepts: r
            .concepts
            .iter()
            .map(|(id, n)| {
                (
                    id.as_str(),
                    NoteOut {
                        equivalents: &n.equivalents,
                        definition: &n.definition,
                    },
                )
            })
            .collect(),
    })
}

/// One gap as JSON, in the shape of the proto `Gap` message.
pub fn gap(g: &crate::matcher::Gap) -> Value {
    to_value(GapOut::from(g))
}

/// A concept as JSON, in the shape of the proto `Concept` message.
pub fn concept(c: &Concept) -> Value {
    let side = |side: Side| {
        c.side(side).map(|e| SideOut {
            terms: e.terms.iter().map(|t| t.text.as_str()).collect(),
            definition: &e.definition,
        })
    };
    to_value(ConceptOut {
        id: &c.id,
        it: side(Side::It),
        marketing: side(Side::Marketing),
        tags: &c.tags,
        note: c.note.as_deref().unwrap_or_default(),
        cues: &c.cues,
        not_in: &c.not_in,
        etag: c.etag(),
    })
}

/// A concept as it comes in (the proto `Concept`): `null` reads as absent except for `id`
/// and a side's `definition`; `etag` is accepted and ignored (conditions travel in `If-Match`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptIn {
    #[serde(default)]
    id: String,
    it: Option<SideIn>,
    marketing: Option<SideIn>,
    tags: Option<Vec<String>>,
    note: Option<String>,
    cues: Option<Vec<String>>,
    not_in: Option<Vec<String>>,
    #[serde(rename = "etag")]
    _etag: Option<String>,
}

/// One side of a concept as it comes in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SideIn {
    terms: Option<Vec<String>>,
    #[serde(default)]
    definition: String,
}

impl From<SideIn> for SideEntry {
    fn from(s: SideIn) -> SideEntry {
        SideEntry {
            terms: s
                .terms
                .unwrap_or_default()
                .into_iter()
                .map(Term::new)
                .collect(),
            definition: s.definition,
        }
    }
}

/// What a field of a concept must be, for the message naming it.
fn concept_field_expects(path: &str) -> &'static str {
    let last = path.rsplit('.').next().unwrap_or(path);
    match last.split('[').next().unwrap_or(last) {
        _ if last.ends_with(']') => "must be a string",
        "tags" | "cues" | "not_in" | "terms" => "must be an array of strings",
        "it" | "marketing" => {
            "must be an object {\"terms\": [...], \"definition\": \"...\"} or null"
        }
        _ => "must be a string",
    }
}

/// Reads a concept from JSON in the shape of [`concept`] (the proto `Concept`): `id`, `it` and
/// `marketing` (each `{"terms": [...], "definition": "..."}`, absent or `null` for no side),
/// `tags`, `note`, `cues`, `not_in`; `etag` is accepted and ignored (conditions travel in
/// `If-Match`). Validation against the glossary rules is the caller's ([`Concept::validate`]).
///
/// # Errors
/// A [`FieldError`] naming the first field of the wrong type or unknown to the shape.
pub fn concept_from_json(v: &Value) -> Result<Concept, FieldError> {
    if !v.is_object() {
        return Err(field_error("body", "must be a JSON object (a Concept)"));
    }
    let c: ConceptIn = typed(v, concept_field_expects, |path| {
        if path.contains('.') {
            "unknown field: a side has terms and definition"
        } else {
            "unknown field: a Concept has id, it, marketing, tags, note, cues, not_in, etag"
        }
    })?;
    Ok(Concept {
        id: c.id,
        tags: c.tags.unwrap_or_default(),
        note: c.note.filter(|n| !n.is_empty()),
        cues: c.cues.unwrap_or_default(),
        not_in: c.not_in.unwrap_or_default(),
        it: c.it.map(SideEntry::from),
        marketing: c.marketing.map(SideEntry::from),
        ..Concept::default()
    })
}

/// Deserializes `v` into `T`; an error names the field's path (`it.terms[1]`) with the
/// message `expects(path)` gives for a value of the wrong type, or `unknown(path)` for a field
/// the shape does not have.
fn typed<'de, T: Deserialize<'de>>(
    v: &'de Value,
    expects: fn(&str) -> &'static str,
    unknown: fn(&str) -> &'static str,
) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let message = if e.inner().to_string().starts_with("unknown field") {
            unknown(&path)
        } else {
            expects(&path)
        };
        field_error(&path, message)
    })
}

/// Parses a side: `it`, `marketing`, or (for "both") `both`, empty, or the proto names.
///
/// # Errors
/// An [`UnknownValue`] listing the accepted values.
pub fn parse_audience(s: &str) -> Result<Option<Side>, UnknownValue> {
    match s.to_ascii_lowercase().trim_start_matches("side_") {
        "" | "both" | "unspecified" => Ok(None),
        "it" => Ok(Some(Side::It)),
        "marketing" => Ok(Some(Side::Marketing)),
        other => Err(UnknownValue::new("reader", other, "it, marketing or both")),
    }
}

/// Parses a format: `inline`, `markdown`, `html`, `rewrite`, `none` (or the proto names).
///
/// # Errors
/// An [`UnknownValue`] listing the accepted values.
pub fn parse_format(s: &str) -> Result<Format, UnknownValue> {
    match s.to_ascii_lowercase().trim_start_matches("format_") {
        "" | "unspecified" => Ok(Format::Inline),
        other => other.parse(),
    }
}

/// A `TranslateRequest` as it comes in: snake_case fields, enums as lower-case strings (or
/// the proto names); the reader under one of three names.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TranslateRequestIn {
    #[serde(default)]
    text: String,
    #[serde(default)]
    request_id: String,
    audience: Option<String>,
    /// `for` and `reader` are what the CLI (`--for`) and the config files call `audience`.
    #[serde(rename = "for")]
    for_: Option<String>,
    reader: Option<String>,
    #[serde(default)]
    format: String,
    /// 0 is the proto default and means "not set".
    #[serde(default)]
    min_score: f64,
    #[serde(default)]
    exact_only: bool,
    #[serde(default)]
    explain: String,
    #[serde(default)]
    view: String,
}

fn request_field_expects(path: &str) -> &'static str {
    match path {
        "min_score" => "must be a number",
        "exact_only" => "must be true or false",
        _ => "must be a string",
    }
}

/// Reads a `TranslateRequest` from JSON (snake_case fields, lower-case enum strings).
///
/// # Errors
/// A [`FieldError`] naming the first unusable field.
pub fn translate_request(v: &Value) -> Result<TranslateRequest, FieldError> {
    if !v.is_object() {
        return Err(field_error("body", "must be a JSON object"));
    }
    let r: TranslateRequestIn = typed(v, request_field_expects, |_| {
        "unknown field: a request has text, audience (or for), format, explain, view, \
         min_score, exact_only, request_id"
    })?;
    let readers = [
        ("audience", &r.audience),
        ("for", &r.for_),
        ("reader", &r.reader),
    ];
    let mut given = readers
        .iter()
        .filter_map(|(k, v)| Some((*k, v.as_deref()?)));
    let audience = match (given.next(), given.next()) {
        (_, Some((key, _))) => {
            let first = readers
                .iter()
                .find(|(_, v)| v.is_some())
                .map_or("", |r| r.0);
            return Err(field_error(
                key,
                format!(
                    "the reader is already given as '{first}': send one of audience, for, reader"
                ),
            ));
        }
        (Some((key, value)), None) => parse_audience(value).map_err(|m| field_error(key, m))?,
        (None, None) => None,
    };
    Ok(TranslateRequest {
        text: r.text,
        audience,
        format: parse_format(&r.format).map_err(|m| field_error("format", m))?,
        min_score: (r.min_score != 0.0).then_some(r.min_score as f32),
        exact_only: r.exact_only,
        request_id: r.request_id,
        explain: r.explain.parse().map_err(|m| field_error("explain", m))?,
        view: r.view.parse().map_err(|m| field_error("view", m))?,
    })
}

/// Writes `r` as [`translate_response`] would print it, byte for byte, without building it in
/// memory first (issue 33): keys in the same (sorted) order, each annotation serialised as it
/// is reached. `broker translate --json` on 10 MB of text no longer holds a JSON tree of every
/// annotation besides the annotations themselves.
///
/// # Errors
/// The writer's.
pub fn write_translate_response<W: std::io::Write>(
    out: W,
    r: &TranslateResponse,
) -> serde_json::Result<()> {
    serde_json::to_writer(out, &sorted::Response(r))
}

/// The wire shapes of [`translate_response`] with their fields in the order `serde_json::Value`
/// prints them (sorted by name), for [`write_translate_response`].
mod sorted {
    use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
    use serde::Serialize;

    use super::score;
    use crate::matcher::Gap;
    use crate::render::Annotation;
    use crate::translate::{ConceptNote, Rendering, TranslateResponse};

    pub(super) struct Response<'a>(pub(super) &'a TranslateResponse);
    struct Annotations<'a>(&'a [Annotation]);
    struct Ann<'a>(&'a Annotation);
    struct Gaps<'a>(&'a [Gap]);
    struct GapOut<'a>(&'a Gap);
    struct Renderings<'a>(&'a [Rendering]);
    struct Notes<'a>(&'a std::collections::BTreeMap<String, ConceptNote>);
    struct Note<'a>(&'a ConceptNote);

    impl Serialize for Response<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let r = self.0;
            let mut m = s.serialize_struct("TranslateResponse", 6)?;
            m.serialize_field("annotations", &Annotations(&r.annotations))?;
            m.serialize_field("concepts", &Notes(&r.concepts))?;
            m.serialize_field("gaps", &Gaps(&r.gaps))?;
            m.serialize_field("glossary_version", &r.glossary_version)?;
            m.serialize_field("renderings", &Renderings(&r.renderings))?;
            m.serialize_field("request_id", &r.request_id)?;
            m.end()
        }
    }

    impl Serialize for Annotations<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut q = s.serialize_seq(Some(self.0.len()))?;
            for a in self.0 {
                q.serialize_element(&Ann(a))?;
            }
            q.end()
        }
    }

    impl Serialize for Ann<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let a = self.0;
            let mut m = s.serialize_struct("Annotation", 17)?;
            m.serialize_field("alternatives", &a.alternatives)?;
            m.serialize_field("char_end", &a.char_end)?;
            m.serialize_field("char_start", &a.char_start)?;
            m.serialize_field("concept_id", &a.concept_id)?;
            m.serialize_field("definition", &a.definition)?;
            m.serialize_field("end", &a.end)?;
            m.serialize_field("equivalents", &a.equivalents)?;
            m.serialize_field("false_friend", &a.false_friend)?;
            m.serialize_field("first_mention", &a.first_mention)?;
            m.serialize_field("match", a.kind.as_str())?;
            m.serialize_field("score", &score(a.score))?;
            m.serialize_field("side", a.side.as_str())?;
            m.serialize_field("start", &a.start)?;
            m.serialize_field("term", &a.term)?;
            m.serialize_field("text", &a.text)?;
            m.serialize_field("utf16_end", &a.utf16_end)?;
            m.serialize_field("utf16_start", &a.utf16_start)?;
            m.end()
        }
    }

    impl Serialize for Gaps<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut q = s.serialize_seq(Some(self.0.len()))?;
            for g in self.0 {
                q.serialize_element(&GapOut(g))?;
            }
            q.end()
        }
    }

    impl Serialize for GapOut<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let g = self.0;
            let mut m = s.serialize_struct("Gap", 8)?;
            m.serialize_field("char_end", &g.char_end)?;
            m.serialize_field("char_start", &g.char_start)?;
            m.serialize_field("end", &g.end)?;
            m.serialize_field("kind", g.kind.as_str())?;
            m.serialize_field("start", &g.start)?;
            m.serialize_field("text", &g.text)?;
            m.serialize_field("utf16_end", &g.utf16_end)?;
            m.serialize_field("utf16_start", &g.utf16_start)?;
            m.end()
        }
    }

    impl Serialize for Renderings<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut q = s.serialize_seq(Some(self.0.len()))?;
            for x in self.0 {
                q.serialize_element(&super::RenderingOut {
                    audience: x.audience.as_str(),
                    text: &x.text,
                })?;
            }
            q.end()
        }
    }

    impl Serialize for Notes<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (id, n) in self.0 {
                m.serialize_entry(id, &Note(n))?;
            }
            m.end()
        }
    }

    impl Serialize for Note<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_struct("ConceptNote", 2)?;
            m.serialize_field("definition", &self.0.definition)?;
            m.serialize_field("equivalents", &self.0.equivalents)?;
            m.end()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> Result<TranslateRequest, FieldError> {
        translate_request(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn requests_name_the_bad_field() {
        let err = request(r#"{"text": "x", "audience": "cmo"}"#).unwrap_err();
        assert_eq!(err.field, "audience");
        let err = request(r#"{"text": 3}"#).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("text", "must be a string")
        );
        let err = request(r#"{"txt": "x"}"#).unwrap_err();
        assert_eq!(err.field, "txt");
        let err = request(r#"{"text": "x", "exact_only": 1}"#).unwrap_err();
        assert_eq!(err.to_string(), "exact_only: must be true or false");
        let err = request(r#"[1, 2]"#).unwrap_err();
        assert_eq!(err.field, "body");
        let ok = request(
            r#"{"text": "x", "audience": "marketing", "format": "markdown", "min_score": 0.9}"#,
        )
        .unwrap();
        assert_eq!(ok.audience, Some(Side::Marketing));
        assert_eq!(ok.format, Format::Markdown);
        assert_eq!(ok.min_score, Some(0.9));
        assert_eq!(ok.explain, crate::Explain::First);
        let every = request(r#"{"text": "x", "explain": "every"}"#).unwrap();
        assert_eq!(every.explain, crate::Explain::Every);
        let err = request(r#"{"text": "x", "explain": "twice"}"#).unwrap_err();
        assert_eq!(err.field, "explain");
        // The reader under the names the CLI and config files use, once.
        for key in ["for", "reader"] {
            let r = request(&format!(r#"{{"text": "x", "{key}": "it"}}"#)).unwrap();
            assert_eq!(r.audience, Some(Side::It));
        }
        let r = request(r#"{"text": "x", "for": "SIDE_MARKETING"}"#).unwrap();
        assert_eq!(r.audience, Some(Side::Marketing));
        let err = request(r#"{"text": "x", "for": "it", "audience": "it"}"#).unwrap_err();
        assert_eq!(err.field, "for");
        assert!(err.message.contains("already given as 'audience'"), "{err}");
        let err = request(r#"{"text": "x", "fro": "it"}"#).unwrap_err();
        assert!(err.message.contains("audience (or for)"), "{err}");
        let compact = request(r#"{"text": "x", "view": "compact"}"#).unwrap();
        assert_eq!(compact.view, crate::View::Compact);
        let err = request(r#"{"text": "x", "view": "small"}"#).unwrap_err();
        assert_eq!(err.field, "view");
    }

    #[test]
    fn written_translation_is_the_value_byte_for_byte() {
        let g = crate::Glossary::embedded();
        let m = crate::Matcher::new(std::sync::Arc::new(g));
        for (text, view, audience) in [
            (
                "Our SLA breach hurt the CTR; the \"p99 latency\" of the API\ttoo.\n",
                "full",
                None,
            ),
            (
                "The MQLs\u{2019} churn per cohort, ETL jobs and CI/CD, é.",
                "compact",
                Some(Side::It),
            ),
            ("", "full", Some(Side::Marketing)),
        ] {
            let req = TranslateRequest {
                text: text.into(),
                audience,
                view: view.parse().unwrap(),
                ..TranslateRequest::default()
            };
            let r = crate::translate(&m, &req).unwrap();
            let mut written = Vec::new();
            write_translate_response(&mut written, &r).unwrap();
            let value = serde_json::to_vec(&translate_response(&r)).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(value).unwrap()
            );
        }
    }

    #[test]
    fn concepts_round_trip_and_bad_fields_are_named() {
        let c = Concept {
            id: "latency".into(),
            tags: vec!["performance".into()],
            note: Some("p99".into()),
            cues: vec!["server".into()],
            it: Some(SideEntry {
                terms: vec!["latency".into(), "RTT".into()],
                definition: "Time to answer.".into(),
            }),
            ..Concept::default()
        };
        assert_eq!(concept_from_json(&concept(&c)).unwrap(), c);
        let cases = [
            (r#"[]"#, "body", "must be a JSON object (a Concept)"),
            (r#"{"id": 3}"#, "id", "must be a string"),
            (r#"{"id": null}"#, "id", "must be a string"),
            (
                r#"{"id": "x", "it": {"terms": ["a", 1]}}"#,
                "it.terms[1]",
                "must be a string",
            ),
            (
                r#"{"id": "x", "it": {"term": ["a"]}}"#,
                "it.term",
                "unknown field: a side has terms and definition",
            ),
            (
                r#"{"id": "x", "marketing": "y"}"#,
                "marketing",
                "must be an object",
            ),
            (
                r#"{"id": "x", "tags": "y"}"#,
                "tags",
                "must be an array of strings",
            ),
            (
                r#"{"id": "x", "colour": "y"}"#,
                "colour",
                "unknown field: a Concept",
            ),
        ];
        for (json, field, message) in cases {
            let err = concept_from_json(&serde_json::from_str(json).unwrap()).unwrap_err();
            assert_eq!(err.field, field, "{json}");
            assert!(err.message.starts_with(message), "{json}: {err}");
        }
        let nulls = r#"{"id": "x", "it": null, "tags": null, "note": null, "etag": null}"#;
        let c = concept_from_json(&serde_json::from_str(nulls).unwrap()).unwrap();
        assert_eq!((c.it, c.tags.len(), c.note), (None, 0, None));
    }
}
