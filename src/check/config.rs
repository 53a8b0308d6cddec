//! `.broker.toml`: a project's settings for `broker check`, found upward from each file.
//!
//! ```toml
//! glossary = "docs/glossary"     # a glossary directory, relative to this file
//! drafts = "docs/glossary/drafts.toml"  # where `broker lsp` adds draft concepts
//! fail_on = "warning"            # note | warning | error | none
//! ignore = ["vendor/**", "CHANGELOG.md"]
//!
//! [rules]                        # each rule's level: note | warning | error | off
//! jargon = "note"
//! false-friend = "error"
//! gap = "off"
//!
//! [[readers]]                    # who reads which files; the first glob that matches wins
//! paths = ["briefs/**"]
//! for = "it"
//! ```
//!
//! Globs are relative to the directory holding the file; `**` crosses directories. The nearest
//! `.broker.toml` above a file is the one that applies to it (files are not merged).

use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use super::{Level, Levels, Rule};
use crate::glossary::Side;

/// The file name looked for.
pub const FILE_NAME: &str = ".broker.toml";

/// When `broker check` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// On a finding at this level or above.
    Level(Level),
    /// Never.
    None,
}

impl FailOn {
    /// Whether a finding at `level` fails the check.
    pub fn fails(self, level: Level) -> bool {
        match self {
            FailOn::Level(l) => level >= l,
            FailOn::None => false,
        }
    }
}

impl std::str::FromStr for FailOn {
    type Err = crate::UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(FailOn::None),
            other => other.parse().map(FailOn::Level).map_err(|_| {
                crate::UnknownValue::new("level", other, "note, warning, error or none")
            }),
        }
    }
}

/// A `.broker.toml` that cannot be used, with `file:line`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    glossary: Option<Spanned<String>>,
    drafts: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    readers: Vec<RawReader>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    jargon: Option<Spanned<String>>,
    #[serde(rename = "false-friend")]
    false_friend: Option<Spanned<String>>,
    gap: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReader {
    paths: Vec<Spanned<String>>,
    // `for` as in `--for`; `reader` as in integrations.toml, accepted too.
    #[serde(rename = "for", alias = "reader")]
    reader: Spanned<String>,
}

/// A project's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `.broker.toml` they were read from.
    pub path: PathBuf,
    /// Its directory: what globs and the glossary path are relative to.
    pub root: PathBuf,
    /// The glossary directory, resolved against `root`.
    pub glossary: Option<PathBuf>,
    /// The file `broker lsp` adds draft concepts to, resolved against `root`.
    pub drafts: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    pub levels: Levels,
    readers: Vec<(GlobSet, Side)>,
    ignore: GlobSet,
}

impl Config {
    /// The nearest `.broker.toml` in `dir` or a directory above it.
    pub fn find(dir: &Path) -> Option<PathBuf> {
        let dir = crate::documents::normalize(dir);
        dir.ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|p| p.is_file())
    }

    /// Reads and checks a `.broker.toml`.
    ///
    /// # Errors
    /// [`ConfigError`] with `file:line` for bad TOML, unknown keys, levels, readers or globs.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// Checks the text of a `.broker.toml` read from `path`.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let invalid = |span: Option<Range<usize>>, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: span.map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            }),
            message,
        };
        let raw: Raw =
            toml::from_str(text).map_err(|e| invalid(e.span(), e.message().to_string()))?;
        let root = crate::documents::normalize(path)
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);

        let mut levels = Levels::default();
        for (rule, value) in [
            (Rule::Jargon, &raw.rules.jargon),
            (Rule::FalseFriend, &raw.rules.false_friend),
            (Rule::Gap, &raw.rules.gap),
        ] {
            if let Some(v) = value {
                let level = match v.get_ref().as_str() {
                    "off" => None,
                    other => Some(other.parse::<Level>().map_err(|_| {
                        invalid(
                            Some(v.span()),
                            format!(
                                "rules.{}: unknown level '{other}': expected note, warning, \
                                 error or off",
                                rule.id()
                            ),
                        )
                    })?),
                };
                levels.set(rule, level);
            }
        }
        let fail_on = raw
            .fail_on
            .as_ref()
            .map(|v| {
                v.get_ref()
                    .parse::<FailOn>()
                    .map_err(|e| invalid(Some(v.span()), format!("fail_on: {e}")))
            })
            .transpose()?;
        let globs = |list: &[Spanned<String>], field: &str| -> Result<GlobSet, ConfigError> {
            let mut set = GlobSetBuilder::new();
            for g in list {
                for pattern in patterns(g.get_ref()) {
                    set.add(glob(&pattern).map_err(|e| {
                        invalid(
                            Some(g.span()),
                            format!("{field}: bad glob '{}': {e}", g.get_ref()),
                        )
                    })?);
                }
            }
            set.build()
                .map_err(|e| invalid(None, format!("{field}: {e}")))
        };
        let ignore = globs(&raw.ignore, "ignore")?;
        let mut readers = Vec::new();
        for r in &raw.readers {
            let side = r.reader.get_ref().parse::<Side>().map_err(|_| {
                invalid(
                    Some(r.reader.span()),
                    format!(
                        "readers.for: unknown reader '{}': expected it or marketing",
                        r.reader.get_ref()
                    ),
                )
            })?;
            readers.push((globs(&r.paths, "readers.paths")?, side));
        }
        Ok(Config {
            path: path.to_path_buf(),
            glossary: raw.glossary.map(|g| root.join(g.into_inner())),
            drafts: raw.drafts.map(|d| root.join(d.into_inner())),
            root,
            fail_on,
            levels,
            readers,
            ignore,
        })
    }

    /// The path of `file` relative to this configuration's directory, if it lies below it.
    fn relative(&self, file: &Path) -> Option<PathBuf> {
        let file = crate::documents::normalize(file);
        file.strip_prefix(&self.root).ok().map(Path::to_path_buf)
    }

    /// Whether the configuration names readers at all (a file none of them matches is then
    /// not one to check, rather than a mistake).
    pub fn has_readers(&self) -> bool {
        !self.readers.is_empty()
    }

    /// The reader of `file` by the first `[[readers]]` entry whose globs match it.
    pub fn reader_for(&self, file: &Path) -> Option<Side> {
        let rel = self.relative(file)?;
        self.readers
            .iter()
            .find(|(set, _)| set.is_match(&rel))
            .map(|&(_, side)| side)
    }

    /// Whether `file` matches one of the `ignore` globs.
    pub fn ignores(&self, file: &Path) -> bool {
        self.relative(file)
            .is_some_and(|rel| self.ignore.is_match(&rel))
    }
}

/// The globs a pattern of `.broker.toml` stands for, as in `.gitignore`: a pattern naming a
/// directory (`vendor/`) covers everything below it, and so does one that may name a file or
/// a directory (`vendor`, `docs/*.draft`).
fn patterns(pattern: &str) -> Vec<String> {
    let p = pattern.trim_start_matches("./");
    match p.strip_suffix('/') {
        Some(dir) => vec![format!("{dir}/**")],
        None if p.ends_with("**") => vec![p.to_string()],
        None => vec![p.to_string(), format!("{p}/**")],
    }
}

/// One glob: `*` stays within a directory, `**` crosses them.
fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/repo/.broker.toml"), text)
    }

    #[test]
    fn readers_levels_and_ignores_apply_by_glob() {
        let c = parse(
            r#"
glossary = "terms"
drafts = "terms/drafts.toml"
fail_on = "error"
ignore = ["vendor/", "CHANGELOG.md", "drafts"]
[rules]
jargon = "off"
gap = "error"
[[readers]]
paths = ["briefs/**", "*.brief.md"]
for = "it"
[[readers]]
paths = ["**"]
reader = "marketing"   # as in integrations.toml
"#,
        )
        .unwrap();
        assert_eq!(c.glossary.as_deref(), Some(Path::new("/repo/terms")));
        assert_eq!(
            c.drafts.as_deref(),
            Some(Path::new("/repo/terms/drafts.toml"))
        );
        assert_eq!(c.fail_on, Some(FailOn::Level(Level::Error)));
        assert_eq!(c.levels.jargon, None);
        assert_eq!(c.levels.false_friend, Some(Level::Warning));
        assert_eq!(c.levels.gap, Some(Level::Error));
        assert_eq!(
            c.reader_for(Path::new("/repo/briefs/q3/a.md")),
            Some(Side::It)
        );
        assert_eq!(c.reader_for(Path::new("/repo/x.brief.md")), Some(Side::It));
        assert_eq!(
            c.reader_for(Path::new("/repo/docs/x.brief.md")),
            Some(Side::Marketing)
        );
        assert_eq!(c.reader_for(Path::new("/elsewhere/a.md")), None);
        assert!(c.ignores(Path::new("/repo/vendor/lib/README.md")));
        assert!(c.ignores(Path::new("/repo/CHANGELOG.md")));
        assert!(!c.ignores(Path::new("/repo/docs/CHANGELOG.md")));
        assert!(
            c.ignores(Path::new("/repo/drafts/a.md")),
            "a name covers a directory"
        );
        assert_eq!(
            c.reader_for(Path::new("/repo/docs/../briefs/a.md")),
            Some(Side::It)
        );
        assert!(c.has_readers());
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        let cases = [
            (
                "fail_on = \"warning\"\n[rules]\njargon = \"loud\"\n",
                3,
                "rules.jargon",
            ),
            (
                "\n\n[[readers]]\npaths = [\"a/**\"]\nfor = \"sales\"\n",
                5,
                "unknown reader 'sales'",
            ),
            ("colour = \"red\"\n", 1, "unknown field `colour`"),
            ("\nignore = [\"a/[b\"]\n", 2, "bad glob"),
            ("\nfail_on = \"sometimes\"\n", 2, "fail_on"),
        ];
        for (text, line, words) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("/repo/.broker.toml:{line}: ")),
                "{e}"
            );
            assert!(e.contains(words), "{e}");
        }
    }
}
