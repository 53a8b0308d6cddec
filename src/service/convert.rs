//! Conversions between the generated proto types and the core's types.
//!
//! This is the only file that knows both sides: the core never sees prost types. Enum values
//! arrive as raw `i32`s; unknown ones are `INVALID_ARGUMENT` naming the field.

use std::time::SystemTime;

use super::error::ServiceError;
use super::pb;
use crate::glossary::{Concept, Side, SideEntry, Term};
use crate::matcher::{Hit, MatchKind, Suggestion};
use crate::render::Annotation;
use crate::render::{Explain, Format};
use crate::translate::{Rendering, TranslateRequest, TranslateResponse, View};

/// A `Side` field: `None` for `SIDE_UNSPECIFIED` (both readers).
///
/// # Errors
/// `INVALID_ARGUMENT` naming `field` for a value outside the enum.
pub fn side_from_proto(value: i32, field: &str) -> Result<Option<Side>, ServiceError> {
    match pb::Side::try_from(value) {
        Ok(pb::Side::Unspecified) => Ok(None),
        Ok(pb::Side::It) => Ok(Some(Side::It)),
        Ok(pb::Side::Marketing) => Ok(Some(Side::Marketing)),
        Err(_) => Err(ServiceError::invalid(
            field,
            format!("unknown Side value {value}: expected SIDE_UNSPECIFIED (0), SIDE_IT (1) or SIDE_MARKETING (2)"),
        )),
    }
}

/// The proto value of a side.
pub fn side_to_proto(side: Side) -> i32 {
    match side {
        Side::It => pb::Side::It,
        Side::Marketing => pb::Side::Marketing,
    }
    .into()
}

/// A `Format` field; `FORMAT_UNSPECIFIED` is inline.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `format` for a value outside the enum.
pub fn format_from_proto(value: i32) -> Result<Format, ServiceError> {
    match pb::Format::try_from(value) {
        Ok(pb::Format::Unspecified | pb::Format::Inline) => Ok(Format::Inline),
        Ok(pb::Format::Markdown) => Ok(Format::Markdown),
        Ok(pb::Format::Html) => Ok(Format::Html),
        Ok(pb::Format::Rewrite) => Ok(Format::Rewrite),
        Ok(pb::Format::None) => Ok(Format::None),
        Err(_) => Err(ServiceError::invalid(
            "format",
            format!("unknown Format value {value}: expected 0 to 5"),
        )),
    }
}

/// The explain setting of a request.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `explain` for a value outside the enum.
pub fn explain_from_proto(value: i32) -> Result<Explain, ServiceError> {
    match pb::Explain::try_from(value) {
        Ok(pb::Explain::Unspecified | pb::Explain::First) => Ok(Explain::First),
        Ok(pb::Explain::Every) => Ok(Explain::Every),
        Err(_) => Err(ServiceError::invalid(
            "explain",
            format!("unknown Explain value {value}: expected 0 to 2"),
        )),
    }
}

/// The view of a request.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `view` for a value outside the enum.
pub fn view_from_proto(value: i32) -> Result<View, ServiceError> {
    match pb::View::try_from(value) {
        Ok(pb::View::Unspecified | pb::View::Full) => Ok(View::Full),
        Ok(pb::View::Compact) => Ok(View::Compact),
        Err(_) => Err(ServiceError::invalid(
            "view",
            format!("unknown View value {value}: expected 0 to 2"),
        )),
    }
}

/// The proto value of a match kind.
pub fn match_to_proto(kind: MatchKind) -> i32 {
    match kind {
        MatchKind::Exact => pb::Match::Exact,
        MatchKind::Normalized => pb::Match::Normalized,
        MatchKind::Fuzzy => pb::Match::Fuzzy,
    }
    .into()
}

/// A translation request; the text's size is checked by the caller.
///
/// # Errors
/// `INVALID_ARGUMENT` naming the first bad enum field.
pub fn translate_request(r: pb::TranslateRequest) -> Result<TranslateRequest, ServiceError> {
    Ok(TranslateRequest {
        audience: side_from_proto(r.audience, "audience")?,
        format: format_from_proto(r.format)?,
        // 0 is the proto default: "not set" (as in the JSON shape).
        min_score: (r.min_score != 0.0).then_some(r.min_score),
        exact_only: r.exact_only,
        explain: explain_from_proto(r.explain)?,
        view: view_from_proto(r.view)?,
        request_id: r.request_id,
        text: r.text,
    })
}

/// A translation response.
pub fn translate_response(r: TranslateResponse) -> pb::TranslateResponse {
    pb::TranslateResponse {
        annotations: r.annotations.into_iter().map(annotation).collect(),
        renderings: r.renderings.into_iter().map(rendering).collect(),
        request_id: r.request_id,
        glossary_version: r.glossary_version,
        gaps: r.gaps.into_iter().map(gap).collect(),
        concepts: r
            .concepts
            .into_iter()
            .map(|(id, n)| {
                let note = pb::ConceptNote {
                    equivalents: n.equivalents,
                    definition: n.definition,
                };
                (id, note)
            })
            .collect(),
    }
}

fn gap(g: crate::matcher::Gap) -> pb::Gap {
    pb::Gap {
        start: offset(g.start),
        end: offset(g.end),
        char_start: offset(g.char_start),
        char_end: offset(g.char_end),
        utf16_start: offset(g.utf16_start),
        utf16_end: offset(g.utf16_end),
        kind: g.kind.as_str().to_string(),
        text: g.text,
    }
}

fn rendering(r: Rendering) -> pb::Rendering {
    pb::Rendering {
        audience: side_to_proto(r.audience),
        text: r.text,
    }
}

/// Offsets fit in `u32`: a gRPC message is at most 4 GiB.
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One annotation (its strings moved, not copied).
pub fn annotation(a: Annotation) -> pb::Annotation {
    let Annotation {
        mention: m,
        equivalents,
        definition,
        ..
    } = a;
    pb::Annotation {
        start: offset(m.start),
        end: offset(m.end),
        char_start: offset(m.char_start),
        char_end: offset(m.char_end),
        utf16_start: offset(m.utf16_start),
        utf16_end: offset(m.utf16_end),
        text: m.text,
        concept_id: m.concept_id,
        side: side_to_proto(m.side),
        term: m.term,
        r#match: match_to_proto(m.kind),
        score: m.score,
        equivalents,
        definition,
        alternatives: m.alternatives,
        false_friend: m.false_friend,
        first_mention: m.first_mention,
    }
}

fn side_entry(e: &SideEntry) -> pb::SideEntry {
    pb::SideEntry {
        terms: e.terms.iter().map(|t| t.text.clone()).collect(),
        definition: e.definition.clone(),
    }
}

/// A concept, with its etag.
pub fn concept(c: &Concept) -> pb::Concept {
    pb::Concept {
        id: c.id.clone(),
        it: c.it.as_ref().map(side_entry),
        marketing: c.marketing.as_ref().map(side_entry),
        tags: c.tags.clone(),
        note: c.note.clone().unwrap_or_default(),
        etag: c.etag(),
        cues: c.cues.clone(),
        not_in: c.not_in.clone(),
    }
}

/// A concept sent by a client (upsert). Its `etag` is ignored; validation is the caller's.
///
/// The proto does not carry per-term overrides; [`crate::service::AppState::upsert`] keeps
/// those of the concept it replaces.
pub fn concept_from_proto(c: pb::Concept) -> Concept {
    let entry = |e: pb::SideEntry| SideEntry {
        terms: e.terms.into_iter().map(Term::new).collect(),
        definition: e.definition,
    };
    Concept {
        id: c.id,
        tags: c.tags,
        note: (!c.note.is_empty()).then_some(c.note),
        cues: c.cues,
        not_in: c.not_in,
        // Drafts are files' business (`broker gaps --propose`): the API edits finished concepts.
        draft: false,
        it: c.it.map(entry),
        marketing: c.marketing.map(entry),
    }
}

/// A look-up hit, with its whole concept (hits whose concept vanished are skipped).
pub fn hit(h: &Hit, concept: Option<&Concept>) -> Option<pb::Hit> {
    Some(pb::Hit {
        concept: Some(self::concept(concept?)),
        score: h.score,
        r#match: match_to_proto(h.kind),
    })
}

/// An autocompletion.
pub fn suggestion(s: &Suggestion) -> pb::Suggestion {
    pb::Suggestion {
        term: s.term.clone(),
        concept_id: s.concept_id.clone(),
        side: side_to_proto(s.side),
    }
}

/// A wall-clock time.
pub fn timestamp(t: SystemTime) -> prost_types::Timestamp {
    t.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_reject_unknown_values() {
        assert_eq!(side_from_proto(0, "audience"), Ok(None));
        assert_eq!(side_from_proto(2, "audience"), Ok(Some(Side::Marketing)));
        let err = side_from_proto(7, "audience").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("audience: unknown Side value 7"));
        assert_eq!(format_from_proto(0), Ok(Format::Inline));
        assert_eq!(format_from_proto(5), Ok(Format::None));
        assert!(format_from_proto(-1)
            .unwrap_err()
            .to_string()
            .starts_with("format: "));
    }

    #[test]
    fn concepts_round_trip_through_the_proto() {
        let c = Concept {
            id: "latency".into(),
            tags: vec!["performance".into()],
            note: Some("p99".into()),
            it: Some(SideEntry {
                terms: vec!["latency".into(), "RTT".into()],
                definition: "Time to answer.".into(),
            }),
            ..Concept::default()
        };
        let p = concept(&c);
        assert!(p.marketing.is_none());
        assert_eq!(p.etag, c.etag());
        assert_eq!(concept_from_proto(p), c);
    }
}
