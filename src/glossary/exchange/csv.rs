//! CSV exchange: one row per term, for spreadsheets (SPEC §2: `id,side,term,definition,tags`).
//!
//! The first five columns are the SPEC's; four optional ones follow so that nothing the
//! glossary holds is lost: `note`, `cues`, `case_sensitive`, `fuzzy`, `pos`, `not_in`. Import finds columns by
//! their header name, so a spreadsheet with only the SPEC's five (in any order) imports too.
//! Concept-level cells (`tags`, `note`, `cues`, `not_in`) and a side's `definition` may be written on
//! every row of the concept or only once; differing non-empty values are an error naming
//! both rows. Lists (`tags`, `cues`, `not_in`) are joined with `;`. Quoting follows RFC 4180 (the
//! `csv` crate), rows end in CRLF, and export starts with a UTF-8 byte-order mark so that
//! Excel reads the file as UTF-8. Details in `docs/exchange.md`.

use std::collections::HashMap;
use std::io::{self, Write};

use ::csv::{ReaderBuilder, StringRecord, Terminator, WriterBuilder};

use super::{join_problems, FieldLocations, Import, Location, Problem};
use crate::glossary::{Concept, Side, SideEntry, Term};

/// The columns broker writes, in order. The first five are required on import (`tags`
/// optional), the others optional.
pub const COLUMNS: [&str; 11] = [
    "id",
    "side",
    "term",
    "definition",
    "tags",
    "note",
    "cues",
    "case_sensitive",
    "fuzzy",
    "pos",
    "not_in",
];

/// Columns without which an import cannot work.
const REQUIRED: [&str; 4] = ["id", "side", "term", "definition"];

/// The separator of `tags` and `cues` lists.
pub const LIST_SEPARATOR: char = ';';

/// Why a CSV file could not be imported or a glossary not exported.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// Rows or cells that cannot be read or make invalid concepts, each with its row and
    /// column.
    #[error("{}", join_problems(.0))]
    Invalid(Vec<Problem>),
    /// The file has no header row.
    #[error("the file is empty: expected a header row {}", COLUMNS[..5].join(","))]
    Empty,
    /// A concept holds a value that CSV cannot carry without loss.
    #[error("concept '{concept}': {message}")]
    Unrepresentable {
        /// The concept's id.
        concept: String,
        /// What cannot be written.
        message: String,
    },
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Writes `concepts` as CSV: a header, then one row per term of each side, or one row with
/// an empty `term` for a side without terms (so its definition survives).
///
/// # Errors
/// [`CsvError::Unrepresentable`] when a tag or cue contains `;` or is padded with spaces (it
/// would not come back the same); [`CsvError::Io`] when writing fails.
pub fn export<W: Write>(mut out: W, concepts: &[Concept]) -> Result<(), CsvError> {
    for c in concepts {
        for (what, list) in [
            ("tag", &c.tags),
            ("cue", &c.cues),
            ("not_in phrase", &c.not_in),
        ] {
            if let Some(bad) = list
                .iter()
                .find(|s| s.contains(LIST_SEPARATOR) || s.trim() != s.as_str())
            {
                return Err(CsvError::Unrepresentable {
                    concept: c.id.clone(),
                    message: format!(
                        "{what} '{bad}' contains '{LIST_SEPARATOR}' or surrounding spaces, which CSV lists cannot hold"
                    ),
                });
            }
        }
    }
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = WriterBuilder::new()
        .terminator(Terminator::CRLF)
        .from_writer(out);
    w.write_record(COLUMNS).map_err(io::Error::from)?;
    let sep = LIST_SEPARATOR.to_string();
    for c in concepts {
        let tags = c.tags.join(&sep);
        let cues = c.cues.join(&sep);
        let not_in = c.not_in.join(&sep);
        let note = c.note.as_deref().unwrap_or("");
        for side in Side::BOTH {
            let Some(entry) = c.side(side) else { continue };
            let blank = Term::new("");
            let terms = if entry.terms.is_empty() {
                std::slice::from_ref(&blank)
            } else {
                entry.terms.as_slice()
            };
            for t in terms {
                w.write_record([
                    c.id.as_str(),
                    side.as_str(),
                    t.text.as_str(),
                    entry.definition.as_str(),
                    tags.as_str(),
                    note,
                    cues.as_str(),
                    opt_bool(t.case_sensitive),
                    opt_bool(t.fuzzy),
                    t.pos.map_or("", |p| p.as_str()),
                    not_in.as_str(),
                ])
                .map_err(io::Error::from)?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

fn opt_bool(b: Option<bool>) -> &'static str {
    match b {
        None => "",
        Some(true) => "true",
        Some(false) => "false",
    }
}

/// Reads CSV rows into concepts. Rows of one concept need not be consecutive; concepts come
/// out in the order of their first row, terms in row order.
///
/// Columns are found by header name (case-insensitive); unknown columns are reported in
/// [`Import::warnings`] and ignored.
///
/// # Errors
/// [`CsvError::Empty`] for a file without a header; [`CsvError::Invalid`] listing every
/// problem with its row (the header is row 1) and column: a missing required column, a
/// row with the wrong number of cells, an empty id, an unknown side, a bad `true`/`false`,
/// conflicting values between rows, and concepts that break the glossary rules (e.g. a
/// side with terms but no definition).
pub fn import(text: &str) -> Result<Import, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(CsvError::Empty);
    }
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let header = reader.headers().map_err(|e| read_problem(&e, 1))?.clone();
    let columns = match Columns::new(&header, &mut warnings) {
        Ok(c) => c,
        Err(p) => return Err(CsvError::Invalid(p)),
    };
    let mut builder = Builder::default();
    for (i, record) in reader.records().enumerate() {
        // Row 1 is the header; `i` counts data records from 0.
        let fallback_row = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(fallback_row, |p| {
                    usize::try_from(p.record()).unwrap_or(0) + 1
                });
                problems.push(read_problem(&e, row).into_single());
                continue;
            }
        };
        let row = record.position().map_or(fallback_row, |p| {
            usize::try_from(p.record()).unwrap_or(0) + 1
        });
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue; // a blank line a spreadsheet left at the end
        }
        if let Err(mut p) = builder.row(&columns, &record, row) {
            problems.append(&mut p);
        }
    }
    let concepts = builder.finish(&mut problems);
    if problems.is_empty() {
        Ok(Import { concepts, warnings })
    } else {
        Err(CsvError::Invalid(problems))
    }
}

fn read_problem(e: &::csv::Error, row: usize) -> CsvError {
    let message = match e.kind() {
        ::csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} cells where the header has {expected_len}"),
        _ => e.to_string(),
    };
    CsvError::Invalid(vec![Problem::new(
        Location::Row { row, column: None },
        None,
        message,
    )])
}

impl CsvError {
    fn into_single(self) -> Problem {
        match self {
            CsvError::Invalid(mut p) if !p.is_empty() => p.remove(0),
            other => Problem::new(
                Location::Row {
                    row: 1,
                    column: None,
                },
                None,
                other.to_string(),
            ),
        }
    }
}

/// Where each known column is.
struct Columns {
    index: HashMap<&'static str, usize>,
}

impl Columns {
    fn new(header: &StringRecord, warnings: &mut Vec<Problem>) -> Result<Columns, Vec<Problem>> {
        let mut index = HashMap::new();
        let mut problems = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let key = name.trim().to_ascii_lowercase();
            let at = Location::Row {
                row: 1,
                column: Some(name.to_string()),
            };
            match COLUMNS.iter().find(|c| **c == key) {
                Some(c) if index.contains_key(c) => {
                    problems.push(Problem::new(at, None, "column appears twice"));
                }
                Some(c) => {
                    index.insert(*c, i);
                }
                None => warnings.push(Problem::new(
                    at,
                    None,
                    format!("unknown column; ignored (known: {})", COLUMNS.join(",")),
                )),
            }
        }
        for c in REQUIRED {
            if !index.contains_key(c) {
                problems.push(Problem::new(
                    Location::Row {
                        row: 1,
                        column: None,
                    },
                    None,
                    format!("missing column '{c}' in the header"),
                ));
            }
        }
        if problems.is_empty() {
            Ok(Columns { index })
        } else {
            Err(problems)
        }
    }

    fn get<'r>(&self, record: &'r StringRecord, column: &str) -> &'r str {
        self.index
            .get(column)
            .and_then(|&i| record.get(i))
            .unwrap_or("")
    }
}

fn cell(row: usize, column: &str) -> Location {
    Location::Row {
        row,
        column: Some(column.to_string()),
    }
}

/// A value that may be given on several rows, remembered with the row it came from.
type Cell = Option<(String, usize)>;

#[derive(Default)]
struct SideAcc {
    first_row: usize,
    definition: Cell,
    terms: Vec<(Term, usize)>,
}

#[derive(Default)]
struct ConceptAcc {
    id: String,
    first_row: usize,
    tags: Cell,
    note: Cell,
    cues: Cell,
    not_in: Cell,
    sides: [Option<SideAcc>; 2],
}

/// Gathers rows into concepts, keyed by id, in the order ids first appear.
#[derive(Default)]
struct Builder {
    order: Vec<ConceptAcc>,
    by_id: HashMap<String, usize>,
}

/// Sets `slot` from a non-empty `value`, or checks that it agrees with the earlier one.
fn merge(slot: &mut Cell, value: &str, row: usize, column: &str, id: &str) -> Result<(), Problem> {
    if value.is_empty() {
        return Ok(());
    }
    match slot {
        None => {
            *slot = Some((value.to_string(), row));
            Ok(())
        }
        Some((old, _)) if old == value => Ok(()),
        Some((_, old_row)) => Err(Problem::new(
            cell(row, column),
            Some(id),
            format!("differs from the {column} given on row {old_row}"),
        )),
    }
}

/// `"a; b;;c"` → `["a", "b", "c"]`.
fn split_list(cell: &str) -> Vec<String> {
    cell.split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_bool(value: &str, row: usize, column: &str, id: &str) -> Result<Option<bool>, Problem> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" => Ok(Some(true)),
        "false" => Ok(Some(false)),
        other => Err(Problem::new(
            cell(row, column),
            Some(id),
            format!("'{other}' is not 'true', 'false' or empty"),
        )),
    }
}

impl Builder {
    fn row(&mut self, cols: &Columns, rec: &StringRecord, row: usize) -> Result<(), Vec<Problem>> {
        let id = cols.get(rec, "id").trim();
        if id.is_empty() {
            return Err(vec![Problem::new(cell(row, "id"), None, "empty id")]);
        }
        let side_text = cols.get(rec, "side").trim();
        let side: Side = side_text.parse().map_err(|m: crate::UnknownValue| {
            vec![Problem::new(
                cell(row, "side"),
                Some(id),
                if side_text.is_empty() {
                    "empty side: expected 'it' or 'marketing'".to_string()
                } else {
                    m.to_string()
                },
            )]
        })?;
        let mut problems = Vec::new();
        let term_text = cols.get(rec, "term");
        let case_sensitive = parse_bool(cols.get(rec, "case_sensitive"), row, "case_sensitive", id)
            .unwrap_or_else(|p| {
                problems.push(p);
                None
            });
        let fuzzy = parse_bool(cols.get(rec, "fuzzy"), row, "fuzzy", id).unwrap_or_else(|p| {
            problems.push(p);
            None
        });
        let pos = match cols.get(rec, "pos").trim() {
            "" => None,
            p => p
                .parse()
                .map(Some)
                .unwrap_or_else(|m: crate::UnknownValue| {
                    problems.push(Problem::new(cell(row, "pos"), Some(id), m.to_string()));
                    None
                }),
        };

        let index = *self.by_id.entry(id.to_string()).or_insert_with(|| {
            self.order.push(ConceptAcc {
                id: id.to_string(),
                first_row: row,
                ..ConceptAcc::default()
            });
            self.order.len() - 1
        });
        let c = &mut self.order[index];
        for (column, slot, is_list) in [
            ("tags", &mut c.tags, true),
            ("note", &mut c.note, false),
            ("cues", &mut c.cues, true),
            ("not_in", &mut c.not_in, true),
        ] {
            let raw = cols.get(rec, column);
            // Lists compare item by item: "a; b" on one row agrees with "a;b" on another.
            let value = if is_list {
                split_list(raw).join(&LIST_SEPARATOR.to_string())
            } else {
                raw.to_string()
            };
            if let Err(p) = merge(slot, &value, row, column, id) {
                problems.push(p);
            }
        }
        let s = c.sides[side as usize].get_or_insert_with(|| SideAcc {
            first_row: row,
            ..SideAcc::default()
        });
        if let Err(p) = merge(
            &mut s.definition,
            cols.get(rec, "definition"),
            row,
            "definition",
            id,
        ) {
            problems.push(p);
        }
        if term_text.trim().is_empty() {
            if case_sensitive.is_some() || fuzzy.is_some() || pos.is_some() {
                problems.push(Problem::new(
                    cell(row, "term"),
                    Some(id),
                    "case_sensitive, fuzzy or pos given for an empty term",
                ));
            }
        } else {
            let term = Term {
                text: term_text.to_string(),
                case_sensitive,
                fuzzy,
                pos,
            };
            s.terms.push((term, row));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Builds and validates the concepts; problems are added to `problems`.
    fn finish(self, problems: &mut Vec<Problem>) -> Vec<Concept> {
        let list = |cell: &Cell| cell.as_ref().map_or_else(Vec::new, |(v, _)| split_list(v));
        let mut out = Vec::new();
        for acc in self.order {
            let mut fields = FieldLocations::new(Location::Row {
                row: acc.first_row,
                column: None,
            });
            fields.set("id", cell(acc.first_row, "id"));
            let row_of = |c: &Cell| c.as_ref().map_or(acc.first_row, |(_, r)| *r);
            fields.set("tags", cell(row_of(&acc.tags), "tags"));
            fields.set("cues", cell(row_of(&acc.cues), "cues"));
            fields.set("not_in", cell(row_of(&acc.not_in), "not_in"));
            let mut concept = Concept {
                id: acc.id.clone(),
                tags: list(&acc.tags),
                note: acc.note.as_ref().map(|(v, _)| v.clone()),
                cues: list(&acc.cues),
                not_in: list(&acc.not_in),
                ..Concept::default()
            };
            for (side, s) in Side::BOTH.into_iter().zip(acc.sides) {
                let Some(s) = s else { continue };
                fields.set(side.as_str(), cell(s.first_row, "side"));
                fields.set(
                    format!("{side}.definition"),
                    cell(s.first_row, "definition"),
                );
                for (i, (_, row)) in s.terms.iter().enumerate() {
                    fields.set(format!("{side}.terms[{i}]"), cell(*row, "term"));
                }
                *concept.side_mut(side) = Some(SideEntry {
                    terms: s.terms.into_iter().map(|(t, _)| t).collect(),
                    definition: s.definition.map(|(d, _)| d).unwrap_or_default(),
                });
            }
            match concept.validate() {
                Ok(()) => out.push(concept),
                Err(e) => problems.push(Problem::new(
                    fields.get(&e.field),
                    Some(&acc.id),
                    e.to_string(),
                )),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::Glossary;

    fn export_string(concepts: &[Concept]) -> String {
        let mut out = Vec::new();
        export(&mut out, concepts).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn errors(text: &str) -> Vec<String> {
        match import(text) {
            Err(CsvError::Invalid(p)) => p.iter().map(Problem::to_string).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn default_glossary_round_trips() {
        let concepts = Glossary::embedded().concepts().to_vec();
        let text = export_string(&concepts);
        assert!(text.starts_with(
            "\u{feff}id,side,term,definition,tags,note,cues,case_sensitive,fuzzy,pos,not_in\r\n"
        ));
        let back = import(&text).unwrap();
        assert_eq!(back.warnings, vec![]);
        assert_eq!(back.concepts, concepts);
    }

    #[test]
    fn spreadsheet_layout_imports() {
        // Only the SPEC's columns, reordered; rows not consecutive; definition given once;
        // a side with no term keeps its definition.
        let text = "term,id,side,definition,tags\n\
                    latency,lat,it,\"Time, in ms.\",perf; web\n\
                    Go,go,it,A language.,\n\
                    RTT,lat,it,,\n\
                    ,lat,marketing,How long people wait.,perf;web\n";
        let im = import(text).unwrap();
        let ids = im
            .concepts
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>();
        assert_eq!(ids, ["lat", "go"]);
        let lat = &im.concepts[0];
        assert_eq!(lat.tags, ["perf", "web"]);
        assert_eq!(lat.it.as_ref().unwrap().definition, "Time, in ms.");
        assert_eq!(lat.terms(Side::It).len(), 2);
        assert_eq!(lat.marketing.as_ref().unwrap().terms, vec![]);
    }

    #[test]
    fn errors_name_row_and_column() {
        let head = "id,side,term,definition,tags,case_sensitive\n";
        let cases: &[(&str, &str)] = &[
            (
                "a,it,x,d,,\nb,it,y\n",
                "row 3: 3 cells where the header has 6",
            ),
            ("a,IT,x,d,,\n,it,y,d,,\n", "row 3, column 'id': empty id"),
            (
                "a,sales,x,d,,\n",
                "row 2, column 'side': entry 'a': unknown side 'sales'",
            ),
            (
                "a,it,x,,,\n",
                "row 2, column 'definition': entry 'a': it.definition: is required",
            ),
            (
                "a,it,x,d,,yes\n",
                "row 2, column 'case_sensitive': entry 'a': 'yes' is not",
            ),
            (
                "a,it,x,d,t1,\na,it,y,d,t2,\n",
                "row 3, column 'tags': entry 'a': differs from the tags given on row 2",
            ),
            (
                "Bad,it,x,d,,\n",
                "row 2, column 'id': entry 'Bad': id: 'Bad' is not a valid id",
            ),
            (
                "a,it,,d,,\n",
                "row 2: entry 'a': terms: the concept has no terms",
            ),
        ];
        for (rows, want) in cases {
            let got = errors(&format!("{head}{rows}"));
            assert!(
                got.iter().any(|e| e.starts_with(want)),
                "{rows:?}: want {want}, got {got:?}"
            );
        }
        assert_eq!(
            errors("id,side,term\n"),
            ["row 1: missing column 'definition' in the header"]
        );
        assert!(matches!(import("\u{feff}  \n"), Err(CsvError::Empty)));
    }

    #[test]
    fn unknown_columns_are_reported() {
        let im = import("id,side,term,definition,owner\na,it,x,d,bob\n").unwrap();
        assert_eq!(im.concepts.len(), 1);
        assert_eq!(
            im.warnings[0].to_string(),
            "row 1, column 'owner': unknown column; ignored (known: id,side,term,definition,tags,note,cues,case_sensitive,fuzzy,pos,not_in)"
        );
    }

    #[test]
    fn lists_that_would_not_survive_are_refused() {
        let c = Concept {
            id: "a".into(),
            tags: vec!["x;y".into()],
            it: Some(SideEntry {
                terms: vec!["a".into()],
                definition: "d".into(),
            }),
            ..Concept::default()
        };
        let err = export(Vec::new(), &[c]).unwrap_err();
        assert!(matches!(err, CsvError::Unrepresentable { .. }), "{err}");
    }
}
