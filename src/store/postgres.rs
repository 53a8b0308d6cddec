//! The glossary in PostgreSQL (`--store postgres://…`, SPEC §12): one glossary shared by
//! several replicas, with no lost update and every change audited.
//!
//! # Why sqlx
//! `sqlx` (runtime-tokio, rustls) brings the pool and, in `PgListener`, a LISTEN connection
//! that reconnects by itself and says when it did — the two things a replica needs; it is
//! used without its compile-time macros, so building needs no database.
//!
//! # Layout (`migrations/*.sql`, embedded and applied at start)
//! `concepts` (one row per concept; a side exists when its definition is not NULL), `terms`
//! (per side, in order, with the per-term overrides), `concept_words` (tags, cues, `not_in`),
//! `audit` (revision, when, who, action, the concept before and after as JSON) and
//! `broker_state` (one row: the revision).
//!
//! # The write path
//! In one transaction: lock the `broker_state` row (writers are serialised across all
//! replicas), check `expected_etag` against the stored etag (stale → [`StoreError::Stale`],
//! ABORTED), write the concept's rows, read the whole glossary back and validate it (an edit
//! that would make it invalid is rolled back), bump the revision, write the audit row and
//! `NOTIFY broker_glossary` with the revision; then commit. Only after the commit is the edit
//! acknowledged and the new glossary published locally; PostgreSQL delivers the notification to
//! every other replica at the commit.
//!
//! # Replicas
//! [`PgStore::watch`] listens on `broker_glossary`; a notification, and every (re)connection
//! (notifications sent while disconnected are lost), loads the glossary at its revision and
//! publishes it if that revision is newer than the one served, so a replica never goes back
//! to an older glossary. Reads never touch the database: a replica that loses it keeps serving
//! its last glossary, refuses writes with [`StoreError::Unavailable`] (UNAVAILABLE / 503),
//! and retries the connection every second.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, Transaction};

use super::{check_etag, StoreError};
use crate::glossary::{Concept, Glossary, Side, SideEntry, Source, Term};

/// The channel of change notifications; the payload is the new revision.
pub const CHANNEL: &str = "broker_glossary";

/// The embedded schema migrations, in order: `(version, SQL)`.
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../../migrations/0001_glossary.sql"))];

/// Any number: the advisory lock that serialises migrations of replicas starting together.
const MIGRATION_LOCK: i64 = 0x6272_6f6b_6572;

/// How long a write waits for a connection before it answers UNAVAILABLE.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// How often a replica that lost the database tries again.
const RETRY: Duration = Duration::from_secs(1);

/// The database cannot be used at all (start-up, CLI).
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The URL is not a PostgreSQL URL.
    #[error("--store: '{0}' is not a PostgreSQL URL (postgres://user@host:port/database)")]
    Url(String),
    /// The database refused or failed.
    #[error("{store}: {source}")]
    Database {
        /// The URL without its password.
        store: String,
        /// sqlx's error.
        source: sqlx::Error,
    },
    /// The stored glossary does not validate.
    #[error("{store}: the stored glossary is not valid: {message}")]
    Invalid {
        /// The URL without its password.
        store: String,
        /// Which concept and field.
        message: String,
    },
}

/// The glossary kept in PostgreSQL.
#[derive(Debug)]
pub struct PgStore {
    pool: PgPool,
    /// The URL without its password: for messages and `GlossaryInfo.source`.
    shown: String,
    /// Who this process is in the audit table (`broker@HOST:PID`, or the CLI's user).
    actor: String,
    /// The revision of the glossary last published by this process; publications are made
    /// under this lock, in revision order.
    published: Mutex<i64>,
    /// Whether the LISTEN connection is up: writes can be expected to work (the gRPC health
    /// service [`WRITES_HEALTH_SERVICE`] says so).
    connected: AtomicBool,
}

/// The gRPC health service name that is SERVING while edits can be made, NOT_SERVING while
/// the glossary database is unreachable (reads, under the empty name and `broker.v1.Broker`,
/// stay SERVING).
pub const WRITES_HEALTH_SERVICE: &str = "broker.v1.Broker.writes";

/// `url` with its password replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}")
        }
        _ => url.to_string(),
    }
}

/// This machine's name, for the audit table's actors.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

/// Whether `s` names a PostgreSQL store.
pub fn is_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

fn unavailable(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => StoreError::Unavailable(format!(
            "the glossary database cannot be reached ({e}); reads are still served, retry the edit later"
        )),
        e => StoreError::Database(e.to_string()),
    }
}

impl PgStore {
    /// Connects to `url` and applies the embedded migrations that are missing.
    ///
    /// # Errors
    /// A bad URL, an unreachable database, or a failed migration.
    pub async fn connect(url: &str, actor: impl Into<String>) -> Result<PgStore, PgError> {
        if !is_url(url) {
            return Err(PgError::Url(redact(url)));
        }
        let shown = redact(url);
        let db = |source| PgError::Database {
            store: shown.clone(),
            source,
        };
        let options = PgConnectOptions::from_str(url).map_err(db)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(db)?;
        let store = PgStore {
            pool,
            shown: shown.clone(),
            actor: actor.into(),
            published: Mutex::new(-1),
            connected: AtomicBool::new(true),
        };
        store.migrate().await.map_err(db)?;
        Ok(store)
    }

    /// Whether the database was reachable at the last look of [`PgStore::watch`].
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// The store's URL without its password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        // No "already exists, skipping" notices in the log at every start.
        sqlx::query("SET LOCAL client_min_messages = warning")
            .execute(&mut *tx)
            .await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS broker_migrations (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .execute(&mut *tx)
        .await?;
        let done: Vec<i32> = sqlx::query_scalar("SELECT version FROM broker_migrations")
            .fetch_all(&mut *tx)
            .await?;
        for &(version, sql) in MIGRATIONS {
            if done.contains(&version) {
                continue;
            }
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO broker_migrations (version) VALUES ($1)")
                .bind(version)
                .execute(&mut *tx)
                .await?;
            tracing::info!(version, store = %self.shown, "applied a schema migration");
        }
        tx.commit().await
    }

    /// The stored glossary and its revision, read in one snapshot.
    ///
    /// # Errors
    /// The database's failure, or a stored glossary that does not validate.
    pub async fn load(&self) -> Result<(i64, Glossary), PgError> {
        let db = |source| PgError::Database {
            store: self.shown.clone(),
            source,
        };
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let revision = revision(&mut tx).await.map_err(db)?;
        let concepts = read_concepts(&mut tx, None).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        let glossary = self.glossary(concepts).map_err(|e| PgError::Invalid {
            store: self.shown.clone(),
            message: e.to_string(),
        })?;
        Ok((revision, glossary))
    }

    fn glossary(&self, concepts: Vec<Concept>) -> Result<Glossary, crate::glossary::ConceptError> {
        Glossary::from_concepts(concepts, Source::Database(self.shown.clone()))
    }

    /// Publishes `glossary` at `revision` unless a newer one was published already.
    pub fn offer(&self, revision: i64, glossary: Glossary, publish: impl FnOnce(Glossary)) {
        let mut published = self.published.lock().unwrap_or_else(|p| p.into_inner());
        if revision > *published {
            *published = revision;
            publish(glossary);
        }
    }

    /// Creates or replaces `concept` (empty `expected_etag`: no check), then publishes the new
    /// glossary. Returns the concept as stored.
    ///
    /// # Errors
    /// [`StoreError::Stale`] (ABORTED), [`StoreError::Invalid`], [`StoreError::Unavailable`]
    /// when the database cannot be reached; nothing was changed.
    pub async fn upsert(
        &self,
        concept: Concept,
        expected_etag: &str,
        publish: impl FnOnce(Glossary),
    ) -> Result<Concept, StoreError> {
        self.upsert_as(concept, expected_etag, None, publish).await
    }

    /// [`PgStore::upsert`] recorded in the audit under `editor` (a named admin token), or
    /// under the replica's own name when `None`.
    ///
    /// # Errors
    /// As [`PgStore::upsert`].
    pub async fn upsert_as(
        &self,
        concept: Concept,
        expected_etag: &str,
        editor: Option<&str>,
        publish: impl FnOnce(Glossary),
    ) -> Result<Concept, StoreError> {
        let actor = editor.unwrap_or(&self.actor);
        concept.validate()?;
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        lock_revision(&mut tx).await.map_err(unavailable)?;
        let before = read_concepts(&mut tx, Some(&concept.id))
            .await
            .map_err(unavailable)?
            .pop();
        check_etag(&concept.id, before.as_ref(), expected_etag)?;
        write_concept(&mut tx, &concept, actor)
            .await
            .map_err(unavailable)?;
        let (revision, glossary) = self
            .finish(tx, "upsert", &[(before, Some(&concept))], actor)
            .await?;
        self.offer(revision, glossary, publish);
        Ok(concept)
    }

    /// Deletes concept `id` (a set `expected_etag` must match), then publishes.
    ///
    /// # Errors
    /// As [`PgStore::upsert`], and [`StoreError::NotFound`].
    pub async fn delete(
        &self,
        id: &str,
        expected_etag: &str,
        publish: impl FnOnce(Glossary),
    ) -> Result<(), StoreError> {
        self.delete_as(id, expected_etag, None, publish).await
    }

    /// [`PgStore::delete`] recorded in the audit under `editor`, as [`PgStore::upsert_as`].
    ///
    /// # Errors
    /// As [`PgStore::delete`].
    pub async fn delete_as(
        &self,
        id: &str,
        expected_etag: &str,
        editor: Option<&str>,
        publish: impl FnOnce(Glossary),
    ) -> Result<(), StoreError> {
        let actor = editor.unwrap_or(&self.actor);
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        lock_revision(&mut tx).await.map_err(unavailable)?;
        let Some(before) = read_concepts(&mut tx, Some(id))
            .await
            .map_err(unavailable)?
            .pop()
        else {
            return Err(StoreError::NotFound(id.to_string()));
        };
        check_etag(id, Some(&before), expected_etag)?;
        sqlx::query("DELETE FROM concepts WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        let (revision, glossary) = self
            .finish(tx, "delete", &[(Some(before), None)], actor)
            .await?;
        self.offer(revision, glossary, publish);
        Ok(())
    }

    /// Writes `concepts` in one transaction: with `replace`, the stored glossary becomes
    /// exactly them (`broker glossary push`); without, they are created or overwritten and the
    /// others kept (`broker glossary import`). Returns the new revision and glossary.
    ///
    /// # Errors
    /// As [`PgStore::upsert`]; nothing is changed unless everything is.
    pub async fn write_all(
        &self,
        concepts: &[Concept],
        replace: bool,
    ) -> Result<(i64, Glossary), StoreError> {
        for c in concepts {
            c.validate().map_err(|e| crate::glossary::ConceptError {
                field: format!("concept '{}' {}", c.id, e.field),
                message: e.message,
            })?;
        }
        let mut tx = self.pool.begin().await.map_err(unavailable)?;
        lock_revision(&mut tx).await.map_err(unavailable)?;
        let old = read_concepts(&mut tx, None).await.map_err(unavailable)?;
        let mut old: HashMap<String, Concept> =
            old.into_iter().map(|c| (c.id.clone(), c)).collect();
        let mut changes: Vec<(Option<Concept>, Option<&Concept>)> = Vec::new();
        for c in concepts {
            let before = old.remove(&c.id);
            if before.as_ref() != Some(c) {
                write_concept(&mut tx, c, &self.actor)
                    .await
                    .map_err(unavailable)?;
                changes.push((before, Some(c)));
            }
        }
        if replace {
            for (id, before) in old {
                sqlx::query("DELETE FROM concepts WHERE id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                changes.push((Some(before), None));
            }
        }
        let action = if replace { "push" } else { "import" };
        self.finish(tx, action, &changes, &self.actor).await
    }

    /// Validates the glossary as the transaction sees it, bumps the revision, audits,
    /// notifies and commits.
    async fn finish(
        &self,
        mut tx: Transaction<'static, Postgres>,
        action: &str,
        changes: &[(Option<Concept>, Option<&Concept>)],
        actor: &str,
    ) -> Result<(i64, Glossary), StoreError> {
        let all = read_concepts(&mut tx, None).await.map_err(unavailable)?;
        // An edit that would leave the glossary invalid is rolled back (the transaction is
        // dropped without commit).
        let glossary = self.glossary(all)?;
        let revision: i64 = sqlx::query_scalar(
            "UPDATE broker_state SET revision = revision + 1 RETURNING revision",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?;
        for (before, after) in changes {
            let id = after.map_or_else(
                || before.as_ref().map(|c| c.id.clone()).unwrap_or_default(),
                |c| c.id.clone(),
            );
            let json = |c: Option<&Concept>| c.map(|c| crate::json::concept(c).to_string());
            sqlx::query(
                "INSERT INTO audit (revision, actor, action, concept_id, before, after)
                 VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)",
            )
            .bind(revision)
            .bind(actor)
            .bind(action)
            .bind(id)
            .bind(json(before.as_ref()))
            .bind(json(*after))
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        }
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(revision.to_string())
            .execute(&mut *tx)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok((revision, glossary))
    }

    /// Loads and publishes the stored glossary if it is newer than the one served.
    async fn refresh(&self, publish: &(impl Fn(Glossary) + Send + Sync)) -> Result<(), PgError> {
        let (revision, glossary) = self.load().await.inspect_err(|_| {
            crate::metrics::global().reload_error();
        })?;
        self.offer(revision, glossary, publish);
        Ok(())
    }

    /// Follows other replicas' changes until the returned task is aborted: every notification
    /// and every reconnection publishes the stored glossary if it is newer.
    pub fn watch(
        self: std::sync::Arc<Self>,
        publish: impl Fn(Glossary) + Send + Sync + 'static,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut lost = false;
            loop {
                let mut listener = match PgListener::connect_with(&self.pool).await {
                    Ok(l) => l,
                    Err(e) => {
                        self.connected.store(false, Ordering::Relaxed);
                        if !lost {
                            tracing::warn!(store = %self.shown, error = %e, "lost the glossary database: serving the last glossary, edits refused; retrying every second");
                            lost = true;
                        }
                        tokio::time::sleep(RETRY).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(store = %self.shown, error = %e, "LISTEN failed; retrying");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
                self.connected.store(true, Ordering::Relaxed);
                if lost {
                    tracing::info!(store = %self.shown, "the glossary database is back");
                }
                // Changes made while this replica was not listening.
                if let Err(e) = self.refresh(&publish).await {
                    tracing::warn!(error = %e, "could not load the glossary");
                }
                loop {
                    match listener.try_recv().await {
                        Ok(Some(_)) => {
                            if let Err(e) = self.refresh(&publish).await {
                                tracing::warn!(error = %e, "could not load the glossary");
                            }
                        }
                        // The connection was lost: connect afresh (and catch up) above.
                        Ok(None) => {
                            self.connected.store(false, Ordering::Relaxed);
                            tracing::warn!(store = %self.shown, "the LISTEN connection was lost; reconnecting");
                            lost = true;
                            break;
                        }
                        Err(e) => {
                            self.connected.store(false, Ordering::Relaxed);
                            tracing::warn!(store = %self.shown, error = %e, "lost the glossary database: serving the last glossary, edits refused; retrying every second");
                            lost = true;
                            tokio::time::sleep(RETRY).await;
                            break;
                        }
                    }
                }
            }
        })
    }
}

async fn revision(tx: &mut Transaction<'static, Postgres>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT revision FROM broker_state")
        .fetch_one(&mut **tx)
        .await
}

/// Takes the writers' lock: the one `broker_state` row, until the transaction ends.
async fn lock_revision(tx: &mut Transaction<'static, Postgres>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT revision FROM broker_state FOR UPDATE")
        .fetch_one(&mut **tx)
        .await
}

/// Replaces the rows of `c` (keeping its place in the glossary order).
async fn write_concept(
    tx: &mut Transaction<'static, Postgres>,
    c: &Concept,
    actor: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO concepts (id, note, draft, it_definition, marketing_definition, etag, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note, draft = EXCLUDED.draft,
             it_definition = EXCLUDED.it_definition,
             marketing_definition = EXCLUDED.marketing_definition, etag = EXCLUDED.etag,
             updated_at = now(), updated_by = EXCLUDED.updated_by",
    )
    .bind(&c.id)
    .bind(&c.note)
    .bind(c.draft)
    .bind(c.it.as_ref().map(|e| &e.definition))
    .bind(c.marketing.as_ref().map(|e| &e.definition))
    .bind(c.etag())
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    for table in ["terms", "concept_words"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE concept_id = $1"))
            .bind(&c.id)
            .execute(&mut **tx)
            .await?;
    }
    for side in Side::BOTH {
        for (i, t) in c.terms(side).iter().enumerate() {
            sqlx::query(
                "INSERT INTO terms (concept_id, side, position, text, case_sensitive, fuzzy, pos)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&c.id)
            .bind(side.as_str())
            .bind(i as i32)
            .bind(&t.text)
            .bind(t.case_sensitive)
            .bind(t.fuzzy)
            .bind(t.pos.map(|p| p.as_str()))
            .execute(&mut **tx)
            .await?;
        }
    }
    for (kind, words) in [("tag", &c.tags), ("cue", &c.cues), ("not_in", &c.not_in)] {
        for (i, w) in words.iter().enumerate() {
            sqlx::query(
                "INSERT INTO concept_words (concept_id, kind, position, text) VALUES ($1, $2, $3, $4)",
            )
            .bind(&c.id)
            .bind(kind)
            .bind(i as i32)
            .bind(w)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// The rows of `sql`, which has a `$1` for `id` when it is given.
async fn fetch(
    tx: &mut Transaction<'static, Postgres>,
    sql: &str,
    id: Option<&str>,
) -> Result<Vec<PgRow>, sqlx::Error> {
    let mut query = sqlx::query(sql);
    if let Some(id) = id {
        query = query.bind(id);
    }
    query.fetch_all(&mut **tx).await
}

/// The stored concepts in glossary order (only `id` when given).
async fn read_concepts(
    tx: &mut Transaction<'static, Postgres>,
    id: Option<&str>,
) -> Result<Vec<Concept>, sqlx::Error> {
    let filter = if id.is_some() { "WHERE id = $1" } else { "" };
    let rows: Vec<PgRow> = fetch(tx, &format!(
        "SELECT id, note, draft, it_definition, marketing_definition FROM concepts {filter} ORDER BY seq"
    ), id)
    .await?;
    let mut concepts = Vec::with_capacity(rows.len());
    let mut at = HashMap::with_capacity(rows.len());
    for row in rows {
        let side = |def: Option<String>| {
            def.map(|definition| SideEntry {
                terms: Vec::new(),
                definition,
            })
        };
        let c = Concept {
            id: row.try_get("id")?,
            note: row.try_get("note")?,
            draft: row.try_get("draft")?,
            it: side(row.try_get("it_definition")?),
            marketing: side(row.try_get("marketing_definition")?),
            ..Concept::default()
        };
        at.insert(c.id.clone(), concepts.len());
        concepts.push(c);
    }
    let filter = if id.is_some() {
        "WHERE concept_id = $1"
    } else {
        ""
    };
    let terms: Vec<PgRow> = fetch(
        tx,
        &format!(
            "SELECT concept_id, side, text, case_sensitive, fuzzy, pos FROM terms {filter}
         ORDER BY concept_id, side, position"
        ),
        id,
    )
    .await?;
    for row in terms {
        let concept: String = row.try_get("concept_id")?;
        let Some(&i) = at.get(&concept) else { continue };
        let side: String = row.try_get("side")?;
        let pos: Option<String> = row.try_get("pos")?;
        let term = Term {
            case_sensitive: row.try_get("case_sensitive")?,
            fuzzy: row.try_get("fuzzy")?,
            pos: pos.and_then(|p| p.parse().ok()),
            ..Term::new(row.try_get::<String, _>("text")?)
        };
        let side = if side == "it" {
            Side::It
        } else {
            Side::Marketing
        };
        if let Some(entry) = concepts[i].side_mut(side).as_mut() {
            entry.terms.push(term);
        }
    }
    let words: Vec<PgRow> = fetch(tx, &format!(
        "SELECT concept_id, kind, text FROM concept_words {filter} ORDER BY concept_id, kind, position"
    ), id)
    .await?;
    for row in words {
        let concept: String = row.try_get("concept_id")?;
        let Some(&i) = at.get(&concept) else { continue };
        let kind: String = row.try_get("kind")?;
        let text: String = row.try_get("text")?;
        let c = &mut concepts[i];
        match kind.as_str() {
            "tag" => c.tags.push(text),
            "cue" => c.cues.push(text),
            _ => c.not_in.push(text),
        }
    }
    Ok(concepts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://broker:s3cret@db:5432/broker"),
            "postgres://broker:***@db:5432/broker"
        );
        assert_eq!(
            redact("postgres://broker@127.0.0.1:5433/broker"),
            "postgres://broker@127.0.0.1:5433/broker"
        );
        assert!(is_url("postgresql://x/y") && !is_url("glossary/"));
    }
}
