//! Reading glossary TOML into validated [`Concept`]s, with `file:line` for every problem.
//!
//! Parsing goes through serde with [`toml::Spanned`] so that each id, side and term keeps
//! its position; validation reuses [`Concept::validate`] and maps the failing field back
//! to the line it was written on.

use std::ops::Range;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::located::{FieldLines, Located, SideLines};
use super::model::{Concept, SideEntry, Term};
use super::{scan, Diagnostic};
use crate::lines::LineIndex;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    concept: Vec<Spanned<RawConcept>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConcept {
    id: Option<Spanned<String>>,
    #[serde(default)]
    tags: Option<Spanned<Vec<String>>>,
    note: Option<String>,
    #[serde(default)]
    cues: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    not_in: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    draft: bool,
    it: Option<Spanned<RawSide>>,
    marketing: Option<Spanned<RawSide>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSide {
    #[serde(default)]
    terms: Vec<Spanned<RawTerm>>,
    definition: Option<Spanned<String>>,
}

/// A term written either as a string or as `{ text, case_sensitive, fuzzy }`.
struct RawTerm(Term);

impl<'de> Deserialize<'de> for RawTerm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TermVisitor;
        impl<'de> Visitor<'de> for TermVisitor {
            type Value = RawTerm;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a term: a string or a table { text = \"...\", case_sensitive = bool, fuzzy = bool, pos = \"noun\" | \"verb\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTerm, E> {
                Ok(RawTerm(Term::new(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTerm, A::Error> {
                let mut term = Term::new("");
                let mut has_text = false;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "text" => {
                            term.text = map.next_value()?;
                            has_text = true;
                        }
                        "case_sensitive" => term.case_sensitive = Some(map.next_value()?),
                        "fuzzy" => term.fuzzy = Some(map.next_value()?),
                        "pos" => {
                            let v: String = map.next_value()?;
                            term.pos = Some(v.parse().map_err(de::Error::custom)?);
                        }
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["text", "case_sensitive", "fuzzy", "pos"],
                            ))
                        }
                    }
                }
                if !has_text {
                    return Err(de::Error::missing_field("text"));
                }
                Ok(RawTerm(term))
            }
        }
        d.deserialize_any(TermVisitor)
    }
}

/// Parses one glossary file. Syntax errors come back as diagnostics with `file:line`.
///
/// Files in the plain subset of TOML that glossaries are written in take the one-pass
/// [`scan`] reader; anything else (including every error) goes through the `toml` crate.
pub(crate) fn parse_file(file: &str, text: &str) -> Result<Vec<Located>, Vec<Diagnostic>> {
    match scan::parse(text) {
        Some(located) => Ok(located),
        None => parse_file_toml(file, text),
    }
}

/// [`parse_file`] through the `toml` crate: any TOML, and its error messages.
pub(crate) fn parse_file_toml(file: &str, text: &str) -> Result<Vec<Located>, Vec<Diagnostic>> {
    let lines = LineIndex::new(text);
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s: Range<usize>| lines.line(s.start));
        vec![Diagnostic::new(file, line, e.message().trim().to_string())]
    })?;
    let mut out = Vec::with_capacity(raw.concept.len());
    let mut errors = Vec::new();
    for spanned in raw.concept {
        let line = lines.line(spanned.span().start);
        let raw = spanned.into_inner();
        let mut field_lines = FieldLines::default();
        let mut concept = Concept::default();
        let id_line = match raw.id {
            Some(id) => {
                let id_line = lines.line(id.span().start);
                concept.id = id.into_inner();
                id_line
            }
            None => {
                errors.push(Diagnostic::new(file, line, "concept has no 'id'"));
                continue;
            }
        };
        if let Some(tags) = raw.tags {
            field_lines.tags = Some(lines.line(tags.span().start));
            concept.tags = tags.into_inner();
        }
        if let Some(cues) = raw.cues {
            field_lines.cues = Some(lines.line(cues.span().start));
            concept.cues = cues.into_inner();
        }
        if let Some(not_in) = raw.not_in {
            field_lines.not_in = Some(lines.line(not_in.span().start));
            concept.not_in = not_in.into_inner();
        }
        concept.note = raw.note;
        concept.draft = raw.draft;
        for (k, side) in [raw.it, raw.marketing].into_iter().enumerate() {
            let Some(side) = side else { continue };
            let mut side_lines = SideLines::new(lines.line(side.span().start));
            let side = side.into_inner();
            let mut entry = SideEntry::default();
            if let Some(def) = side.definition {
                side_lines.definition = Some(lines.line(def.span().start));
                entry.definition = def.into_inner();
            }
            for term in side.terms {
                side_lines.terms.push(lines.line(term.span().start));
                entry.terms.push(term.into_inner().0);
            }
            field_lines.sides[k] = Some(side_lines);
            if k == 0 {
                concept.it = Some(entry);
            } else {
                concept.marketing = Some(entry);
            }
        }
        out.push(Located {
            concept,
            line,
            id_line,
            lines: field_lines,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
