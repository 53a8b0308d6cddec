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
//! [`error`] (the one error mapping), [`access_log`], [`escaped`] (log-safe text), [`web`] (the page at `/`), [`limits`]
//! (message sizes), [`tls`].

pub mod access_log;
pub mod auth;
pub mod codec;
mod connection;
pub(crate) mod context;
pub mod convert;
pub mod deadline;
pub mod error;
pub mod escaped;
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

pub(crate) use self::context::Context;
pub use self::context::{DEFAULT_LOOKUP_LIMIT, DEFAULT_SUGGEST_LIMIT, MAX_RESULTS};
pub use self::error::ServiceError;
pub use self::state::{AppState, Snapshot};
use crate::config::ServiceConfig;
use crate::integrations::{self, Hub};

/// The generated gRPC code of `proto/broker/v1/broker.proto`, and its descriptor set.
pub mod pb {
    #![allow(missing_docs, clippy::all)]
    tonic::include_proto!("broker.v1");

    /// The encoded `FileDescriptorSet` of the proto (with its imports), for reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/broker_descriptor.bin"));
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
    let hub = Arc::new(Hub::new(&config.integrations).map_err(io::Error::other)?);
    let ctx = Context {
        app: state,
        config: Arc::new(config),
    };
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<pb::broker_server::BrokerServer<grpc::BrokerService>>()
        .await;
    let app = router(ctx.clone(), hub, health_service)?;
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
    hub: Arc<Hub>,
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
        hub.max_body,
        ctx.config.body_timeout,
    );
    Ok(grpc
        .merge(http::routes(ctx.clone()))
        .merge(integrations::routes(ctx.clone(), hub))
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
