//! The glossary being served, shared by every request and swapped whole.
//!
//! [`AppState`] holds the current [`Snapshot`] (a compiled [`Matcher`] and when it was loaded)
//! behind an [`ArcSwap`]: a request takes the snapshot once with [`AppState::current`] and
//! uses it to the end, without locks; a reload or an edit builds a new matcher and
//! [`AppState::replace`]s it between requests.

use std::sync::Arc;
use std::time::SystemTime;

use arc_swap::ArcSwap;

use crate::glossary::{Concept, Glossary, Side};
use crate::matcher::Matcher;
use crate::store::{Backend, PgStore, Store};

pub use crate::store::EditError;

/// One compiled glossary and when it started serving.
#[derive(Debug)]
pub struct Snapshot {
    /// The matcher, which also holds the glossary.
    pub matcher: Arc<Matcher>,
    /// When this glossary was loaded.
    pub loaded_at: SystemTime,
}

/// The state shared by all handlers.
#[derive(Debug)]
pub struct AppState {
    current: ArcSwap<Snapshot>,
    /// Where edits go: nowhere (embedded), the directory, or PostgreSQL.
    backend: Backend,
}

impl AppState {
    /// Serves `matcher`, loaded now.
    pub fn new(matcher: Matcher) -> AppState {
        crate::metrics::global().glossary_version(matcher.glossary().version());
        AppState {
            current: ArcSwap::from_pointee(Snapshot {
                matcher: Arc::new(matcher),
                loaded_at: SystemTime::now(),
            }),
            backend: Backend::Embedded,
        }
    }

    /// Serves `matcher`, loaded from the PostgreSQL store `database`, and makes edits there.
    /// Other replicas' edits arrive through [`PgStore::watch`].
    pub fn with_database(matcher: Matcher, database: Arc<PgStore>) -> AppState {
        AppState::with_backend(matcher, Backend::Postgres(database))
    }

    /// Serves `matcher`, loaded from `backend`, and makes edits there.
    pub fn with_backend(matcher: Matcher, backend: Backend) -> AppState {
        AppState {
            backend,
            ..AppState::new(matcher)
        }
    }

    /// Where edits go.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The PostgreSQL store, when the glossary is kept there.
    pub fn database(&self) -> Option<&Arc<PgStore>> {
        self.backend.database()
    }

    /// Serves `matcher`, loaded from `store`'s directory, and accepts durable edits to it.
    pub fn with_store(matcher: Matcher, store: Store) -> AppState {
        AppState::with_backend(matcher, Backend::Dir(Arc::new(store)))
    }

    /// The writable glossary directory, when the glossary is kept there.
    pub fn store(&self) -> Option<&Store> {
        self.backend.dir()
    }

    /// Serves `glossary` from now on, unless it is the version already served.
    pub fn publish(&self, glossary: Glossary) {
        if glossary.version() != self.current().matcher.glossary().version() {
            self.replace(Matcher::new(Arc::new(glossary)));
        }
    }

    /// Writes `concept` durably (in the directory or the database) and serves the new
    /// glossary; with a database, blocking means a blocking thread of the tokio runtime. Per-term overrides
    /// (`case_sensitive`, `fuzzy`, `pos`), which the wire does not carry, are kept from the stored
    /// concept for terms that stay. Blocking.
    ///
    /// # Errors
    /// No store, or the store's refusal.
    pub fn upsert(
        &self,
        mut concept: Concept,
        expected_etag: &str,
        editor: Option<&str>,
    ) -> Result<Concept, EditError> {
        if let Some(old) = self.current().matcher.glossary().get(&concept.id) {
            keep_overrides(&mut concept, old);
        }
        self.backend
            .upsert(concept, expected_etag, editor, |g| self.publish(g))
    }

    /// Deletes concept `id` durably and serves the new glossary. Blocking.
    ///
    /// # Errors
    /// No store, or the store's refusal.
    pub fn delete(
        &self,
        id: &str,
        expected_etag: &str,
        editor: Option<&str>,
    ) -> Result<(), EditError> {
        self.backend
            .delete(id, expected_etag, editor, |g| self.publish(g))
    }

    /// The snapshot to answer a request with.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Swaps in a new matcher; requests already running finish on the old one.
    pub fn replace(&self, matcher: Matcher) {
        crate::metrics::global().glossary_version(matcher.glossary().version());
        self.current.store(Arc::new(Snapshot {
            matcher: Arc::new(matcher),
            loaded_at: SystemTime::now(),
        }));
    }
}

/// Copies the per-term overrides of `old` onto the same terms of `new`.
fn keep_overrides(new: &mut Concept, old: &Concept) {
    for side in Side::BOTH {
        let Some(entry) = new.side_mut(side).as_mut() else {
            continue;
        };
        for t in &mut entry.terms {
            if let Some(o) = old.terms(side).iter().find(|o| o.text == t.text) {
                if !t.has_overrides() {
                    t.case_sensitive = o.case_sensitive;
                    t.fuzzy = o.fuzzy;
                    t.pos = o.pos;
                }
            }
        }
    }
}
