//! broker translates jargon between IT and marketing.
//!
//! It holds a two-way glossary of concepts, finds their terms in free text (misspelt,
//! pluralised, hyphenated differently) and returns the text annotated for the reader's side.
//!
//! # Layout
//! Data flows one way: files → [`glossary`] → [`matcher`] → mentions → [`render`] (annotations:
//! mentions with their notes) → wire.
//! - [`glossary`]: the model, loading and validation with `file:line`.
//! - [`matcher`]: normalising, indexing, exact and fuzzy candidates, selection, markup skipping.
//! - [`render`]: mentions → annotations (equivalents, definitions, false friends' senses looked
//!   up in the glossary) → inline, Markdown footnotes, HTML `<abbr>`, rewrite.
//! - [`translate`](mod@translate): the use case that ties matching and rendering together.
//! - [`store`]: where the served glossary is kept, one [`store::Backend`]: embedded, a
//!   directory (atomic, comment-preserving edits; hot reload in [`store::watch`]) or PostgreSQL
//!   for several replicas ([`store::postgres`]).
//! - [`json`]: the JSON shape shared by the CLI and the HTTP gateway (an edge, like the service).
//! - [`service`]: the network edge: gRPC handlers, HTTP/JSON routes, proto ⇄ core conversion,
//!   tokens, deadlines; [`service::serve`] runs it on a bound listener until a shutdown future.
//! - [`check`]: `broker check`, requirement documents read as their reader will read them:
//!   findings, `.broker.toml`, text/JSON/SARIF/GitHub reports.
//! - [`documents`]: the files a command reads from paths (walks, formats by suffix).
//! - [`input`]: the CLI's inputs read within `--max-text-bytes`, and its exit rule.
//! - [`client`]: a client of a running server's HTTP admin routes (`broker concept`), and
//!   reading one concept from a TOML or JSON file.
//! - [`integrations`]: Slack, GitHub and Jira webhooks on the service's port (signatures,
//!   answers within the caller's timeout, remote calls afterwards).
//! - [`lsp`]: `broker lsp`, the language server: diagnostics, hover and code actions in editors.
//! - [`unknown`]: [`UnknownValue`], the error of every `FromStr` of a small enum.
//! - [`config`]: the service's settings (limits, timeouts, tokens), filled by `broker serve`.
//!
//! The core (glossary, matcher, render, translate) knows no wire format: it never imports
//! `service`, tonic, prost or axum types.

pub mod check;
pub mod client;
pub mod config;
pub mod documents;
pub mod gap_report;
pub mod glossary;
pub mod input;
pub mod integrations;
pub mod json;
pub mod lines;
pub mod lsp;
pub mod matcher;
pub mod metrics;
pub mod render;
pub mod service;
pub mod store;
pub mod translate;
pub mod unknown;

pub use glossary::{Concept, Glossary, GlossaryError, Side, SideEntry, Term};
pub use matcher::{InputFormat, MatchKind, MatchOptions, Matcher, Mention};
pub use render::Annotation;
pub use render::{Explain, Format};
pub use translate::{translate, ConceptNote, Rendering, TranslateRequest, TranslateResponse, View};
pub use unknown::UnknownValue;

/// A count with its noun in the right number, for messages: `plural(1, "concept")` is
/// "1 concept", `plural(2, "concept")` "2 concepts" (regular nouns only).
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
