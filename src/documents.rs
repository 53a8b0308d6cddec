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

/// What a walk found: the files, and the entries below the path that could not be read
/// (each named, so the rest still runs).
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<Found>,
    pub errors: Vec<String>,
}

/// The files under `path`, sorted: `path` itself when it is not a directory (whatever its
/// suffix), else every file with one of [`SUFFIXES`] below it, walked with the `ignore` crate
/// (ripgrep's walker) and its rules as ripgrep applies them: what `.gitignore` files (of the
/// directory, its parents and subdirectories), `.git/info/exclude`, git's global excludes file
/// and `.ignore` files exclude is left out, and so are hidden files and directories (`.git`,
/// `.github`, ...). Unlike ripgrep's default, `.gitignore` counts outside a git repository
/// too. Also left out: directories reached through symbolic links (no loops, no file seen
/// twice; a link to a file counts as the file) and the directories in `skip` (an output
/// directory inside the input). What cannot be read is named in [`Walk::errors`] and the walk
/// goes on.
pub fn walk(path: &Path, skip: &[PathBuf]) -> Walk {
    let mut out = Walk::default();
    match std::fs::metadata(path) {
        Err(e) => out
            .errors
            .push(format!("cannot read {}: {e}", path.display())),
        Ok(meta) if meta.is_dir() => walk_dir(path, skip, &mut out),
        Ok(_) => {
            let relative = path
                .file_name()
                .map_or_else(|| path.to_path_buf(), PathBuf::from);
            out.files.push(Found {
                path: path.to_path_buf(),
                relative,
            });
        }
    }
    out
}

fn walk_dir(root: &Path, skip: &[PathBuf], out: &mut Walk) {
    let skip: Vec<PathBuf> = skip
        .iter()
        .filter_map(|s| std::fs::canonicalize(s).ok())
        .collect();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .follow_links(false)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && e.depth() > 0 && skip.iter().any(|s| same_dir(s, e.path())))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                out.errors.push(format!("cannot read {e}"));
                continue;
            }
        };
        let p = entry.path();
        // A symbolic link counts as what it points to, except a directory (not followed).
        let is_file = entry
            .file_type()
            .is_some_and(|t| t.is_file() || t.is_symlink() && p.is_file());
        if is_file
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| SUFFIXES.contains(&e.to_ascii_lowercase().as_str()))
        {
            let relative = p.strip_prefix(root).unwrap_or(p).to_path_buf();
            out.files.push(Found {
                path: p.to_path_buf(),
                relative,
            });
        }
    }
}

/// Whether `dir` is the directory `canonical` (already canonicalized).
fn same_dir(canonical: &Path, dir: &Path) -> bool {
    std::fs::canonicalize(dir).is_ok_and(|d| d == canonical)
}

/// `path` made absolute and with `.` and `..` folded away, without touching the file system
/// (a symbolic link is not resolved): what "the directories above a file" means.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
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
/// A [`ReadError`] naming the path: unreadable, or not UTF-8.
pub fn read(path: &Path) -> Result<String, ReadError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
            path: path.to_path_buf(),
            valid_up_to: e.utf8_error().valid_up_to(),
        }),
        Err(source) => Err(ReadError::Unreadable {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// A document that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not valid UTF-8 (byte {valid_up_to})", path.display())]
    NotUtf8 { path: PathBuf, valid_up_to: usize },
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
        let found: Vec<String> = walk(root, &[])
            .files
            .iter()
            .map(|f| f.relative.to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(found, ["docs/a.md", "docs/deep/b.HTML"]);
        // What a .gitignore lists is left out, even outside a git repository.
        std::fs::write(root.join(".gitignore"), "deep/\n").unwrap();
        std::fs::write(root.join("docs/.gitignore"), "a.md\n").unwrap();
        std::fs::write(root.join("docs/kept.md"), "x").unwrap();
        let found: Vec<PathBuf> = walk(root, &[])
            .files
            .into_iter()
            .map(|f| f.relative)
            .collect();
        assert_eq!(found, [PathBuf::from("docs/kept.md")]);
        assert_eq!(input_of(Path::new("x/b.HTML")), InputFormat::Html);
        let file = walk(&root.join("docs/c.rs"), &[]).files;
        assert_eq!(file[0].relative, PathBuf::from("c.rs"));
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d.md")),
            PathBuf::from("/a/c/d.md")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_walk_does_not_follow_directory_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("d/sub")).unwrap();
        std::fs::write(root.join("d/a.md"), "x").unwrap();
        std::os::unix::fs::symlink("..", root.join("d/sub/loop")).unwrap();
        std::os::unix::fs::symlink("../a.md", root.join("d/sub/link.md")).unwrap();
        let found: Vec<PathBuf> = walk(&root.join("d"), &[])
            .files
            .into_iter()
            .map(|f| f.relative)
            .collect();
        assert_eq!(found, [PathBuf::from("a.md"), PathBuf::from("sub/link.md")]);
        let missing = walk(&root.join("nope"), &[]);
        assert!(missing.files.is_empty());
        assert!(missing.errors[0].contains("nope"), "{:?}", missing.errors);
    }
}
