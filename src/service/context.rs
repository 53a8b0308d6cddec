//! [`Context`]: what every handler (gRPC, HTTP/JSON, webhooks) calls to do a request's work.
//!
//! Each method is one use case on the glossary snapshot being served — translate, look up,
//! suggest, list, get, upsert, delete, info — with the checks every transport shares: sizes
//! against `--max-text-bytes`, required fields, the deadline (work runs on the worker pool
//! through [`Deadline`]). Handlers decode their wire format, call one method, encode the
//! answer; the mapping of errors to codes is [`ServiceError::codes`].
//!
//! This file imports no handler and no integration: they all sit above it (the server's
//! wiring in `service/mod.rs` puts them together).

use std::sync::Arc;

use super::auth::{self, Access};
use super::deadline::Deadline;
use super::error::ServiceError;
use super::paging::{self, Page, PageRequest};
use super::state::{AppState, Snapshot};
use crate::config::ServiceConfig;
use crate::glossary::{Concept, Side};
use crate::matcher::{Hit, Suggestion};
use crate::translate::{
    translate_within, Bounds, TranslateError, TranslateRequest, TranslateResponse,
};

/// Look-ups return this many concepts when the request says 0.
pub const DEFAULT_LOOKUP_LIMIT: usize = 5;
/// Suggestions returned when the request says 0.
pub const DEFAULT_SUGGEST_LIMIT: usize = 10;
/// The most look-up hits or suggestions one request can get.
pub const MAX_RESULTS: usize = 100;

/// What every handler shares: the glossary being served and the settings.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub(crate) app: Arc<AppState>,
    pub(crate) config: Arc<ServiceConfig>,
}

impl Context {
    /// Checks the bearer token for `access`.
    pub(crate) fn authorize(
        &self,
        access: Access,
        authorization: Option<&[u8]>,
    ) -> Result<(), ServiceError> {
        auth::check(&self.config, access, authorization)
    }

    /// Checks an admin request and names who sent it (`None`: the unnamed `--admin-token`).
    pub(crate) fn admin(
        &self,
        authorization: Option<&[u8]>,
    ) -> Result<Option<String>, ServiceError> {
        auth::admin(&self.config, authorization)
    }

    /// Refuses a field over `--max-text-bytes`.
    pub(crate) fn check_size(&self, field: &str, len: usize) -> Result<(), ServiceError> {
        let limit = self.config.max_text_bytes;
        if len > limit {
            return Err(ServiceError::too_large(field, len, limit));
        }
        Ok(())
    }

    /// Translates one text on the current glossary, within `deadline`.
    pub(crate) async fn translate(
        &self,
        req: TranslateRequest,
        deadline: Deadline,
    ) -> Result<TranslateResponse, ServiceError> {
        self.check_size("text", req.text.len())?;
        // Validate before taking a worker.
        req.match_options()?;
        let snapshot = self.app.current();
        let bytes = req.text.len();
        let bounds = Bounds {
            deadline: Some(deadline.instant()),
            max_response_ratio: Some(crate::translate::MAX_RESPONSE_RATIO),
        };
        let resp = deadline
            .run_sized(bytes, move || {
                translate_within(&snapshot.matcher, &req, bounds)
            })
            .await?
            .map_err(|e| match e {
                TranslateError::DeadlinePassed => deadline.exceeded(),
                e => e.into(),
            })?;
        crate::metrics::global().translation(bytes, &resp);
        Ok(resp)
    }

    /// The concepts `term` may mean, best first, with the snapshot that holds them.
    pub(crate) async fn lookup(
        &self,
        term: String,
        audience: Option<Side>,
        limit: usize,
        deadline: Deadline,
    ) -> Result<(Arc<Snapshot>, Vec<Hit>), ServiceError> {
        if term.trim().is_empty() {
            return Err(ServiceError::invalid("term", "is required"));
        }
        self.check_size("term", term.len())?;
        let limit = clamp(limit, DEFAULT_LOOKUP_LIMIT);
        let snapshot = self.app.current();
        let worker = snapshot.clone();
        let hits = deadline
            .run(move || worker.matcher.lookup(&term, audience, limit))
            .await?;
        crate::metrics::global().lookup(!hits.is_empty());
        Ok((snapshot, hits))
    }

    /// Terms that start with `prefix`.
    pub(crate) async fn suggest(
        &self,
        prefix: String,
        side: Option<Side>,
        limit: usize,
        deadline: Deadline,
    ) -> Result<Vec<Suggestion>, ServiceError> {
        if prefix.trim().is_empty() {
            return Err(ServiceError::invalid("prefix", "is required"));
        }
        self.check_size("prefix", prefix.len())?;
        let limit = clamp(limit, DEFAULT_SUGGEST_LIMIT);
        let snapshot = self.app.current();
        deadline
            .run(move || snapshot.matcher.suggest(&prefix, side, limit))
            .await
    }

    /// A page of `snapshot`'s concepts.
    pub(crate) fn list_concepts<'s>(
        &self,
        snapshot: &'s Snapshot,
        req: &PageRequest<'_>,
    ) -> Result<Page<'s>, ServiceError> {
        self.check_size("query", req.query.len())?;
        paging::list(snapshot.matcher.glossary(), req)
    }

    /// Creates or replaces `concept` durably (after checking it against the glossary rules)
    /// and serves the new glossary; `expected_etag` empty means unconditionally.
    pub(crate) async fn upsert(
        &self,
        concept: Concept,
        expected_etag: String,
        editor: Option<String>,
    ) -> Result<Concept, ServiceError> {
        concept.validate()?;
        let app = self.app.clone();
        if let Some(name) = &editor {
            tracing::info!(editor = %name, concept = %concept.id, "edit: upsert");
        }
        let stored = tokio::task::spawn_blocking(move || {
            app.upsert(concept, &expected_etag, editor.as_deref())
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("edit worker failed: {e}")))?
        .map_err(ServiceError::from)?;
        for shared in self.shared_terms(&stored) {
            if shared.needs_attention() {
                tracing::warn!(concept = %shared.id, other = %shared.other_id, "{shared}");
            }
        }
        Ok(stored)
    }

    /// The terms of `concept` that other concepts of the served glossary also have (for the
    /// warnings an edit answers with, see [`crate::glossary::SharedTerm`]).
    pub(crate) fn shared_terms(&self, concept: &Concept) -> Vec<crate::glossary::SharedTerm> {
        crate::glossary::shared_terms(self.app.current().matcher.glossary(), concept)
    }

    /// Deletes concept `id` durably; `expected_etag` empty means unconditionally.
    pub(crate) async fn delete(
        &self,
        id: String,
        expected_etag: String,
        editor: Option<String>,
    ) -> Result<(), ServiceError> {
        if id.is_empty() {
            return Err(ServiceError::invalid("id", "is required"));
        }
        let app = self.app.clone();
        if let Some(name) = &editor {
            tracing::info!(editor = %name, concept = %id, "edit: delete");
        }
        tokio::task::spawn_blocking(move || app.delete(&id, &expected_etag, editor.as_deref()))
            .await
            .map_err(|e| ServiceError::Internal(format!("edit worker failed: {e}")))?
            .map_err(ServiceError::from)
    }

    /// The figures of the glossary being served.
    pub(crate) fn info(&self) -> Info {
        let snapshot = self.app.current();
        let glossary = snapshot.matcher.glossary();
        let stats = glossary.stats();
        Info {
            version: glossary.version().to_string(),
            concepts: stats.concepts,
            it_terms: stats.it_terms,
            marketing_terms: stats.marketing_terms,
            false_friends: stats.false_friends,
            loaded_at: snapshot.loaded_at,
            source: glossary.source().to_string(),
        }
    }

    /// The concept `id` of `snapshot`.
    pub(crate) fn concept<'s>(
        &self,
        snapshot: &'s Snapshot,
        id: &str,
    ) -> Result<&'s Concept, ServiceError> {
        if id.is_empty() {
            return Err(ServiceError::invalid("id", "is required"));
        }
        snapshot
            .matcher
            .glossary()
            .get(id)
            .ok_or_else(|| ServiceError::NotFound(format!("no concept with id '{id}'")))
    }
}

/// What `GetGlossaryInfo` and `GET /v1/info` report.
#[derive(Debug, Clone)]
pub(crate) struct Info {
    pub(crate) version: String,
    pub(crate) concepts: usize,
    pub(crate) it_terms: usize,
    pub(crate) marketing_terms: usize,
    pub(crate) false_friends: usize,
    pub(crate) loaded_at: std::time::SystemTime,
    pub(crate) source: String,
}

fn clamp(limit: usize, default: usize) -> usize {
    match limit {
        0 => default,
        n => n.min(MAX_RESULTS),
    }
}
