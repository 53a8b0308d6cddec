//! The JSON shape of translations, shared by `broker translate --json` and `POST /v1/translate`.
//!
//! Field names are the snake_case names of the proto (SPEC §5); enums are lower-case strings
//! (`"it"`, `"fuzzy"`, `"markdown"`). This module is an edge: the core types know nothing of it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::glossary::{Concept, Side, SideEntry, Term};
use crate::render::Annotation;
use crate::render::Format;
use crate::translate::{TranslateRequest, TranslateResponse};

/// A JSON request field that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field's name.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        message: message.into(),
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

/// Reads a concept from JSON in the shape of [`concept`] (the proto `Concept`): `id`, `it` and
/// `marketing` (each `{"terms": [...], "definition": "..."}`, absent or `null` for no side),
/// `tags`, `note`, `cues`, `not_in`; `etag` is accepted and ignored (conditions travel in
/// `If-Match`). Validation against the glossary rules is the caller's ([`Concept::validate`]).
///
/// # Errors
/// A [`FieldError`] naming the first field of the wrong type or unknown to the shape.
pub fn concept_from_json(v: &Value) -> Result<Concept, FieldError> {
    let obj = v
        .as_object()
        .ok_or_else(|| field_error("body", "must be a JSON object (a Concept)"))?;
    let mut c = Concept::default();
    for (key, value) in obj {
        match key.as_str() {
            "id" => c.id = string(value, key)?,
            "note" => {
                let note = if value.is_null() {
                    String::new()
                } else {
                    string(value, key)?
                };
                c.note = (!note.is_empty()).then_some(note);
            }
            "tags" => c.tags = strings(value, key)?,
            "cues" => c.cues = strings(value, key)?,
            "not_in" => c.not_in = strings(value, key)?,
            "etag" => {
                if !value.is_null() {
                    string(value, key)?;
                }
            }
            "it" | "marketing" => {
                let side: Side = key.parse().map_err(|m: String| field_error(key, m))?;
                *c.side_mut(side) = side_entry(value, key)?;
            }
            other => return Err(field_error(
                other,
                "unknown field: a Concept has id, it, marketing, tags, note, cues, not_in, etag",
            )),
        }
    }
    Ok(c)
}

fn string(v: &Value, field: &str) -> Result<String, FieldError> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| field_error(field, "must be a string"))
}

fn strings(v: &Value, field: &str) -> Result<Vec<String>, FieldError> {
    if v.is_null() {
        return Ok(Vec::new());
    }
    let items = v
        .as_array()
        .ok_or_else(|| field_error(field, "must be an array of strings"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, x)| string(x, &format!("{field}[{i}]")))
        .collect()
}

fn side_entry(v: &Value, field: &str) -> Result<Option<SideEntry>, FieldError> {
    if v.is_null() {
        return Ok(None);
    }
    let obj = v.as_object().ok_or_else(|| {
        field_error(
            field,
            "must be an object {\"terms\": [...], \"definition\": \"...\"} or null",
        )
    })?;
    let mut entry = SideEntry::default();
    for (key, value) in obj {
        let name = format!("{field}.{key}");
        match key.as_str() {
            "terms" => entry.terms = strings(value, &name)?.into_iter().map(Term::new).collect(),
            "definition" => entry.definition = string(value, &name)?,
            _ => {
                return Err(field_error(
                    &name,
                    "unknown field: a side has terms and definition",
                ))
            }
        }
    }
    Ok(Some(entry))
}

/// Parses a side: `it`, `marketing`, or (for "both") `both`, empty, or the proto names.
///
/// # Errors
/// A message listing the accepted values.
pub fn parse_audience(s: &str) -> Result<Option<Side>, String> {
    match s.to_ascii_lowercase().trim_start_matches("side_") {
        "" | "both" | "unspecified" => Ok(None),
        "it" => Ok(Some(Side::It)),
        "marketing" => Ok(Some(Side::Marketing)),
        other => Err(format!(
            "unknown reader '{other}': expected it, marketing or both"
        )),
    }
}

/// Parses a format: `inline`, `markdown`, `html`, `rewrite`, `none` (or the proto names).
///
/// # Errors
/// A message listing the accepted values.
pub fn parse_format(s: &str) -> Result<Format, String> {
    match s.to_ascii_lowercase().trim_start_matches("format_") {
        "" | "unspecified" => Ok(Format::Inline),
        other => other.parse(),
    }
}

/// Reads a `TranslateRequest` from JSON (snake_case fields, lower-case enum strings).
///
/// # Errors
/// A [`FieldError`] naming the first unusable field.
pub fn translate_request(v: &Value) -> Result<TranslateRequest, FieldError> {
    let obj = v
        .as_object()
        .ok_or_else(|| field_error("body", "must be a JSON object"))?;
    let mut req = TranslateRequest::default();
    let mut audience_given: Option<&str> = None;
    for (key, value) in obj {
        let as_str = || {
            value
                .as_str()
                .ok_or_else(|| field_error(key, "must be a string"))
        };
        match key.as_str() {
            "text" => req.text = as_str()?.to_string(),
            "request_id" => req.request_id = as_str()?.to_string(),
            // `for` and `reader` are what the CLI (`--for`) and the config files call it.
            "audience" | "for" | "reader" => {
                if let Some(first) = audience_given.replace(key.as_str()) {
                    return Err(field_error(
                        key,
                        format!("the reader is already given as '{first}': send one of audience, for, reader"),
                    ));
                }
                req.audience = parse_audience(as_str()?).map_err(|m| field_error(key, m))?
            }
            "format" => req.format = parse_format(as_str()?).map_err(|m| field_error(key, m))?,
            "min_score" => {
                let f = value
                    .as_f64()
                    .ok_or_else(|| field_error(key, "must be a number"))?;
                // 0 is the proto default and means "not set".
                req.min_score = (f != 0.0).then_some(f as f32);
            }
            "exact_only" => {
                req.exact_only = value
                    .as_bool()
                    .ok_or_else(|| field_error(key, "must be true or false"))?
            }
            "explain" => req.explain = as_str()?.parse().map_err(|m| field_error(key, m))?,
            "view" => req.view = as_str()?.parse().map_err(|m| field_error(key, m))?,
            other => {
                return Err(field_error(
                    other,
                    "unknown field: a request has text, audience (or for), format, explain, \
                     view, min_score, exact_only, request_id",
                ))
            }
        }
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_name_the_bad_field() {
        let err = translate_request(&json!({"text": "x", "audience": "cmo"})).unwrap_err();
        assert_eq!(err.field, "audience");
        let err = translate_request(&json!({"text": 3})).unwrap_err();
        assert_eq!(err.field, "text");
        let err = translate_request(&json!({"txt": "x"})).unwrap_err();
        assert_eq!(err.field, "txt");
        let ok = translate_request(
            &json!({"text": "x", "audience": "marketing", "format": "markdown", "min_score": 0.9}),
        )
        .unwrap();
        assert_eq!(ok.audience, Some(Side::Marketing));
        assert_eq!(ok.format, Format::Markdown);
        assert_eq!(ok.min_score, Some(0.9));
        assert_eq!(ok.explain, crate::Explain::First);
        let every = translate_request(&json!({"text": "x", "explain": "every"})).unwrap();
        assert_eq!(every.explain, crate::Explain::Every);
        let err = translate_request(&json!({"text": "x", "explain": "twice"})).unwrap_err();
        assert_eq!(err.field, "explain");
        // The reader under the names the CLI and config files use, once.
        for key in ["for", "reader"] {
            let r = translate_request(&json!({"text": "x", key: "it"})).unwrap();
            assert_eq!(r.audience, Some(Side::It));
        }
        let r = translate_request(&json!({"text": "x", "for": "SIDE_MARKETING"})).unwrap();
        assert_eq!(r.audience, Some(Side::Marketing));
        let err =
            translate_request(&json!({"text": "x", "for": "it", "audience": "it"})).unwrap_err();
        assert!(err.message.contains("already given"), "{err}");
        let err = translate_request(&json!({"text": "x", "fro": "it"})).unwrap_err();
        assert!(err.message.contains("audience (or for)"), "{err}");
        let compact = translate_request(&json!({"text": "x", "view": "compact"})).unwrap();
        assert_eq!(compact.view, crate::View::Compact);
        let err = translate_request(&json!({"text": "x", "view": "small"})).unwrap_err();
        assert_eq!(err.field, "view");
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
            (json!([]), "body"),
            (json!({"id": 3}), "id"),
            (json!({"id": "x", "it": {"terms": ["a", 1]}}), "it.terms[1]"),
            (json!({"id": "x", "it": {"term": ["a"]}}), "it.term"),
            (json!({"id": "x", "marketing": "y"}), "marketing"),
            (json!({"id": "x", "tags": "y"}), "tags"),
            (json!({"id": "x", "colour": "y"}), "colour"),
        ];
        for (v, field) in cases {
            assert_eq!(concept_from_json(&v).unwrap_err().field, field, "{v}");
        }
    }
}
