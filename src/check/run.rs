//! A whole `broker check` over paths: walk them, find each file's `.broker.toml`, load each
//! glossary once, check the files on all cores, and say whether the check failed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::config::{Config, FailOn};
use super::report::FileFindings;
use super::{check_text, CheckOptions, Levels};
use crate::documents;
use crate::glossary::{Glossary, Side};
use crate::matcher::Matcher;

/// What the command line says; each `None` is left to `.broker.toml`, then to the default.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `--for`: the reader of every file.
    pub reader: Option<Side>,
    /// `--glossary`: replaces the configured and the embedded glossary.
    pub glossary: Option<PathBuf>,
    /// `--fail-on` (default `warning`).
    pub fail_on: Option<FailOn>,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every checked file, in the order given and walked, with its findings (maybe none).
    pub files: Vec<FileFindings>,
    /// Files, directories, configurations or glossaries that could not be used, as messages
    /// naming them; the rest was still checked.
    pub errors: Vec<String>,
    /// Whether a finding is at or above its file's `fail_on` level.
    pub failed: bool,
    /// Files left out because `.broker.toml` names readers and none for their path.
    pub skipped: Vec<String>,
}

struct Plan {
    path: PathBuf,
    shown: String,
    reader: Side,
    levels: Levels,
    fail_on: FailOn,
    glossary: Option<PathBuf>,
}

/// Checks every file under `paths`.
pub fn run(paths: &[PathBuf], opts: &RunOptions) -> Outcome {
    let mut outcome = Outcome::default();
    let mut dirs: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut loaded: HashMap<PathBuf, Result<Arc<Config>, ()>> = HashMap::new();
    let mut plans = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for given in paths {
        let walked = documents::walk(given, &[]);
        outcome.errors.extend(walked.errors);
        for f in walked.files {
            // A file named twice (`a`, `a/x.md`, `./a/x.md`) is checked once.
            if !seen.insert(documents::normalize(&f.path)) {
                continue;
            }
            let dir = match f.path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            // One look upward per directory, one load per configuration file.
            let found = dirs
                .entry(dir)
                .or_insert_with_key(|d| Config::find(d))
                .clone();
            let cached = match found {
                None => Ok(None),
                Some(path) => loaded
                    .entry(path)
                    .or_insert_with_key(|p| match Config::load(p) {
                        Ok(c) => Ok(Arc::new(c)),
                        Err(e) => {
                            outcome.errors.push(e.to_string());
                            Err(())
                        }
                    })
                    .clone()
                    .map(Some),
            };
            // Under a broken configuration nothing is checked: its ignores and levels are
            // unknown (the error is reported once).
            let Ok(config) = cached else {
                continue;
            };
            if config.as_ref().is_some_and(|c| c.ignores(&f.path)) {
                continue;
            }
            let reader = opts
                .reader
                .or_else(|| config.as_ref().and_then(|c| c.reader_for(&f.path)));
            let Some(reader) = reader else {
                if config.as_ref().is_some_and(|c| c.has_readers()) {
                    // The project names its readers, and this file is none of their paths.
                    outcome.skipped.push(shown(&f.path));
                    continue;
                }
                outcome.errors.push(format!(
                    "{}: no reader: pass --for it|marketing, or name one for this path in \
                     .broker.toml ([[readers]] paths = [...], for = \"...\")",
                    f.path.display()
                ));
                continue;
            };
            plans.push(Plan {
                shown: shown(&f.path),
                path: f.path,
                reader,
                levels: config.as_ref().map_or_else(Levels::default, |c| c.levels),
                fail_on: opts
                    .fail_on
                    .or_else(|| config.as_ref().and_then(|c| c.fail_on))
                    .unwrap_or(FailOn::Level(super::Level::Warning)),
                glossary: opts
                    .glossary
                    .clone()
                    .or_else(|| config.as_ref().and_then(|c| c.glossary.clone())),
            });
        }
    }

    let matchers = matchers(&plans, &mut outcome.errors);
    let results: Vec<(Option<FileFindings>, Option<String>, bool)> = plans
        .par_iter()
        .map(|p| match matchers.get(&p.glossary).cloned().flatten() {
            Some(matcher) => check_file(&matcher, p),
            None => (None, None, false),
        })
        .collect();
    for (file, error, failed) in results {
        outcome.files.extend(file);
        outcome.errors.extend(error);
        outcome.failed |= failed;
    }
    outcome
}

/// Each glossary of `plans` loaded once, whatever the number of files reading it; one that
/// does not load is reported in `errors` and maps to `None`.
fn matchers(
    plans: &[Plan],
    errors: &mut Vec<String>,
) -> HashMap<Option<PathBuf>, Option<Arc<Matcher>>> {
    let mut matchers: HashMap<Option<PathBuf>, Option<Arc<Matcher>>> = HashMap::new();
    for p in plans {
        matchers.entry(p.glossary.clone()).or_insert_with(|| {
            match Glossary::load_or_embedded(p.glossary.as_deref()) {
                Ok(g) => Some(Arc::new(Matcher::new(Arc::new(g)))),
                Err(e) => {
                    errors.push(e.to_string());
                    None
                }
            }
        });
    }
    matchers
}

/// Checks one planned file: its findings, or the error that kept it from being read, and
/// whether it fails the check.
fn check_file(matcher: &Matcher, p: &Plan) -> (Option<FileFindings>, Option<String>, bool) {
    match documents::read(&p.path) {
        Err(e) => (None, Some(e.to_string()), false),
        Ok(text) => {
            let findings = check_text(
                matcher,
                &text,
                &CheckOptions {
                    reader: p.reader,
                    levels: p.levels,
                    input: documents::input_of(&p.path),
                },
            );
            let failed = findings.iter().any(|f| p.fail_on.fails(f.level));
            (
                Some(FileFindings {
                    path: p.shown.clone(),
                    findings,
                }),
                None,
                failed,
            )
        }
    }
}

/// A path as reports show it: as reached, with `/` separators and no leading `./`.
fn shown(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    match s.strip_prefix("./") {
        Some(rest) => rest.to_string(),
        None => s,
    }
}
