//! Glossary exchange formats: TBX-Basic and CSV, both ways (SPEC §2 "Import/export").
//!
//! Export turns concepts into a file another tool can read; import turns such a file back
//! into concepts and **reports** (never silently drops) whatever has no place in the
//! glossary model. [`import_into_dir`] then writes imported concepts as glossary TOML into a
//! glossary directory, validating the directory as a whole before anything touches the disk.
//! The mapping of every element and column is documented in `docs/exchange.md`.
//!
//! - [`tbx`]: TBX-Basic v3 (ISO 30042:2019) out; TBX v3 and TBX v2 / MARTIF in.
//! - [`csv`]: `id,side,term,definition,tags,…`, one row per term.

pub mod csv;
pub mod tbx;

use std::fmt;
use std::path::{Path, PathBuf};

use super::write::{to_toml_with_header, write_file_atomically, WriteError};
use super::{Concept, Diagnostic, Glossary, GlossaryError, Side, Source};

/// An exchange file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TBX (TermBase eXchange, ISO 30042).
    Tbx,
    /// Comma-separated values, RFC 4180.
    Csv,
}

impl Format {
    /// The format named by a file's extension (`.tbx`, `.xml` → TBX; `.csv` → CSV),
    /// compared case-insensitively.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "tbx" | "xml" => Some(Format::Tbx),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

impl std::str::FromStr for Format {
    type Err = crate::UnknownValue;

    /// `tbx` or `csv`, as the CLI's `--to` and `--from` take them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "tbx" => Ok(Format::Tbx),
            "csv" => Ok(Format::Csv),
            other => Err(crate::UnknownValue::new("format", other, "tbx or csv")),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Tbx => "TBX",
            Format::Csv => "CSV",
        })
    }
}

/// Where in an imported file something was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A position in an XML file: 1-based line and column (in characters).
    Text {
        /// 1-based line.
        line: usize,
        /// 1-based column, counted in Unicode scalar values.
        column: usize,
    },
    /// A cell (or a whole row, when `column` is `None`) of a CSV file. Row 1 is the header,
    /// as a spreadsheet numbers them.
    Row {
        /// 1-based row, the header being row 1.
        row: usize,
        /// The column's header name.
        column: Option<String>,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Text { line, column } => write!(f, "{line}:{column}"),
            Location::Row { row, column: None } => write!(f, "row {row}"),
            Location::Row {
                row,
                column: Some(c),
            } => write!(f, "row {row}, column '{c}'"),
        }
    }
}

/// Something found while importing: a warning (what could not be mapped and was left out)
/// or, inside an error, a reason the import fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where it was found.
    pub location: Location,
    /// The concept entry concerned (its id as written in the file), when there is one.
    pub entry: Option<String>,
    /// What is wrong or what was left out.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(
        location: Location,
        entry: Option<&str>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            location,
            entry: entry.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.entry {
            Some(e) => write!(f, "{}: entry '{}': {}", self.location, e, self.message),
            None => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// Formats a list of problems one per line (for error messages).
pub(crate) fn join_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The outcome of a successful import: valid concepts, and what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Import {
    /// The concepts, in file order; each passes [`Concept::validate`] and ids are unique.
    pub concepts: Vec<Concept>,
    /// What could not be mapped and was not imported, with positions.
    pub warnings: Vec<Problem>,
}

/// Which language sections of a TBX file hold which side (SPEC §2; `docs/exchange.md`).
///
/// broker's own tags, `en-x-it` and `en-x-marketing`, are always mapped; files from other
/// tools name real languages, which the caller maps with [`LangMap::with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangMap {
    it: Vec<String>,
    marketing: Vec<String>,
}

/// The language tag broker writes for the IT side.
pub const IT_LANG: &str = "en-x-it";
/// The language tag broker writes for the marketing side.
pub const MARKETING_LANG: &str = "en-x-marketing";

impl Default for LangMap {
    fn default() -> LangMap {
        LangMap {
            it: vec![IT_LANG.into()],
            marketing: vec![MARKETING_LANG.into()],
        }
    }
}

/// Why a language mapping is contradictory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("language '{0}' is mapped to both the it and the marketing side")]
pub struct LangMapError(pub String);

impl LangMap {
    /// The default mapping plus `it` and `marketing` language tags (compared
    /// case-insensitively, e.g. `en-US` ≡ `EN-us`).
    ///
    /// # Errors
    /// [`LangMapError`] when one tag is given for both sides.
    pub fn with(it: &[String], marketing: &[String]) -> Result<LangMap, LangMapError> {
        let mut map = LangMap::default();
        map.it.extend(it.iter().map(|s| s.trim().to_string()));
        map.marketing
            .extend(marketing.iter().map(|s| s.trim().to_string()));
        for tag in &map.it {
            if map.marketing.iter().any(|m| m.eq_ignore_ascii_case(tag)) {
                return Err(LangMapError(tag.clone()));
            }
        }
        Ok(map)
    }

    /// The side a language section holds, if any.
    pub fn side(&self, lang: &str) -> Option<Side> {
        let lang = lang.trim();
        if self.it.iter().any(|t| t.eq_ignore_ascii_case(lang)) {
            Some(Side::It)
        } else if self.marketing.iter().any(|t| t.eq_ignore_ascii_case(lang)) {
            Some(Side::Marketing)
        } else {
            None
        }
    }
}

/// Why an import could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The TBX file is malformed or holds invalid entries.
    #[error(transparent)]
    Tbx(#[from] tbx::TbxError),
    /// The CSV file is malformed or holds invalid rows.
    #[error(transparent)]
    Csv(#[from] csv::CsvError),
    /// The file is neither UTF-8 nor UTF-16 with a byte-order mark.
    #[error("the file is not UTF-8 (or UTF-16 with a byte-order mark): {0}")]
    Encoding(String),
}

impl ImportError {
    /// One message per problem, each prefixed with `file` the way compilers do
    /// (`terms.tbx:12:5: …`, `terms.csv: row 3, column 'side': …`).
    pub fn messages(&self, file: &str) -> Vec<String> {
        let located = |p: &Problem| match p.location {
            Location::Text { .. } => format!("{file}:{p}"),
            Location::Row { .. } => format!("{file}: {p}"),
        };
        match self {
            ImportError::Tbx(tbx::TbxError::Invalid(ps))
            | ImportError::Csv(csv::CsvError::Invalid(ps)) => ps.iter().map(located).collect(),
            ImportError::Tbx(e @ (tbx::TbxError::Xml { .. } | tbx::TbxError::NotTbx { .. })) => {
                vec![format!("{file}:{e}")]
            }
            other => vec![format!("{file}: {other}")],
        }
    }
}

/// Reads an exchange file's bytes into concepts.
///
/// UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark (which some
/// terminology tools write) are accepted.
///
/// # Errors
/// [`ImportError`] with positions (line:column or row/column) of every problem found.
pub fn import(format: Format, bytes: &[u8], langs: &LangMap) -> Result<Import, ImportError> {
    let text = decode(bytes)?;
    Ok(match format {
        Format::Tbx => tbx::import(&text, langs)?,
        Format::Csv => csv::import(&text)?,
    })
}

/// Decodes UTF-8 or BOM-marked UTF-16 and drops a leading byte-order mark.
fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    let utf16 = |be: bool| {
        let units = bytes[2..]
            .chunks(2)
            .map(|c| match (c, be) {
                ([a, b], true) => Ok(u16::from_be_bytes([*a, *b])),
                ([a, b], false) => Ok(u16::from_le_bytes([*a, *b])),
                _ => Err(ImportError::Encoding(
                    "odd number of bytes in UTF-16".into(),
                )),
            })
            .collect::<Result<Vec<u16>, _>>()?;
        String::from_utf16(&units).map_err(|e| ImportError::Encoding(e.to_string()))
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => {
            let text = std::str::from_utf8(bytes).map_err(|e| {
                ImportError::Encoding(format!("invalid UTF-8 at byte {}", e.valid_up_to()))
            })?;
            Ok(text.strip_prefix('\u{feff}').unwrap_or(text).to_string())
        }
    }
}

/// Why imported concepts could not be written into a glossary directory.
#[derive(Debug, thiserror::Error)]
pub enum IntoDirError {
    /// The directory, with the new file, would not load; each problem names `file:line`.
    #[error("the imported glossary would not load:\n{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
    /// The target file exists and `force` was not given.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The directory could not be created or read.
    #[error("{path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Nothing to write.
    #[error("nothing to import: no concept could be read from the file")]
    Empty,
}

/// Writes `concepts` as glossary TOML to `dir/file_name` (creating `dir` if needed), with
/// `header` as a comment on top.
///
/// Before anything is written, the directory is validated as it would be loaded afterwards
/// — every `*.toml` file in it, with `file_name` holding the new text — by the same code as
/// [`Glossary::load_dir`], so duplicate ids across files are caught with `file:line`. The
/// file is then written atomically (see [`write_file_atomically`]): a failed import leaves
/// the directory as it was. Returns the path written and the loaded glossary.
///
/// # Errors
/// [`IntoDirError::Empty`] for no concepts; [`IntoDirError::Invalid`] with `file:line`
/// diagnostics; [`IntoDirError::Write`] when the file exists and `force` is false, or
/// writing fails; [`IntoDirError::Io`] when the directory cannot be created or read.
pub fn import_into_dir(
    dir: &Path,
    file_name: &str,
    concepts: &[Concept],
    header: Option<&str>,
    force: bool,
) -> Result<(PathBuf, Glossary), IntoDirError> {
    if concepts.is_empty() {
        return Err(IntoDirError::Empty);
    }
    let target = dir.join(file_name);
    if !force && target.exists() {
        return Err(WriteError::Exists(target).into());
    }
    let text = to_toml_with_header(concepts, header);
    // A directory that does not exist yet is created only once the import is known good.
    let mut files = if dir.exists() {
        super::read_dir_files(dir).map_err(|e| match e {
            GlossaryError::Io { path, source } => IntoDirError::Io { path, source },
            other => IntoDirError::Io {
                path: dir.to_path_buf(),
                source: std::io::Error::other(other.to_string()),
            },
        })?
    } else {
        Vec::new()
    };
    files.retain(|(p, _)| p.file_name() != target.file_name());
    files.push((target.clone(), text.clone()));
    files.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    let named = files
        .into_iter()
        .map(|(p, t)| (p.display().to_string(), t))
        .collect::<Vec<_>>();
    let glossary = match Glossary::from_files(&named, Source::Dir(dir.to_path_buf())) {
        Ok(g) => g,
        Err(GlossaryError::Invalid(d)) => return Err(IntoDirError::Invalid(d)),
        Err(other) => {
            return Err(IntoDirError::Invalid(vec![Diagnostic::new(
                &target.display().to_string(),
                1,
                other.to_string(),
            )]))
        }
    };
    std::fs::create_dir_all(dir).map_err(|source| IntoDirError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    write_file_atomically(&target, text.as_bytes(), force)?;
    Ok((target, glossary))
}

/// A glossary file name for an imported file: its stem, sanitised like an id, plus
/// `.toml` (`Terms 2024.tbx` → `terms-2024.toml`); `imported.toml` when nothing is left.
pub fn toml_name_for(source: &Path) -> String {
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = sanitize_id(&stem);
    if id.is_empty() {
        "imported.toml".into()
    } else {
        format!("{id}.toml")
    }
}

/// Turns any string into an id `[a-z0-9][a-z0-9-]*`: lower-cased, every run of other
/// characters becomes one `-`, no leading or trailing `-`. May return an empty string.
pub fn sanitize_id(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Line and column (1-based, column in characters) of byte offsets in one text, as a
/// [`Location`] (see [`crate::lines`]).
pub(crate) struct LineIndex<'a>(crate::lines::LineIndex<'a>);

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> LineIndex<'a> {
        LineIndex(crate::lines::LineIndex::new(text))
    }

    pub(crate) fn location(&self, offset: usize) -> Location {
        let p = self.0.position(offset);
        Location::Text {
            line: p.line,
            column: p.column,
        }
    }
}

/// Maps a [`super::ConceptError`] field path (`it.terms[2]`, `marketing.definition`, `id`)
/// to where it was written, using the longest recorded prefix.
pub(crate) struct FieldLocations {
    fields: Vec<(String, Location)>,
    fallback: Location,
}

impl FieldLocations {
    pub(crate) fn new(fallback: Location) -> FieldLocations {
        FieldLocations {
            fields: Vec::new(),
            fallback,
        }
    }

    pub(crate) fn set(&mut self, field: impl Into<String>, at: Location) {
        self.fields.push((field.into(), at));
    }

    pub(crate) fn get(&self, field: &str) -> Location {
        self.fields
            .iter()
            .filter(|(f, _)| {
                field == f
                    || field.starts_with(&format!("{f}."))
                    || field.starts_with(&format!("{f}["))
            })
            .max_by_key(|(f, _)| f.len())
            .map_or_else(|| self.fallback.clone(), |(_, l)| l.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sanitised() {
        for (raw, want) in [
            ("c1", "c1"),
            ("C_1", "c-1"),
            ("_a1b2", "a1b2"),
            ("Click-Through Rate", "click-through-rate"),
            ("  --x--  ", "x"),
            ("éé", ""),
            ("CI/CD pipeline", "ci-cd-pipeline"),
        ] {
            assert_eq!(sanitize_id(raw), want, "{raw}");
        }
    }

    #[test]
    fn formats_from_extensions() {
        assert_eq!(Format::from_path(Path::new("a/b.TBX")), Some(Format::Tbx));
        assert_eq!(Format::from_path(Path::new("b.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("b.txt")), None);
        assert_eq!(
            toml_name_for(Path::new("x/Terms 2024.tbx")),
            "terms-2024.toml"
        );
        assert_eq!(toml_name_for(Path::new("ü.csv")), "imported.toml");
    }

    #[test]
    fn languages_map_case_insensitively() {
        let m = LangMap::with(&["en".into()], &["en-GB".into()]).unwrap();
        assert_eq!(m.side("EN"), Some(Side::It));
        assert_eq!(m.side("en-gb"), Some(Side::Marketing));
        assert_eq!(m.side("en-x-marketing"), Some(Side::Marketing));
        assert_eq!(m.side("de"), None);
        assert!(LangMap::with(&["en".into()], &["EN".into()]).is_err());
    }

    #[test]
    fn utf16_and_bom_are_decoded() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("añb".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le).unwrap(), "añb");
        assert_eq!(decode("\u{feff}x".as_bytes()).unwrap(), "x");
        assert!(decode(&[b'a', 0xFF]).is_err());
    }

    #[test]
    fn line_index_counts_characters() {
        let idx = LineIndex::new("ab\néé<x");
        assert_eq!(idx.location(0), Location::Text { line: 1, column: 1 });
        assert_eq!(idx.location(7), Location::Text { line: 2, column: 3 });
    }
}
