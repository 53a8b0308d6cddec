//! The network service: gRPC and HTTP/JSON on one port (SPEC §5, §6).
//!
//! [`serve`] takes a bound listener, the shared [`AppState`], a [`ServiceConfig`] and a
//! shutdown future, and serves until the future completes. One port carries:
//! - `broker.v1.Broker` ([`grpc`]), `grpc.health.v1.Health` and server reflection v1 and
//!   v1alpha, over HTTP/2 (h2c);
//! - the HTTP/JSON routes of [`http`], over HTTP/1.1 or HTTP/2.
//!
//! Tonic's services are turned into an axum router, the HTTP routes are added to it, and
//! `axum::serve` (hyper-util's auto builder: HTTP/1.1 and h2c on one listener) runs it. Every
//! request is stamped with its arrival time (for deadlines) and passes a global concurrency
//! limit. The core (glossary, matcher, render, translate) knows nothing of this module.
//!
//! [`serve_tls`] does the same behind a rustls handshake ([`tls`]). [`server::Server`] is the
//! whole of `broker serve` around them: backend, runtime, listener, signals.
//!
//! Files: [`state`] (the swappable glossary), [`grpc`] (handlers), [`http`] (routes),
//! [`convert`] (proto ⇄ core), [`auth`] (tokens), [`deadline`], [`paging`] (page tokens),
//! [`error`] (the one error mapping), [`access_log`], [`web`] (the page at `/`), [`limits`]
//! (message sizes), [`tls`].

pub mod access_log;
pub mod auth;
pub mod codec;
mod connection;
pub mod convert;
pub mod deadline;
pub mod error;
pub mod grpc;
pub mod http;
mod intake;
pub mod limits;
pub mod paging;
pub(crate) mod responses;
pub mod server;
pub mod state;
pub mod tls;
pub mod web;

pub use server::Server;

use std::future::Future;
use std::io;
use std::sync::Arc;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tonic_health::ServingStatus;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::util::MapRequestLayer;

use self::auth::Access;
use self::deadline::Deadline;
pub use self::error::ServiceError;
use self::paging::{Page, PageRequest};
pub use self::state::{AppState, Snapshot};
use crate::config::ServiceConfig;
use crate::glossary::{Concept, Side};
use crate::matcher::{Hit, Suggestion};
use crate::translate::{
    translate_within, Bounds, TranslateError, TranslateRequest, TranslateResponse,
};

/// The generated gRPC code of `proto/broker/v1/broker.proto`, and its descriptor set.
pub mod pb {
    #![allow(missing_docs, clippy::all)]
    tonic::include_proto!("broker.v1");

    /// The encoded `FileDescriptorSet` of the proto (with its imports), for reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/broker_descriptor.bin"));
}

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
    /// Slack, GitHub and Jira, those that are on.
    pub(crate) integrations: Arc<crate::integrations::Hub>,
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

/// Serves gRPC and HTTP/JSON on `listener` until `shutdown` completes.
///
/// On shutdown the health status turns `NOT_SERVING`, the listener is closed, and requests
/// in flight may finish for up to `config.shutdown_grace`; then this returns `Ok(())`.
///
/// # Errors
/// When the listener's address cannot be read, the reflection service cannot be built
/// from the embedded descriptor sets, or an integration's settings are wrong.
pub async fn serve<F>(
    listener: TcpListener,
    state: Arc<AppState>,
    config: ServiceConfig,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_with(listener, state, config, None, shutdown).await
}

/// [`serve`] over TLS: every connection starts with a rustls handshake (ALPN `h2` and
/// `http/1.1`, see [`tls`]); gRPC and HTTP/JSON then run on it as on plaintext. A client that
/// does not speak TLS has its connection closed; the server goes on serving.
///
/// # Errors
/// As [`serve`].
pub async fn serve_tls<F>(
    listener: TcpListener,
    state: Arc<AppState>,
    config: ServiceConfig,
    tls: Arc<tokio_rustls::rustls::ServerConfig>,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_with(listener, state, config, Some(tls), shutdown).await
}

async fn serve_with<F>(
    listener: TcpListener,
    state: Arc<AppState>,
    config: ServiceConfig,
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let addr = listener.local_addr()?;
    let grace = config.shutdown_grace;
    let limits = connection::ConnectionLimits {
        header_timeout: config.header_timeout,
        idle_timeout: config.idle_timeout,
        max_per_peer: config.max_connections_per_peer.max(1),
    };
    let integrations =
        crate::integrations::Hub::new(&config.integrations).map_err(io::Error::other)?;
    let ctx = Context {
        app: state,
        config: Arc::new(config),
        integrations: Arc::new(integrations),
    };
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<pb::broker_server::BrokerServer<grpc::BrokerService>>()
        .await;
    let app = router(ctx.clone(), health_service)?;
    // With a PostgreSQL store: whether edits can be made, as its own health service.
    let writes = ctx.app.database().cloned().map(|db| {
        let health = health.clone();
        tokio::spawn(async move {
            let mut last = None;
            loop {
                let status = if db.is_connected() {
                    ServingStatus::Serving
                } else {
                    ServingStatus::NotServing
                };
                if last != Some(status) {
                    health
                        .set_service_status(crate::store::postgres::WRITES_HEALTH_SERVICE, status)
                        .await;
                    last = Some(status);
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    });

    let snapshot = ctx.app.current();
    let glossary = snapshot.matcher.glossary();
    // The page's address is the one a newcomer needs: say it in words, ready to click.
    let page = format!("{}://{addr}/", if tls.is_some() { "https" } else { "http" });
    tracing::info!(
        %addr,
        glossary = %glossary.source(),
        version = glossary.version(),
        concepts = glossary.concepts().len(),
        tls = tls.is_some(),
        "broker listening (gRPC and HTTP/JSON); the web page is at {page}"
    );
    drop(snapshot);

    let (fired_tx, fired_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        tracing::info!(grace = ?grace, "shutting down: closing the listener, finishing requests in flight");
        health
            .set_service_status("", ServingStatus::NotServing)
            .await;
        health
            .set_not_serving::<pb::broker_server::BrokerServer<grpc::BrokerService>>()
            .await;
        if let Some(writes) = writes {
            writes.abort();
            health
                .set_service_status(
                    crate::store::postgres::WRITES_HEALTH_SERVICE,
                    ServingStatus::NotServing,
                )
                .await;
        }
        let _ = fired_tx.send(());
    };
    match tls {
        None => {
            // TCP_NODELAY: without it a small gRPC answer waits for the client's delayed ACK
            // (Nagle), ~40 ms per request on one stream.
            let listener = listener.tap_io(|tcp| {
                if let Err(err) = tcp.set_nodelay(true) {
                    tracing::warn!(error = %err, "could not set TCP_NODELAY");
                }
            });
            connection::drive(listener, app, limits, signal, fired_rx, grace).await
        }
        Some(config) => {
            let listener = tls::TlsListener::new(listener, config)?;
            connection::drive(listener, app, limits, signal, fired_rx, grace).await
        }
    }
}

/// All services and routes of the port.
fn router(
    ctx: Context,
    health: tonic_health::pb::health_server::HealthServer<
        impl tonic_health::pb::health_server::Health,
    >,
) -> io::Result<axum::Router> {
    let broker = pb::broker_server::BrokerServer::new(grpc::BrokerService::new(ctx.clone()))
        .max_decoding_message_size(limits::grpc_message_limit(ctx.config.max_text_bytes));
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1().map_err(io::Error::other)?;
    let reflection_v1alpha = reflection().build_v1alpha().map_err(io::Error::other)?;
    let grpc = tonic::service::Routes::new(broker)
        .add_service(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .into_axum_router()
        // A message over the limit is refused as its header arrives, naming the limit.
        .layer(MapRequestLayer::new(limits::guard_grpc(
            ctx.config.max_text_bytes,
            ctx.config.body_timeout,
        )));
    let intake = intake::Intake::new(
        ctx.config.max_text_bytes,
        ctx.integrations.max_body,
        ctx.config.body_timeout,
    );
    Ok(grpc
        .merge(http::routes(ctx.clone()))
        .merge(crate::integrations::routes(ctx.clone()))
        .method_not_allowed_fallback(http::method_not_allowed)
        .fallback(http::fallback)
        .layer(GlobalConcurrencyLimitLayer::new(
            ctx.config.max_concurrent_requests.max(1),
        ))
        // Outside the slots: a slow body holds none.
        .layer(axum::middleware::from_fn_with_state(
            intake,
            intake::read_body,
        ))
        .layer(MapRequestLayer::new(deadline::stamp::<axum::body::Body>)))
}
