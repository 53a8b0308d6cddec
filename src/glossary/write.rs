//! Writing concepts back as glossary TOML (SPEC §2), and putting files in place atomically.
//!
//! The TOML is built with `toml_edit` rather than by gluing strings, so quoting and escaping
//! are the library's business and the same tables can later be spliced into an existing
//! document (durable edits keep the comments and order of everything else in a file).
//! Whatever [`to_toml`] writes loads back through [`super::Glossary::from_files`] as the
//! very same concepts.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use toml_edit::{value, Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::model::{Concept, Side, SideEntry, Term};

/// One concept as the body of a `[[concept]]` table: `id`, `tags`, `note`, `cues`, then the
/// `[concept.it]` and `[concept.marketing]` sub-tables.
///
/// Keys with nothing to say (no tags, no note, no cues, an absent side) are left out, which
/// the loader reads back as the same empty values.
pub fn concept_table(concept: &Concept) -> Table {
    let mut t = Table::new();
    t.insert("id", value(concept.id.as_str()));
    if !concept.tags.is_empty() {
        t.insert("tags", value(string_array(&concept.tags)));
    }
    if let Some(note) = &concept.note {
        t.insert("note", value(note.as_str()));
    }
    if !concept.cues.is_empty() {
        t.insert("cues", value(string_array(&concept.cues)));
    }
    if !concept.not_in.is_empty() {
        t.insert("not_in", value(string_array(&concept.not_in)));
    }
    if concept.draft {
        t.insert("draft", value(true));
    }
    for side in Side::BOTH {
        if let Some(entry) = concept.side(side) {
            t.insert(side.as_str(), Item::Table(side_table(entry)));
        }
    }
    t
}

/// The concepts as a whole glossary file: one `[[concept]]` per concept, in order, separated
/// by blank lines.
pub fn to_toml(concepts: &[Concept]) -> String {
    to_toml_with_header(concepts, None)
}

/// Like [`to_toml`], with `header` written as `#` comment lines at the top of the file
/// (e.g. where an import came from).
pub fn to_toml_with_header(concepts: &[Concept], header: Option<&str>) -> String {
    let mut doc = DocumentMut::new();
    let mut aot = ArrayOfTables::new();
    for (i, c) in concepts.iter().enumerate() {
        let mut t = concept_table(c);
        let mut prefix = String::new();
        if i == 0 {
            if let Some(header) = header {
                for line in header.lines() {
                    prefix.push_str("# ");
                    prefix.push_str(line);
                    prefix.push('\n');
                }
            }
        }
        if i > 0 || !prefix.is_empty() {
            prefix.push('\n');
        }
        t.decor_mut().set_prefix(prefix);
        aot.push(t);
    }
    if !aot.is_empty() {
        doc.insert("concept", Item::ArrayOfTables(aot));
    }
    doc.to_string()
}

fn side_table(entry: &SideEntry) -> Table {
    let mut t = Table::new();
    let terms = entry.terms.iter().map(term_value).collect::<Array>();
    t.insert("terms", value(terms));
    t.insert("definition", value(entry.definition.as_str()));
    t
}

/// A plain string, or `{ text = "Go", case_sensitive = true, fuzzy = false }` when the term
/// overrides a matching default.
fn term_value(term: &Term) -> Value {
    if !term.has_overrides() {
        return Value::from(term.text.as_str());
    }
    let mut t = InlineTable::new();
    t.insert("text", Value::from(term.text.as_str()));
    if let Some(cs) = term.case_sensitive {
        t.insert("case_sensitive", Value::from(cs));
    }
    if let Some(f) = term.fuzzy {
        t.insert("fuzzy", Value::from(f));
    }
    if let Some(p) = term.pos {
        t.insert("pos", Value::from(p.as_str()));
    }
    Value::InlineTable(t)
}

fn string_array(items: &[String]) -> Array {
    items.iter().map(String::as_str).collect()
}

/// Why a file could not be put in place.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The target exists and overwriting was not allowed.
    #[error("{0}: already exists (use --force to replace it)")]
    Exists(PathBuf),
    /// Writing, syncing or renaming failed.
    #[error("{path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

/// Writes `contents` to `path` so that readers see either the old file or the new one, never
/// a torn one: a temporary file in the same directory is written and synced, then renamed
/// over `path` (or hard-linked to it when `overwrite` is false, which fails if `path`
/// appeared meanwhile), and the directory is synced.
///
/// The temporary file's name does not end in `.toml`, so a glossary watcher never loads it.
///
/// # Errors
/// [`WriteError::Exists`] when `path` exists and `overwrite` is false; [`WriteError::Io`]
/// naming the path when any step fails. On error nothing is left behind.
pub fn write_file_atomically(
    path: &Path,
    contents: &[u8],
    overwrite: bool,
) -> Result<(), WriteError> {
    let io_err = |p: &Path| {
        let path = p.to_path_buf();
        move |source| WriteError::Io { path, source }
    };
    if !overwrite && path.exists() {
        return Err(WriteError::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let (tmp, mut file) = create_temp(&dir, &name).map_err(io_err(&dir))?;
    let result = (|| {
        file.write_all(contents).map_err(io_err(&tmp))?;
        file.sync_all().map_err(io_err(&tmp))?;
        drop(file);
        if overwrite {
            fs::rename(&tmp, path).map_err(io_err(path))?;
        } else {
            // A hard link never replaces an existing file, closing the race between the
            // check above and here.
            fs::hard_link(&tmp, path).map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    WriteError::Exists(path.to_path_buf())
                } else {
                    WriteError::Io {
                        path: path.to_path_buf(),
                        source: e,
                    }
                }
            })?;
            let _ = fs::remove_file(&tmp);
        }
        sync_dir(&dir).map_err(io_err(&dir))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether `file_name` is one of [`create_temp`]'s names, `.NAME.PID.N.tmp`; its PID.
fn temp_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (rest, n) = rest.rsplit_once('.')?;
    let (name, pid) = rest.rsplit_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (!name.is_empty() && digits(n) && digits(pid))
        .then(|| pid.parse().ok())
        .flatten()
}

/// Removes the temporary files of [`write_file_atomically`] that a crashed process left in
/// `dir` (`.edits.toml.<pid>.<n>.tmp`: their process is not running), logging each one;
/// the files removed. Files of any other name are never touched, nor those of a process
/// that still runs (it may be writing them now). Failures are logged, not returned: litter
/// never stops a start.
pub fn remove_stale_temps(dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return removed;
    };
    let running = |pid: u32| {
        pid == std::process::id()
            || (Path::new("/proc/self").exists() && Path::new(&format!("/proc/{pid}")).exists())
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_pid) else {
            continue;
        };
        if running(pid) || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        match fs::remove_file(&path) {
            Ok(()) => {
                tracing::info!(file = %path.display(), pid, "removed a temporary file left by a crashed edit");
                removed.push(path);
            }
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "cannot remove a stale temporary file");
            }
        }
    }
    removed
}

/// Creates `.NAME.PID.N.tmp` in `dir`, trying a few counters if the name is taken.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last = None;
    for n in 0..100 {
        let tmp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::{Glossary, Source};

    fn reload(text: &str) -> Vec<Concept> {
        Glossary::from_files(&[("x.toml".into(), text.into())], Source::Memory)
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
            .concepts()
            .to_vec()
    }

    fn tricky() -> Concept {
        Concept {
            draft: false,
            id: "go-lang".into(),
            tags: vec!["languages".into(), "with \"quotes\"".into()],
            note: Some("line one\nline two \\ with a backslash".into()),
            cues: vec!["goroutine".into()],
            not_in: vec!["go for it".into()],
            it: Some(SideEntry {
                terms: vec![
                    Term {
                        text: "Go".into(),
                        case_sensitive: Some(true),
                        fuzzy: Some(false),
                        pos: None,
                    },
                    Term {
                        text: "golang".into(),
                        case_sensitive: None,
                        fuzzy: Some(true),
                        pos: Some(crate::glossary::Pos::Verb),
                    },
                    "Go language".into(),
                ],
                definition: "A language from Google; 'simple' & fast.".into(),
            }),
            marketing: Some(SideEntry {
                terms: vec![],
                definition: "Technology our backend is written in.".into(),
            }),
        }
    }

    #[test]
    fn writes_the_spec_layout() {
        let text = to_toml(&[tricky()]);
        assert!(
            text.starts_with("[[concept]]\nid = \"go-lang\"\n"),
            "{text}"
        );
        assert!(text.contains("[concept.it]\n"), "{text}");
        assert!(text.contains("[concept.marketing]\nterms = []\n"), "{text}");
        assert!(
            text.contains(
                r#"terms = [{ text = "Go", case_sensitive = true, fuzzy = false }, { text = "golang", fuzzy = true, pos = "verb" }, "Go language"]"#
            ),
            "{text}"
        );
        assert!(text.contains("not_in = [\"go for it\"]\n"), "{text}");
    }

    #[test]
    fn round_trips_through_the_loader() {
        let mut concepts = Glossary::embedded().concepts().to_vec();
        concepts.push(tricky());
        let text = to_toml_with_header(&concepts, Some("Imported from x.tbx\nby broker"));
        assert!(text.starts_with("# Imported from x.tbx\n# by broker\n\n[[concept]]"));
        assert_eq!(reload(&text), concepts);
    }

    #[test]
    fn empty_glossary_is_an_empty_file() {
        assert_eq!(to_toml(&[]), "");
    }

    #[test]
    fn atomic_write_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        write_file_atomically(&path, b"one", false).unwrap();
        let err = write_file_atomically(&path, b"two", false).unwrap_err();
        assert!(matches!(err, WriteError::Exists(_)), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "one");
        write_file_atomically(&path, b"three", true).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "three");
        let names = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(names, 1, "no temporary file is left behind");
    }

    #[test]
    fn stale_temporary_files_are_removed_and_nothing_else() {
        assert_eq!(temp_pid(".edits.toml.123.0.tmp"), Some(123));
        assert_eq!(temp_pid(".a.b.toml.7.12.tmp"), Some(7));
        for other in [
            "edits.toml",
            ".edits.toml.tmp",
            ".x.12.tmp",
            "..1.2.tmp",
            ".a.1x.2.tmp",
        ] {
            assert_eq!(temp_pid(other), None, "{other}");
        }
        let dir = tempfile::tempdir().unwrap();
        let mine = format!(".edits.toml.{}.0.tmp", std::process::id());
        // PIDs are below 2^22 on Linux: this one runs nowhere.
        let stale = ".edits.toml.4194305.3.tmp";
        for f in [stale, mine.as_str(), "edits.toml", ".notes.tmp"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let removed = remove_stale_temps(dir.path());
        assert_eq!(removed, vec![dir.path().join(stale)]);
        for f in [mine.as_str(), "edits.toml", ".notes.tmp"] {
            assert!(dir.path().join(f).exists(), "{f} is kept");
        }
    }
}
