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
use crate::glossary::{Glossary, GlossaryError};
use crate::matcher::Matcher;
use crate::postgres::{PgError, PgStore};
use crate::reload;
use crate::store::Store;

/// Why [`Server::run`] stopped with an error. The messages are the ones `broker serve` prints.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Store(#[from] PgError),
    #[error("the store's glossary")]
    StoreGlossary,
    #[error(transparent)]
    Glossary(#[from] GlossaryError),
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

/// Where the served glossary comes from.
#[derive(Debug, Clone, Default)]
pub enum Source {
    /// The glossary embedded in the binary (SIGHUP is only logged).
    #[default]
    Embedded,
    /// A directory of `*.toml` files, reloaded when they change and on SIGHUP; edits are
    /// written back to it.
    Dir(PathBuf),
    /// A PostgreSQL store (`postgres://…`) shared by replicas, followed through LISTEN/NOTIFY.
    Postgres(String),
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
        let database = match &self.source {
            Source::Postgres(url) => Some(Arc::new(runtime.block_on(PgStore::connect(
                url,
                format!(
                    "broker serve@{}:{}",
                    crate::postgres::host_name(),
                    std::process::id()
                ),
            ))?)),
            _ => None,
        };
        let state = Arc::new(match (&database, &self.source) {
            (Some(db), _) => {
                let mut loaded = None;
                let (revision, glossary) = runtime.block_on(db.load())?;
                db.offer(revision, glossary, |g| loaded = Some(g));
                let glossary = loaded.ok_or(ServeError::StoreGlossary)?;
                if glossary.concepts().is_empty() {
                    tracing::warn!(
                        store = %db.shown(),
                        "the store holds no concepts yet: seed it with `broker glossary push DIR --store URL`"
                    );
                }
                AppState::with_database(Matcher::new(Arc::new(glossary)), db.clone())
            }
            (None, Source::Dir(dir)) => AppState::with_store(
                Matcher::new(Arc::new(Glossary::load_or_embedded(Some(dir))?)),
                Store::new(dir),
            ),
            (None, _) => AppState::new(Matcher::new(Arc::new(Glossary::load_or_embedded(None)?))),
        });
        runtime.block_on(async {
            // Other replicas' edits, through LISTEN/NOTIFY (SIGHUP is only logged).
            let _watch = database.as_ref().map(|db| {
                ignore_sighup();
                let apply = state.clone();
                WatchGuard(db.clone().watch(move |g| apply.publish(g)))
            });
            // Hot reload of the glossary directory (and SIGHUP); with the embedded glossary
            // there is nothing to reload, and SIGHUP is only logged.
            let _reload = match &self.source {
                Source::Dir(dir) => {
                    let (current, apply) = (state.clone(), state.clone());
                    Some(
                        reload::spawn(
                            dir.clone(),
                            move || current.current().matcher.glossary().version().to_string(),
                            move |g| apply.publish(g),
                        )
                        .map_err(|source| ServeError::Watch {
                            dir: dir.clone(),
                            source,
                        })?,
                    )
                }
                Source::Embedded => {
                    ignore_sighup();
                    None
                }
                Source::Postgres(_) => None,
            };
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

/// Stops the database watcher when `serve` returns.
struct WatchGuard(tokio::task::JoinHandle<()>);

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// With the embedded glossary SIGHUP has nothing to reload; without a handler it would
/// terminate the server.
fn ignore_sighup() {
    #[cfg(unix)]
    tokio::spawn(async {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut s) = signal(SignalKind::hangup()) {
            while s.recv().await.is_some() {
                tracing::info!("SIGHUP: the embedded glossary has nothing to reload");
            }
        }
    });
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
