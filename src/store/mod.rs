//! Where the served glossary is kept, and how edits and other writers' changes reach it: one
//! [`Backend`] per server.
//!
//! - [`Backend::Embedded`]: the glossary built into the binary; read-only.
//! - [`Backend::Dir`] ([`dir`]): a directory of `*.toml` files, edited in place atomically and
//!   comment-preserving; changes made by others are picked up by [`watch`] (notify + SIGHUP).
//! - [`Backend::Postgres`] ([`postgres`]): PostgreSQL shared by replicas, edited in one
//!   transaction each; other replicas' changes arrive through LISTEN/NOTIFY.
//!
//! Both writable backends follow one etag rule ([`StoreError::Stale`]) and refuse an edit
//! that would leave the glossary invalid; neither knows the server: a new glossary is handed
//! to a `publish` callback.

pub mod dir;
pub mod postgres;
pub mod watch;

use std::path::PathBuf;
use std::sync::Arc;

pub use dir::{Store, EDITS_FILE};
pub use postgres::{PgError, PgStore};

use crate::glossary::write::WriteError;
use crate::glossary::{Concept, ConceptError, Glossary, GlossaryError};

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

/// Why an edit through a [`Backend`] was refused.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The server runs on the embedded glossary.
    #[error("edits need a writable --glossary DIR; this server runs on the embedded default glossary, which is read-only")]
    ReadOnly,
    /// The store refused the edit.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a backend could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The database cannot be reached or refused.
    #[error(transparent)]
    Postgres(#[from] PgError),
    /// The database handed over no glossary.
    #[error("the store's glossary")]
    NoGlossary,
    /// The directory (or the embedded glossary) does not load.
    #[error(transparent)]
    Glossary(#[from] GlossaryError),
}

/// Where a server's glossary lives, as given on the command line.
#[derive(Debug, Clone, Default)]
pub enum Source {
    /// The glossary embedded in the binary.
    #[default]
    Embedded,
    /// A directory of `*.toml` files (`--glossary DIR`).
    Dir(PathBuf),
    /// A PostgreSQL store (`--store postgres://…`).
    Postgres(String),
}

/// The one backend a server edits and follows.
#[derive(Debug, Clone, Default)]
pub enum Backend {
    /// Read-only: edits are refused with [`EditError::ReadOnly`].
    #[default]
    Embedded,
    /// The glossary directory.
    Dir(Arc<Store>),
    /// The shared PostgreSQL store.
    Postgres(Arc<PgStore>),
}

impl Backend {
    /// Opens `source` and loads its glossary (warnings logged); a database's audit rows name
    /// `actor` as who made the edits.
    ///
    /// # Errors
    /// When the database cannot be reached, or the glossary does not load.
    pub async fn open(source: &Source, actor: &str) -> Result<(Backend, Glossary), OpenError> {
        match source {
            Source::Embedded => Ok((Backend::Embedded, Glossary::load_or_embedded(None)?)),
            Source::Dir(dir) => Ok((
                Backend::Dir(Arc::new(Store::new(dir))),
                Glossary::load_or_embedded(Some(dir))?,
            )),
            Source::Postgres(url) => {
                let db = PgStore::connect(url, actor).await?;
                let mut loaded = None;
                let (revision, glossary) = db.load().await?;
                db.offer(revision, glossary, |g| loaded = Some(g));
                let glossary = loaded.ok_or(OpenError::NoGlossary)?;
                if glossary.concepts().is_empty() {
                    tracing::warn!(
                        store = %db.shown(),
                        "the store holds no concepts yet: seed it with `broker glossary push DIR --store URL`"
                    );
                }
                Ok((Backend::Postgres(Arc::new(db)), glossary))
            }
        }
    }

    /// The PostgreSQL store, when the glossary is kept there.
    pub fn database(&self) -> Option<&Arc<PgStore>> {
        match self {
            Backend::Postgres(db) => Some(db),
            _ => None,
        }
    }

    /// The glossary directory, when the glossary is kept there.
    pub fn dir(&self) -> Option<&Store> {
        match self {
            Backend::Dir(store) => Some(store),
            _ => None,
        }
    }

    /// Writes `concept` durably and hands the new glossary to `publish`. Blocking (with a
    /// database: on a blocking thread of the tokio runtime).
    ///
    /// # Errors
    /// Read-only, or the store's refusal.
    pub fn upsert(
        &self,
        concept: Concept,
        expected_etag: &str,
        editor: Option<&str>,
        publish: impl FnOnce(Glossary),
    ) -> Result<Concept, EditError> {
        match self {
            Backend::Embedded => Err(EditError::ReadOnly),
            Backend::Dir(store) => Ok(store.upsert(concept, expected_etag, publish)?),
            Backend::Postgres(db) => {
                let edit = db.upsert_as(concept, expected_etag, editor, publish);
                Ok(tokio::runtime::Handle::current().block_on(edit)?)
            }
        }
    }

    /// Deletes concept `id` durably and hands the new glossary to `publish`. Blocking.
    ///
    /// # Errors
    /// Read-only, or the store's refusal.
    pub fn delete(
        &self,
        id: &str,
        expected_etag: &str,
        editor: Option<&str>,
        publish: impl FnOnce(Glossary),
    ) -> Result<(), EditError> {
        match self {
            Backend::Embedded => Err(EditError::ReadOnly),
            Backend::Dir(store) => Ok(store.delete(id, expected_etag, publish)?),
            Backend::Postgres(db) => {
                let edit = db.delete_as(id, expected_etag, editor, publish);
                Ok(tokio::runtime::Handle::current().block_on(edit)?)
            }
        }
    }
}

/// `StoreError::Stale` unless `expected` is empty or the etag of `existing` (none: ""); the
/// one etag rule of both stores, files and PostgreSQL.
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
