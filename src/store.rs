//! Durable glossary edits: upsert and delete one concept in the glossary directory.
//!
//! # The write path, and why it is crash-safe
//! Every edit runs under one lock (writers are serialised; readers never take it — they use
//! the matcher they already hold):
//! 1. read every `*.toml` file of the directory and build the glossary from them, so an edit
//!    always starts from what is on disk;
//! 2. check the `expected_etag` (optimistic concurrency) and validate the new concept;
//! 3. edit the one file that holds the concept — or `edits.toml` for a new one — as a
//!    `toml_edit` document, changing only that concept's table in place, so comments,
//!    formatting and order of everything else survive;
//! 4. build the whole glossary again from the edited text, in memory: an edit that would
//!    leave the directory unloadable is refused before anything is written;
//! 5. write the file atomically ([`write_file_atomically`]): a temporary file in the same
//!    directory, `fsync`, `rename` over the old file, `fsync` of the directory.
//!
//! `rename` within one directory is atomic, so at any instant the file is either the old or
//! the new version, never a mix; the `fsync`s make sure that what the rename exposes is on
//! disk before the edit is acknowledged. Temporary files are named `.NAME.PID.N.tmp`, which
//! the loader ignores, so a crash can leave litter but never a torn glossary.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

use crate::glossary::write::{concept_table, write_file_atomically, WriteError};
use crate::glossary::{read_dir_files, Concept, ConceptError, Glossary, GlossaryError};

/// The file new concepts are added to.
pub const EDITS_FILE: &str = "edits.toml";

/// The `expected_etag` that makes an upsert create-only: it succeeds only when no concept has
/// the id (HTTP `If-None-Match: *`, SPEC §6). No real etag looks like it (they are hex), so it
/// travels through both stores' one etag check, [`check_etag`], inside their lock or
/// transaction: two create-only requests for one id never both succeed.
pub const CREATE_ONLY: &str = "*absent*";

/// Why an edit was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The concept is invalid (the field is named).
    #[error("concept.{0}")]
    Invalid(#[from] ConceptError),
    /// No concept has this id.
    #[error("id: no concept '{0}'")]
    NotFound(String),
    /// `expected_etag` does not match the stored concept.
    #[error("expected_etag: concept '{id}' has etag '{actual}', not '{expected}' (it changed since it was read)")]
    Stale {
        /// The concept.
        id: String,
        /// The etag the caller sent.
        expected: String,
        /// The etag on disk (empty when the concept does not exist).
        actual: String,
    },
    /// A create-only upsert ([`CREATE_ONLY`]) names an id that exists.
    #[error("concept '{id}' already exists (etag '{etag}'); this request only creates: choose another id, or send it without If-None-Match to replace the concept")]
    Exists {
        /// The concept.
        id: String,
        /// Its etag.
        etag: String,
    },
    /// The directory does not load (or would not load after the edit).
    #[error("the glossary directory is not valid: {0}")]
    Glossary(#[from] GlossaryError),
    /// A file could not be parsed as TOML for editing.
    #[error("{file}: {message}")]
    Toml {
        /// The file.
        file: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The glossary database cannot be reached (`--store postgres://…`); reads go on.
    #[error("{0}")]
    Unavailable(String),
    /// The glossary database refused the change.
    #[error("the glossary database failed: {0}")]
    Database(String),
}

/// The writable glossary directory behind `--glossary DIR`.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    lock: Mutex<()>,
}

impl Store {
    /// A store over `dir` (which must exist and hold the glossary).
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store {
            dir: dir.into(),
            lock: Mutex::new(()),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates or replaces `concept`. An empty `expected_etag` means "create or overwrite";
    /// otherwise it must be the stored concept's etag. Once the file is durably written,
    /// `publish` gets the new glossary — still under the store's lock, so edits are
    /// published in the order they were written. Returns the concept as stored.
    /// Blocking: call it off the async runtime.
    ///
    /// # Errors
    /// See [`StoreError`]; on any error nothing was written and nothing published.
    pub fn upsert(
        &self,
        concept: Concept,
        expected_etag: &str,
        publish: impl FnOnce(Glossary),
    ) -> Result<Concept, StoreError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        concept.validate()?;
        let mut files = read_dir_files(&self.dir)?;
        let current = Glossary::from_dir_files(&self.dir, files.clone())?;
        let existing = current.get(&concept.id);
        check_etag(&concept.id, existing, expected_etag)?;
        let target = match current.origin(&concept.id) {
            Some(o) => self.dir.join(&o.file),
            None => self.dir.join(EDITS_FILE),
        };
        let at = files.iter().position(|(p, _)| *p == target);
        let text = at.map_or_else(String::new, |i| files[i].1.clone());
        let mut doc = parse(&target, &text)?;
        let new = concept_table(&concept);
        match find_entry(&mut doc, &concept.id) {
            Some(table) => merge_table(table, new),
            None => {
                if at.is_none() {
                    doc.decor_mut().set_prefix(
                        "# Concepts added or changed through the API (UpsertConcept).\n# Safe to edit by hand.\n\n",
                    );
                }
                let aot = doc
                    .entry("concept")
                    .or_insert(Item::ArrayOfTables(ArrayOfTables::new()))
                    .as_array_of_tables_mut()
                    .ok_or_else(|| StoreError::Toml {
                        file: target.clone(),
                        message: "'concept' is not an array of tables".into(),
                    })?;
                let mut table = new;
                if !aot.is_empty() {
                    table.decor_mut().set_prefix("\n");
                }
                aot.push(table);
            }
        }
        let new_text = doc.to_string();
        match at {
            Some(i) => files[i].1 = new_text.clone(),
            None => {
                files.push((target.clone(), new_text.clone()));
                files.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
            }
        }
        let glossary = Glossary::from_dir_files(&self.dir, files)?;
        write_file_atomically(&target, new_text.as_bytes(), true)?;
        let stored = glossary.get(&concept.id).cloned().unwrap_or(concept);
        publish(glossary);
        Ok(stored)
    }

    /// Deletes the concept `id`. A non-empty `expected_etag` must match the stored one.
    /// Once the file is durably written, `publish` gets the new glossary (under the lock).
    /// Blocking: call it off the async runtime.
    ///
    /// # Errors
    /// See [`StoreError`]; on any error nothing was written and nothing published.
    pub fn delete(
        &self,
        id: &str,
        expected_etag: &str,
        publish: impl FnOnce(Glossary),
    ) -> Result<(), StoreError> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut files = read_dir_files(&self.dir)?;
        let current = Glossary::from_dir_files(&self.dir, files.clone())?;
        let Some(existing) = current.get(id) else {
            return Err(StoreError::NotFound(id.to_string()));
        };
        check_etag(id, Some(existing), expected_etag)?;
        let origin = current
            .origin(id)
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        let target = self.dir.join(&origin.file);
        let i = files
            .iter()
            .position(|(p, _)| *p == target)
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        let mut doc = parse(&target, &files[i].1)?;
        let aot = doc
            .get_mut("concept")
            .and_then(Item::as_array_of_tables_mut)
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        let k = (0..aot.len())
            .find(|&k| aot.get(k).and_then(|t| t.get("id")).and_then(Item::as_str) == Some(id))
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        aot.remove(k);
        let new_text = doc.to_string();
        files[i].1 = new_text.clone();
        let glossary = Glossary::from_dir_files(&self.dir, files)?;
        write_file_atomically(&target, new_text.as_bytes(), true)?;
        publish(glossary);
        Ok(())
    }
}

/// `StoreError::Stale` unless `expected` is empty or the etag of `existing` (none: ""), and
/// `StoreError::Exists` when `expected` is [`CREATE_ONLY`] and `existing` is there; the one
/// etag rule of both stores, files and PostgreSQL.
pub(crate) fn check_etag(
    id: &str,
    existing: Option<&Concept>,
    expected: &str,
) -> Result<(), StoreError> {
    if expected.is_empty() {
        return Ok(());
    }
    if expected == CREATE_ONLY {
        return match existing {
            Some(c) => Err(StoreError::Exists {
                id: id.to_string(),
                etag: c.etag(),
            }),
            None => Ok(()),
        };
    }
    let actual = existing.map(Concept::etag).unwrap_or_default();
    if actual != expected {
        return Err(StoreError::Stale {
            id: id.to_string(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(())
}

fn parse(file: &Path, text: &str) -> Result<DocumentMut, StoreError> {
    text.parse::<DocumentMut>().map_err(|e| StoreError::Toml {
        file: file.to_path_buf(),
        message: e.to_string(),
    })
}

/// The `[[concept]]` table with this id.
fn find_entry<'a>(doc: &'a mut DocumentMut, id: &str) -> Option<&'a mut Table> {
    doc.get_mut("concept")?
        .as_array_of_tables_mut()?
        .iter_mut()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(id))
}

/// Makes `old` say what `new` says, touching only what changed: keys keep their place and
/// comments, and values keep their surrounding comments.
fn merge_table(old: &mut Table, new: Table) {
    let keep: Vec<String> = new.iter().map(|(k, _)| k.to_string()).collect();
    old.retain(|k, _| keep.iter().any(|n| n == k));
    for (key, item) in new {
        match (old.get_mut(&key), item) {
            (Some(Item::Table(o)), Item::Table(n)) => merge_table(o, n),
            (Some(slot), mut item) => {
                if let (Some(ov), Some(nv)) = (slot.as_value(), item.as_value_mut()) {
                    if ov.to_string().trim() == nv.to_string().trim() {
                        continue;
                    }
                    *nv.decor_mut() = ov.decor().clone();
                }
                *slot = item;
            }
            (None, item) => {
                old.insert(&key, item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::{Side, SideEntry};

    const FILE: &str = r#"# Delivery concepts. Keep this comment.

[[concept]]
id = "latency"   # the classic
tags = ["performance"]

# IT words first.
[concept.it]
terms = ["latency"]
definition = "Time to answer."

[[concept]]
# Second concept.
id = "deploy"
[concept.it]
terms = ["deploy"]
definition = "Ship it."
"#;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), FILE).unwrap();
        let s = Store::new(dir.path());
        (dir, s)
    }

    fn concept(id: &str, def: &str) -> Concept {
        Concept {
            id: id.into(),
            it: Some(SideEntry {
                terms: vec![id.into()],
                definition: def.into(),
            }),
            ..Concept::default()
        }
    }

    #[test]
    fn update_keeps_comments_and_order() {
        let (dir, s) = store();
        let mut c = concept("latency", "Time between request and response.");
        c.tags = vec!["performance".into()];
        c.marketing = Some(SideEntry {
            terms: vec!["page speed".into()],
            definition: "How long customers wait.".into(),
        });
        let mut published = None;
        let stored = s.upsert(c.clone(), "", |g| published = Some(g)).unwrap();
        let g = published.unwrap();
        assert_eq!(stored, c);
        assert_eq!(g.get("latency"), Some(&c));
        let text = std::fs::read_to_string(dir.path().join("a.toml")).unwrap();
        for kept in [
            "# Delivery concepts. Keep this comment.",
            "# the classic",
            "# IT words first.",
            "# Second concept.",
        ] {
            assert!(text.contains(kept), "{kept} lost:\n{text}");
        }
        assert!(text.find("latency").unwrap() < text.find("deploy").unwrap());
        assert_eq!(
            Glossary::load_dir(dir.path()).unwrap().version(),
            g.version()
        );
        assert!(!dir.path().join(EDITS_FILE).exists());
    }

    #[test]
    fn new_concepts_go_to_edits_toml() {
        let (dir, s) = store();
        s.upsert(concept("cache", "Fast store."), "", drop).unwrap();
        s.upsert(concept("queue", "A buffer."), "", drop).unwrap();
        let g = Glossary::load_dir(dir.path()).unwrap();
        assert_eq!(g.origin("cache").unwrap().file, EDITS_FILE);
        assert_eq!(g.concepts().len(), 4);
    }

    #[test]
    fn etags_and_errors() {
        let (dir, s) = store();
        let g = Glossary::load_dir(dir.path()).unwrap();
        let etag = g.get("deploy").unwrap().etag();
        let err = s
            .upsert(concept("deploy", "Ship."), "stale", |_| panic!("published"))
            .unwrap_err();
        assert!(matches!(err, StoreError::Stale { .. }), "{err}");
        let c = s.upsert(concept("deploy", "Ship."), &etag, drop).unwrap();
        assert_ne!(c.etag(), etag);
        assert!(matches!(
            s.delete("deploy", &etag, drop),
            Err(StoreError::Stale { .. })
        ));
        assert!(matches!(
            s.delete("nope", "", drop),
            Err(StoreError::NotFound(_))
        ));
        let bad = Concept {
            id: "Bad".into(),
            ..concept("x", "y")
        };
        assert!(matches!(
            s.upsert(bad, "", drop),
            Err(StoreError::Invalid(_))
        ));
        let mut published = None;
        s.delete("deploy", &c.etag(), |g| published = Some(g))
            .unwrap();
        let g = published.unwrap();
        assert!(g.get("deploy").is_none());
        let text = std::fs::read_to_string(dir.path().join("a.toml")).unwrap();
        assert!(
            text.contains("# the classic") && !text.contains("Ship"),
            "{text}"
        );
        assert_eq!(g.concepts()[0].terms(Side::It)[0].text, "latency");
    }

    #[test]
    fn a_broken_directory_refuses_edits() {
        let (dir, s) = store();
        std::fs::write(dir.path().join("b.toml"), "[[concept]\n").unwrap();
        let err = s
            .upsert(concept("cache", "Fast store."), "", drop)
            .unwrap_err();
        assert!(err.to_string().contains("b.toml:1"), "{err}");
        assert!(!dir.path().join(EDITS_FILE).exists());
    }
}
