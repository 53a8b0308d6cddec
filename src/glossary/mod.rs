//! The glossary: a validated, immutable set of concepts loaded from TOML files.
//!
//! A glossary is a directory of `*.toml` files read in file-name order (SPEC §2). The default
//! glossary in the repository's `glossary/` folder is embedded in the binary at build time.
//! Loading reports every problem with `file:line`; a glossary that loads is valid, so later
//! layers never re-check it.

pub mod exchange;
mod load;
mod located;
mod model;
mod scan;
mod shared;
pub mod write;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

pub use model::{
    is_dash, is_valid_id, term_word_count, Concept, ConceptError, Pos, Side, SideEntry, Term,
    MAX_TERM_WORDS,
};
pub use shared::{shared_terms, SharedTerm};

/// The default glossary's files, `(file name, contents)`, in file-name order.
pub const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_glossary.rs"));

/// One problem (or warning) found while loading, located at `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as given to the loader (a path, or `glossary/x.toml` for the embedded one).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(file: &str, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Why a glossary could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum GlossaryError {
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The directory holds no `*.toml` file.
    #[error("{0}: no *.toml glossary files in this directory")]
    NoFiles(PathBuf),
    /// The files hold errors; each names `file:line`.
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

/// Where a glossary came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The default glossary compiled into the binary.
    Embedded,
    /// A directory on disk.
    Dir(PathBuf),
    /// Concepts given directly (tests, imports).
    Memory,
    /// A PostgreSQL store (its URL without the password).
    Database(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Embedded => f.write_str("embedded"),
            Source::Dir(p) => write!(f, "{}", p.display()),
            Source::Memory => f.write_str("memory"),
            Source::Database(url) => f.write_str(url),
        }
    }
}

/// Where one concept was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// File name relative to the glossary directory (e.g. `delivery.toml`).
    pub file: String,
    /// Line of the concept's `[[concept]]` header.
    pub line: usize,
}

/// Counts shown by `broker glossary stats` and `GetGlossaryInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Number of concepts.
    pub concepts: usize,
    /// Terms on the IT side of all concepts.
    pub it_terms: usize,
    /// Terms on the marketing side of all concepts.
    pub marketing_terms: usize,
    /// Concepts with terms on both sides.
    pub two_sided: usize,
    /// Distinct terms that are on the IT side of one concept and the marketing side of another.
    pub false_friends: usize,
}

/// A validated glossary. Immutable: edits build a new one.
#[derive(Debug, Clone)]
pub struct Glossary {
    concepts: Vec<Concept>,
    origins: Vec<Option<Origin>>,
    by_id: HashMap<String, usize>,
    source: Source,
    version: String,
    warnings: Vec<Diagnostic>,
    /// [`Glossary::stats`], computed on first use (the false-friend count walks every term,
    /// too slow for every `GetGlossaryInfo`).
    stats: OnceLock<Stats>,
}

impl Glossary {
    /// The default glossary embedded in the binary.
    ///
    /// # Panics
    /// Never in a released binary: a test checks that the embedded files load.
    pub fn embedded() -> Glossary {
        let files = EMBEDDED
            .iter()
            .map(|(name, text)| (format!("glossary/{name}"), (*text).to_string()))
            .collect::<Vec<_>>();
        Glossary::from_files(&files, Source::Embedded).expect("the embedded glossary is valid")
    }

    /// Loads every `*.toml` file of `dir`, in file-name order.
    ///
    /// # Errors
    /// [`GlossaryError::Io`] when the directory or a file cannot be read,
    /// [`GlossaryError::NoFiles`] when it holds no glossary file, and
    /// [`GlossaryError::Invalid`] with every `file:line` problem otherwise.
    pub fn load_dir(dir: &Path) -> Result<Glossary, GlossaryError> {
        let files = read_dir_files(dir)?;
        if files.is_empty() {
            return Err(GlossaryError::NoFiles(dir.to_path_buf()));
        }
        Glossary::from_dir_files(dir, files)
    }

    /// The glossary of `dir`, or the embedded one when there is none, with its warnings
    /// logged: what every command and the server load at start.
    ///
    /// # Errors
    /// As [`Glossary::load_dir`].
    pub fn load_or_embedded(dir: Option<&Path>) -> Result<Glossary, GlossaryError> {
        let g = match dir {
            Some(dir) => Glossary::load_dir(dir)?,
            None => Glossary::embedded(),
        };
        g.log_warnings();
        Ok(g)
    }

    /// Logs each of [`Glossary::warnings`] at `warn` level.
    pub fn log_warnings(&self) {
        for w in self.warnings() {
            tracing::warn!("{w}");
        }
    }

    /// Builds the glossary of directory `dir` from its files' contents (as read by
    /// [`read_dir_files`], possibly edited in memory): the same glossary, version included,
    /// as [`Glossary::load_dir`] gives once those contents are on disk.
    pub(crate) fn from_dir_files(
        dir: &Path,
        files: Vec<(PathBuf, String)>,
    ) -> Result<Glossary, GlossaryError> {
        // Origins name files relative to the directory so that edits can find them again.
        let origin_names = files
            .iter()
            .map(|(path, _)| {
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
            .collect::<Vec<_>>();
        let named = files
            .into_iter()
            .map(|(path, text)| (path.display().to_string(), text))
            .collect::<Vec<_>>();
        Glossary::from_named_files(&named, &origin_names, Source::Dir(dir.to_path_buf()))
    }

    /// Builds a glossary from `(file name, TOML text)` pairs, in the order given.
    ///
    /// # Errors
    /// [`GlossaryError::Invalid`] with every problem found, each with `file:line`.
    pub fn from_files(
        files: &[(String, String)],
        source: Source,
    ) -> Result<Glossary, GlossaryError> {
        let names = files.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>();
        Glossary::from_named_files(files, &names, source)
    }

    /// [`Glossary::from_files`], with the file name each file's concepts give as their
    /// [`Origin`] (`origin_names[i]` for `files[i]`).
    fn from_named_files(
        files: &[(String, String)],
        origin_names: &[String],
        source: Source,
    ) -> Result<Glossary, GlossaryError> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut concepts = Vec::new();
        let mut origins = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        // Per concept: the file it came from (index into `files`) and the line of its id.
        let mut id_at: Vec<(usize, usize)> = Vec::new();
        // Each (side, term key) of the concepts so far: the indices of the concepts that have it.
        let mut term_owners: HashMap<(Side, String), Vec<usize>> = HashMap::new();
        let mut hasher = Sha256::new();
        for (fi, ((file, text), origin_name)) in files.iter().zip(origin_names).enumerate() {
            hasher.update(file.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
            let located = match load::parse_file(file, text) {
                Ok(l) => l,
                Err(mut e) => {
                    errors.append(&mut e);
                    continue;
                }
            };
            concepts.reserve_exact(located.len());
            origins.reserve_exact(located.len());
            for loc in located {
                if let Err(e) = loc.concept.validate() {
                    let line = loc.line_of(&e.field);
                    errors.push(Diagnostic::new(
                        file,
                        line,
                        format!("concept '{}': {e}", loc.concept.id),
                    ));
                    continue;
                }
                match by_id.entry(loc.concept.id.clone()) {
                    Entry::Occupied(first) => {
                        let (f, l) = id_at[*first.get()];
                        errors.push(Diagnostic::new(
                            file,
                            loc.id_line,
                            format!(
                                "duplicate id '{}' (first defined at {}:{l})",
                                loc.concept.id, files[f].0
                            ),
                        ));
                        continue;
                    }
                    Entry::Vacant(v) => {
                        v.insert(concepts.len());
                    }
                }
                id_at.push((fi, loc.id_line));
                concept_warnings(file, &loc, &mut warnings);
                if !loc.concept.draft {
                    shared_term_warnings(file, &loc, &concepts, &mut term_owners, &mut warnings);
                }
                origins.push(Some(Origin {
                    file: origin_name.clone(),
                    line: loc.line,
                }));
                concepts.push(loc.concept);
            }
        }
        if !errors.is_empty() {
            return Err(GlossaryError::Invalid(errors));
        }
        let version = hex8(&hasher.finalize());
        Ok(Glossary::assemble(
            concepts, origins, by_id, source, version, warnings,
        ))
    }

    /// Builds a glossary from concepts already in memory (edits, imports, tests).
    ///
    /// # Errors
    /// The first invalid concept or duplicate id, naming the concept and field.
    pub fn from_concepts(concepts: Vec<Concept>, source: Source) -> Result<Glossary, ConceptError> {
        let mut seen = HashMap::new();
        let mut hasher = Sha256::new();
        for (i, c) in concepts.iter().enumerate() {
            c.validate().map_err(|e| ConceptError {
                field: format!("concept '{}' {}", c.id, e.field),
                message: e.message,
            })?;
            if seen.insert(c.id.clone(), i).is_some() {
                return Err(ConceptError {
                    field: "id".into(),
                    message: format!("duplicate id '{}'", c.id),
                });
            }
            hasher.update(c.etag().as_bytes());
        }
        let origins = vec![None; concepts.len()];
        let version = hex8(&hasher.finalize());
        Ok(Glossary::assemble(
            concepts,
            origins,
            seen,
            source,
            version,
            Vec::new(),
        ))
    }

    /// The glossary of checked parts: `by_id` maps every concept's id to its index.
    fn assemble(
        concepts: Vec<Concept>,
        origins: Vec<Option<Origin>>,
        by_id: HashMap<String, usize>,
        source: Source,
        version: String,
        warnings: Vec<Diagnostic>,
    ) -> Glossary {
        debug_assert_eq!(by_id.len(), concepts.len());
        Glossary {
            concepts,
            origins,
            by_id,
            source,
            version,
            warnings,
            stats: OnceLock::new(),
        }
    }

    /// All concepts, in load order.
    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }

    /// The concept with this id.
    pub fn get(&self, id: &str) -> Option<&Concept> {
        self.by_id.get(id).map(|&i| &self.concepts[i])
    }

    /// The index of the concept with this id in [`Glossary::concepts`].
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Where the concept with this id was written, when it came from files.
    pub fn origin(&self, id: &str) -> Option<&Origin> {
        self.by_id.get(id).and_then(|&i| self.origins[i].as_ref())
    }

    /// Where the glossary came from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// An opaque version string: a hash of the glossary's content.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Warnings found while loading (e.g. a term written twice on one side).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Counts of concepts, terms and false friends.
    pub fn stats(&self) -> Stats {
        *self.stats.get_or_init(|| self.compute_stats())
    }

    fn compute_stats(&self) -> Stats {
        let mut s = Stats {
            concepts: self.concepts.len(),
            ..Stats::default()
        };
        for c in &self.concepts {
            s.it_terms += c.terms(Side::It).len();
            s.marketing_terms += c.terms(Side::Marketing).len();
            if !c.terms(Side::It).is_empty() && !c.terms(Side::Marketing).is_empty() {
                s.two_sided += 1;
            }
        }
        s.false_friends = self.false_friend_terms().len();
        s
    }

    /// Terms (lower-cased) on the IT side of one concept and the marketing side of another,
    /// with the concept ids on each side.
    pub fn false_friend_terms(&self) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
        let mut sides: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for c in &self.concepts {
            for side in Side::BOTH {
                for t in c.terms(side) {
                    let e = sides.entry(t.text.to_lowercase()).or_default();
                    let list = if side == Side::It { &mut e.0 } else { &mut e.1 };
                    if !list.contains(&c.id) {
                        list.push(c.id.clone());
                    }
                }
            }
        }
        sides.retain(|_, (it, mk)| it.iter().any(|a| mk.iter().any(|b| a != b)));
        sides
    }
}

fn hex8(digest: &[u8]) -> String {
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the `*.toml` files of a directory, sorted by file name.
pub(crate) fn read_dir_files(dir: &Path) -> Result<Vec<(PathBuf, String)>, GlossaryError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GlossaryError::Io { path, source }
    };
    let mut paths = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect::<Vec<_>>();
    paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(io(&p))?;
            Ok((p, text))
        })
        .collect()
}

/// The warnings of one concept on its own: a draft, a term written twice on one side.
fn concept_warnings(file: &str, loc: &located::Located, warnings: &mut Vec<Diagnostic>) {
    if loc.concept.draft {
        warnings.push(Diagnostic::new(
            file,
            loc.line,
            format!(
                "concept '{}' is a draft: write its definitions, then remove 'draft = true' (drafts are not matched)",
                loc.concept.id
            ),
        ));
    }
    for (side, i, text) in loc.concept.duplicate_terms() {
        let line = loc.line_of(&format!("{side}.terms[{i}]"));
        warnings.push(Diagnostic::new(
            file,
            line,
            format!(
                "concept '{}': term '{text}' is written twice on the {side} side",
                loc.concept.id
            ),
        ));
    }
}

/// The warnings for terms `loc` shares with the concepts loaded before it (`concepts`), which
/// need attention ([`SharedTerm::needs_attention`]); records `loc`'s terms in `term_owners`
/// (per side and term key, the indices of the concepts that have it) as concept
/// `concepts.len()`.
fn shared_term_warnings(
    file: &str,
    loc: &located::Located,
    concepts: &[Concept],
    term_owners: &mut HashMap<(Side, String), Vec<usize>>,
    warnings: &mut Vec<Diagnostic>,
) {
    for side in Side::BOTH {
        for (i, t) in loc.concept.terms(side).iter().enumerate() {
            let owners = term_owners
                .entry((side, shared::term_key(&t.text)))
                .or_default();
            // The concept itself is last when it wrote the term twice.
            for &j in owners.iter().filter(|&&j| j < concepts.len()) {
                let other: &Concept = &concepts[j];
                let shared = SharedTerm {
                    id: loc.concept.id.clone(),
                    term: t.text.clone(),
                    side,
                    other_id: other.id.clone(),
                    other_side: side,
                    disambiguated: !loc.concept.cues.is_empty() && !other.cues.is_empty(),
                };
                if shared.needs_attention() {
                    let line = loc.line_of(&format!("{side}.terms[{i}]"));
                    warnings.push(Diagnostic::new(file, line, shared.to_string()));
                }
            }
            if owners.last() != Some(&concepts.len()) {
                owners.push(concepts.len());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(files: &[(&str, &str)]) -> Result<Glossary, GlossaryError> {
        let files = files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect::<Vec<_>>();
        Glossary::from_files(&files, Source::Memory)
    }

    fn errors(files: &[(&str, &str)]) -> Vec<String> {
        match load(files) {
            Err(GlossaryError::Invalid(d)) => d.iter().map(|d| d.to_string()).collect(),
            other => panic!("expected errors, got {other:?}"),
        }
    }

    const GOOD: &str = r#"
[[concept]]
id = "latency"
tags = ["performance"]

[concept.it]
terms = ["latency", { text = "RTT", fuzzy = false }]
definition = "Time between a request and its response."

[concept.marketing]
terms = ["page speed"]
definition = "How long a customer waits."
"#;

    #[test]
    fn loads_strings_and_tables() {
        let g = load(&[("a.toml", GOOD)]).unwrap();
        let c = g.get("latency").unwrap();
        assert_eq!(c.terms(Side::It)[1].text, "RTT");
        assert_eq!(c.terms(Side::It)[1].fuzzy, Some(false));
        assert_eq!(g.origin("latency").unwrap().line, 2);
        assert_eq!(g.stats().two_sided, 1);
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases: &[(&str, &str)] = &[
            ("[[concept]\nid = \"x\"", "a.toml:1:"),
            ("[[concept]]\nid = \"x\"\ncolour = 1\n", "a.toml:3: unknown field `colour`"),
            ("[[concept]]\nid = \"Bad Id\"\n[concept.it]\nterms=[\"a\"]\ndefinition=\"d\"\n", "a.toml:2: concept 'Bad Id': id:"),
            ("[[concept]]\nid = \"x\"\n[concept.it]\nterms = [\"a\", \"\"]\ndefinition = \"d\"\n", "a.toml:4: concept 'x': it.terms[1]: empty term"),
            ("[[concept]]\nid = \"x\"\n[concept.it]\nterms = [\"a\"]\n", "a.toml:3: concept 'x': it.definition: is required"),
            ("[[concept]]\nid = \"x\"\n[concept.it]\nterms = []\ndefinition = \"d\"\n", "a.toml:1: concept 'x': terms: the concept has no terms"),
        ];
        for (text, want) in cases {
            let got = errors(&[("a.toml", text)]);
            assert!(
                got.iter().any(|e| e.starts_with(want)),
                "{text:?}: want {want}, got {got:?}"
            );
        }
    }

    #[test]
    fn duplicate_ids_across_files() {
        let got = errors(&[("a.toml", GOOD), ("b.toml", &format!("\n\n{GOOD}"))]);
        assert_eq!(
            got,
            vec!["b.toml:5: duplicate id 'latency' (first defined at a.toml:3)".to_string()]
        );
    }

    #[test]
    fn same_term_twice_is_a_warning() {
        let text = GOOD.replace("\"page speed\"]", "\"page speed\", \"Page Speed\"]");
        let g = load(&[("a.toml", &text)]).unwrap();
        assert_eq!(g.warnings().len(), 1);
        assert!(
            g.warnings()[0].to_string().starts_with("a.toml:11:"),
            "{:?}",
            g.warnings()
        );
    }

    #[test]
    fn false_friends_are_counted() {
        let text = r#"
[[concept]]
id = "ci-pipeline"
[concept.it]
terms = ["pipeline"]
definition = "Build steps."
[[concept]]
id = "sales-pipeline"
[concept.marketing]
terms = ["Pipeline", "KPI"]
definition = "Deals in progress."
[concept.it]
terms = ["KPI"]
definition = "A metric."
"#;
        let g = load(&[("a.toml", text)]).unwrap();
        assert_eq!(g.stats().false_friends, 1);
        assert!(g.false_friend_terms().contains_key("pipeline"));
    }

    #[test]
    fn embedded_glossary_loads() {
        let g = Glossary::embedded();
        assert!(g.stats().concepts > 0);
        assert_eq!(g.source(), &Source::Embedded);
    }
}
