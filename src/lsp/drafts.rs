//! "Add a draft concept": the draft `broker gaps --propose` would write for one gap of a
//! document, appended to the project's drafts file (`drafts` in `.broker.toml`, default
//! `glossary/drafts.toml`) and written atomically.
//!
//! The draft is [`crate::gap_report::proposal`]'s: tag and flag `draft`, the term on the side
//! the document writes, empty definitions (which `broker glossary check` reports as to-do
//! warnings, not errors), and the sentence it came from in its note.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item};

use crate::gap_report::{self, proposal, Document};
use crate::glossary::write::{write_file_atomically, WriteError};
use crate::glossary::{Glossary, Source};
use crate::matcher::{InputFormat, MatchOptions, Matcher};

/// Why no draft was written.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("'{0}' is not a gap of this document (any more)")]
    NotAGap(String),
    #[error("{}: already drafts '{text}' as concept '{id}'", path.display())]
    AlreadyDrafted {
        path: PathBuf,
        text: String,
        id: String,
    },
    #[error("{}: cannot add a draft to it: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Adds the draft for the gap written `gap` in `text` (shown as `shown` in the note) to
/// `drafts`, and returns the new concept's id.
///
/// # Errors
/// [`DraftError`] when the gap is gone, already drafted, or the file cannot be read, parsed
/// or written.
pub fn add(
    matcher: &Matcher,
    shown: &str,
    text: &str,
    input: InputFormat,
    gap: &str,
    drafts: &Path,
) -> Result<String, DraftError> {
    // The gap as the matcher counts it ("OKR" for "OKRs"), then as `broker gaps` ranks it.
    let opts = MatchOptions {
        input,
        ..MatchOptions::default()
    };
    let annotations = matcher.find(text, &opts);
    let key = matcher
        .gaps(text, &opts, &annotations)
        .into_iter()
        .find(|g| g.text == gap)
        .map(|g| g.key())
        .ok_or_else(|| DraftError::NotAGap(gap.to_string()))?;
    let ranked = gap_report::rank(
        matcher,
        &[Document {
            path: shown.to_string(),
            text: text.to_string(),
            input,
        }],
        1,
    );
    let chosen = ranked
        .into_iter()
        .find(|g| g.key == key)
        .ok_or_else(|| DraftError::NotAGap(gap.to_string()))?;

    let existing_text = match std::fs::read_to_string(drafts) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(DraftError::Read {
                path: drafts.to_path_buf(),
                source,
            })
        }
    };
    let invalid = |message: String| DraftError::Invalid {
        path: drafts.to_path_buf(),
        message,
    };
    // Ids and terms already drafted, read as the glossary reads them.
    let drafted = match &existing_text {
        Some(t) => {
            Glossary::from_files(&[(drafts.display().to_string(), t.clone())], Source::Memory)
                .map_err(|e| invalid(e.to_string()))?
                .concepts()
                .to_vec()
        }
        None => Vec::new(),
    };
    for c in &drafted {
        let has = [c.it.as_ref(), c.marketing.as_ref()]
            .into_iter()
            .flatten()
            .flat_map(|s| &s.terms)
            .any(|t| t.text.eq_ignore_ascii_case(&chosen.text) || t.text == chosen.key);
        if has {
            return Err(DraftError::AlreadyDrafted {
                path: drafts.to_path_buf(),
                text: chosen.text.clone(),
                id: c.id.clone(),
            });
        }
    }
    let taken =
        |id: &str| matcher.glossary().get(id).is_some() || drafted.iter().any(|c| c.id == id);
    let new_file = proposal(std::slice::from_ref(&chosen), &taken);
    let new_doc: DocumentMut = new_file
        .parse()
        .map_err(|e: toml_edit::TomlError| invalid(e.to_string()))?;
    let table = new_doc
        .get("concept")
        .and_then(Item::as_array_of_tables)
        .and_then(|a| a.get(0))
        .cloned()
        .ok_or_else(|| invalid("the proposal holds no concept".into()))?;
    let id = table
        .get("id")
        .and_then(Item::as_str)
        .unwrap_or_default()
        .to_string();

    let contents = match existing_text {
        None => {
            if let Some(dir) = drafts.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| WriteError::Io {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            new_file
        }
        Some(t) => {
            let mut doc: DocumentMut = t
                .parse()
                .map_err(|e: toml_edit::TomlError| invalid(e.to_string()))?;
            let slot = doc
                .entry("concept")
                .or_insert(Item::ArrayOfTables(Default::default()));
            let Some(aot) = slot.as_array_of_tables_mut() else {
                return Err(invalid("'concept' is not an array of tables".into()));
            };
            let mut table = table;
            table.decor_mut().set_prefix("\n");
            aot.push(table);
            doc.to_string()
        }
    };
    write_file_atomically(drafts, contents.as_bytes(), true)?;
    Ok(id)
}
