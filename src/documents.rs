//! The documents a command reads from paths: files named as they are, directories walked for
//! the text formats broker reads. Shared by `broker translate`, `broker check` and `broker gaps`.

use std::path::{Path, PathBuf};

use crate::matcher::InputFormat;

/// The suffixes a directory walk picks up.
pub const SUFFIXES: [&str; 6] = ["md", "markdown", "html", "htm", "txt", "text"];

/// One file found under a path given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The file, as the walk reached it (the given path joined with what lies below it).
    pub path: PathBuf,
    /// Its path below the directory it was found in; its file name for a file given by name.
    pub relative: PathBuf,
}

/// The files under `path`, sorted: `path` itself when it is not a directory (whatever its
/// suffix), else every file with one of [`SUFFIXES`] below it, leaving out hidden files and
/// directories (`.git`, `.github`, ...).
///
/// # Errors
/// The first directory that cannot be read.
pub fn walk(path: &Path) -> std::io::Result<Vec<Found>> {
    let mut out = Vec::new();
    if path.is_dir() {
        walk_dir(path, path, &mut out)?;
    } else {
        let relative = path
            .file_name()
            .map_or_else(|| path.to_path_buf(), PathBuf::from);
        out.push(Found {
            path: path.to_path_buf(),
            relative,
        });
    }
    Ok(out)
}

fn walk_dir(root: &Path, dir: &Path, out: &mut Vec<Found>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk_dir(root, &p, out)?;
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SUFFIXES.contains(&e.to_ascii_lowercase().as_str()))
        {
            let relative = p.strip_prefix(root).unwrap_or(&p).to_path_buf();
            out.push(Found { path: p, relative });
        }
    }
    Ok(())
}

/// How a file is read, by its suffix: Markdown, HTML, else plain text.
pub fn input_of(path: &Path) -> InputFormat {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("md" | "markdown") => InputFormat::Markdown,
        Some("html" | "htm") => InputFormat::Html,
        _ => InputFormat::Plain,
    }
}

/// Reads a document as UTF-8.
///
/// # Errors
/// A message naming the path: unreadable, or not UTF-8.
pub fn read(path: &Path) -> Result<String, String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            format!(
                "{}: not valid UTF-8 (byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        }),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_keeps_text_formats_and_skips_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/deep")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for f in [
            "docs/a.md",
            "docs/deep/b.HTML",
            "docs/c.rs",
            ".git/d.md",
            "docs/.e.md",
        ] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        let found: Vec<String> = walk(root)
            .unwrap()
            .iter()
            .map(|f| f.relative.to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(found, ["docs/a.md", "docs/deep/b.HTML"]);
        assert_eq!(input_of(Path::new("x/b.HTML")), InputFormat::Html);
        let file = walk(&root.join("docs/c.rs")).unwrap();
        assert_eq!(file[0].relative, PathBuf::from("c.rs"));
    }
}
