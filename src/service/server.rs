//! [`Server`]: everything `broker serve` wires together around [`super::serve`] — the
//! glossary's backend (embedded, a directory with hot reload, or PostgreSQL with LISTEN/NOTIFY),
//! the runtime, the listener, TLS and the shutdown signals.
//!
//! The binary parses flags into a [`ServiceConfig`] and a [`Server`] and calls
//! [`Server::run`]; nothing of this lives in `main`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::AppState;
use crate::config::ServiceConfig;
use crate::matcher::Matcher;
use crate::store::{Backend, OpenError};

pub use crate::store::Source;

/// Why [`Server::run`] stopped with an error. The messages are the ones `broker serve` prints.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("cannot watch {}", dir.display())]
    Watch {
        dir: PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error("cannot listen on {addr}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the server failed")]
    Serve(#[source] std::io::Error),
}

/// A `broker serve` to run: `Server::new(addr, config).source(…).tls(…).run()`.
pub struct Server {
    addr: String,
    config: ServiceConfig,
    source: Source,
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
}

impl Server {
    /// A server for `addr` (gRPC and HTTP/JSON share it) with `config`, serving the embedded
    /// glossary over plaintext until told otherwise.
    pub fn new(addr: impl Into<String>, config: ServiceConfig) -> Server {
        Server {
            addr: addr.into(),
            config,
            source: Source::Embedded,
            tls: None,
        }
    }

    /// Where the glossary comes from.
    pub fn source(mut self, source: Source) -> Server {
        self.source = source;
        self
    }

    /// Serve over TLS with this configuration (see [`super::tls::server_config`]).
    pub fn tls(mut self, tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>) -> Server {
        self.tls = tls;
        self
    }

    /// Starts a runtime, loads the glossary, binds the address and serves until Ctrl-C or
    /// SIGTERM (then requests in flight get the configured grace period).
    ///
    /// # Errors
    /// When the runtime, the store, the glossary, the watcher, the listener or the server
    /// fails; see [`ServeError`].
    pub fn run(self) -> Result<(), ServeError> {
        let runtime = tokio::runtime::Runtime::new().map_err(ServeError::Runtime)?;
        let actor = format!(
            "broker serve@{}:{}",
            crate::store::postgres::host_name(),
            std::process::id()
        );
        let (backend, glossary) = runtime.block_on(Backend::open(&self.source, &actor))?;
        let state = Arc::new(AppState::with_backend(
            Matcher::new(Arc::new(glossary)),
            backend.clone(),
        ));
        runtime.block_on(async {
            // Changes made by others: the directory's files (and SIGHUP), or other replicas'
            // edits through LISTEN/NOTIFY; with the embedded glossary SIGHUP is only logged.
            let (current, apply) = (state.clone(), state.clone());
            let _follower = backend
                .follow(
                    move || current.current().matcher.glossary().version().to_string(),
                    move |g| apply.publish(g),
                )
                .map_err(|source| ServeError::Watch {
                    dir: backend
                        .dir()
                        .map(|s| s.dir().to_path_buf())
                        .unwrap_or_default(),
                    source,
                })?;
            let listener = tokio::net::TcpListener::bind(&self.addr)
                .await
                .map_err(|source| ServeError::Listen {
                    addr: self.addr.clone(),
                    source,
                })?;
            match self.tls {
                Some(tls) => {
                    super::serve_tls(listener, state, self.config, tls, shutdown_signal()).await
                }
                None => super::serve(listener, state, self.config, shutdown_signal()).await,
            }
            .map_err(ServeError::Serve)
        })?;
        // Matching work cut off by the grace period must not hold the exit.
        runtime.shutdown_timeout(Duration::from_secs(1));
        Ok(())
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
