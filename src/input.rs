//! The CLI's inputs and its one exit rule (SPEC §8, §12 "Limits").
//!
//! - [`read_within`] reads a file or standard input as UTF-8, stopping one byte past
//!   `--max-text-bytes`: `broker translate /dev/zero` ends at once with an error naming the
//!   limit instead of reading forever.
//! - [`exit_code`] is the rule for a command that failed: a broken pipe (the reader went
//!   away, as in `broker translate big.txt | head -1`) is no failure and ends quietly with
//!   0, as ripgrep does; anything else that stops a command is a usage or input error and
//!   exits 2 (1 is the answer "no" of a command that ran: findings, nothing found).
//! - [`message`] prints an error's chain once: a cause whose text its parent already quotes
//!   ("x: No such file or directory") is not repeated.

use std::error::Error;
use std::io::{self, Read};
use std::path::Path;

/// An input the CLI cannot use, naming it and, for the size, the limit.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Longer than `--max-text-bytes`.
    #[error("{name}: over the limit of {limit} bytes (--max-text-bytes)")]
    TooLarge {
        /// The file, or "standard input".
        name: String,
        /// The limit.
        limit: usize,
    },
    /// Cannot be opened or read.
    #[error("cannot read {name}: {error}")]
    Read {
        /// The file, or "standard input".
        name: String,
        /// Why.
        error: io::Error,
    },
    /// Not UTF-8.
    #[error("{name}: not valid UTF-8 (byte {at})")]
    NotUtf8 {
        /// The file, or "standard input".
        name: String,
        /// Where the first invalid byte is.
        at: usize,
    },
}

/// Reads `path` (standard input when `None`) as UTF-8, at most `limit` bytes.
///
/// # Errors
/// An [`InputError`] naming the input: unreadable, over the limit, or not UTF-8.
pub fn read_within(path: Option<&Path>, limit: usize) -> Result<String, InputError> {
    let name = path.map_or_else(|| "standard input".to_string(), |p| p.display().to_string());
    let read_error = |error| InputError::Read {
        name: name.clone(),
        error,
    };
    let mut bytes = Vec::new();
    let take = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    match path {
        Some(p) => std::fs::File::open(p)
            .map_err(read_error)?
            .take(take)
            .read_to_end(&mut bytes),
        None => io::stdin().lock().take(take).read_to_end(&mut bytes),
    }
    .map_err(read_error)?;
    if bytes.len() > limit {
        return Err(InputError::TooLarge { name, limit });
    }
    String::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        name,
        at: e.utf8_error().valid_up_to(),
    })
}

/// Whether the reader of standard output has gone away.
fn broken_pipe(e: &(dyn Error + 'static)) -> bool {
    e.downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
        || e.downcast_ref::<serde_json::Error>()
            .and_then(serde_json::Error::io_error_kind)
            .is_some_and(|k| k == io::ErrorKind::BrokenPipe)
}

/// The exit code of a command that failed with `chain` (an error and its causes), and
/// whether to say nothing: `(0, true)` for a broken pipe, else `(2, false)`.
pub fn exit_code<'e>(mut chain: impl Iterator<Item = &'e (dyn Error + 'static)>) -> (u8, bool) {
    if chain.any(broken_pipe) {
        (0, true)
    } else {
        (2, false)
    }
}

/// The error's messages joined by ": ", each cause once.
pub fn message<'e>(chain: impl Iterator<Item = &'e (dyn Error + 'static)>) -> String {
    let mut out = String::new();
    for e in chain {
        let text = e.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_read_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, "twelve bytes").unwrap();
        assert_eq!(read_within(Some(&f), 12).unwrap(), "twelve bytes");
        let e = read_within(Some(&f), 11).unwrap_err();
        assert!(matches!(e, InputError::TooLarge { limit: 11, .. }), "{e}");
        assert!(e.to_string().contains("--max-text-bytes"), "{e}");
        let e = read_within(Some(Path::new("/dev/zero")), 1000).unwrap_err();
        assert!(matches!(e, InputError::TooLarge { .. }), "{e}");
        let e = read_within(Some(&dir.path().join("missing")), 10).unwrap_err();
        assert!(e.to_string().starts_with("cannot read "), "{e}");
        std::fs::write(&f, b"ok \xff").unwrap();
        let e = read_within(Some(&f), 10).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: not valid UTF-8 (byte 3)", f.display())
        );
    }

    #[derive(Debug, thiserror::Error)]
    #[error("/x: {0}")]
    struct Quoting(#[source] io::Error);

    #[test]
    fn the_exit_rule_and_messages() {
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(exit_code(std::iter::once(&pipe as &dyn Error)), (0, true));
        let missing = Quoting(io::Error::from(io::ErrorKind::NotFound));
        let chain = [&missing as &dyn Error, missing.source().unwrap()];
        assert_eq!(exit_code(chain.into_iter()), (2, false));
        let text = message(chain.into_iter());
        assert_eq!(text.matches("not found").count(), 1, "{text}");
    }
}
