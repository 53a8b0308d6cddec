//! TLS for the port (`--tls-cert`, `--tls-key`, SPEC §12): gRPC and HTTP/JSON over one TLS
//! listener, with rustls.
//!
//! The service already serves gRPC (HTTP/2) and HTTP/1.1 on one listener: hyper-util's auto
//! builder, behind `axum::serve`, tells them apart by the HTTP/2 preface of each connection.
//! [`TlsListener`] puts a rustls handshake in front of it and offers ALPN `h2` and `http/1.1`,
//! so a gRPC client negotiates HTTP/2 and curl either; after the handshake the same
//! preface detection runs on the decrypted stream.
//!
//! Handshakes run on their own tasks with a deadline, so a slow or plaintext client never
//! holds up the accept loop; a failed handshake (a plaintext request to the TLS port, a client
//! that does not trust the certificate) closes that connection, is logged at debug level, and
//! nothing else is affected.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// How long a client may take to complete its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections whose handshake is done but that the server has not taken yet.
const ACCEPT_QUEUE: usize = 64;

/// A certificate or key that cannot be used, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The file cannot be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file holds no usable PEM item of the expected kind.
    #[error("{path}: {what}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        what: String,
    },
    /// rustls refuses the pair (e.g. the key does not belong to the certificate).
    #[error("{cert} and {key}: {source}")]
    Pair {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        source: rustls::Error,
    },
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn pem_error(path: &Path, what: impl Into<String>) -> TlsError {
    TlsError::Pem {
        path: path.to_path_buf(),
        what: what.into(),
    }
}

/// The server's TLS settings from a PEM certificate chain (leaf first) and a PEM private key
/// (PKCS#8, PKCS#1 or SEC1), with ALPN `h2` and `http/1.1`.
///
/// # Errors
/// A [`TlsError`] naming the file that cannot be read or used.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_pem = read(cert)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(cert, format!("not a PEM certificate file: {e}")))?;
    if chain.is_empty() {
        return Err(pem_error(
            cert,
            "no certificate in it (expected -----BEGIN CERTIFICATE-----)",
        ));
    }
    let key_pem = read(key)?;
    let private = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => pem_error(
            key,
            "no private key in it (expected -----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)",
        ),
        e => pem_error(key, format!("not a PEM private key file: {e}")),
    })?;
    // ring builds with a C compiler alone (aws-lc-rs also wants cmake); rustls 0.23.48
    // deprecates its provider for lacking post-quantum key exchange, which only the
    // aws-lc-rs provider has. Switching is this line and the crate feature.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|source| TlsError::Pair {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            source,
        })?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|source| TlsError::Pair {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            source,
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A listener that hands out connections whose TLS handshake is complete.
///
/// A task accepts TCP connections and runs each handshake on its own task (bounded by
/// [`HANDSHAKE_TIMEOUT`]); dropping the listener stops it and closes the socket.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor: JoinHandle<()>,
}

impl TlsListener {
    /// Serves TLS with `config` on `listener`.
    ///
    /// # Errors
    /// When the listener's address cannot be read.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(ACCEPT_QUEUE);
        let acceptor = tokio::spawn(accept_loop(listener, TlsAcceptor::from(config), tx));
        Ok(TlsListener {
            ready,
            local,
            acceptor,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    tx: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let accepted = tokio::select! {
            () = tx.closed() => return,
            accepted = listener.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(conn) => conn,
            Err(err) => {
                // Like axum's own loop: out of file descriptors and the like pass.
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Without TCP_NODELAY a small answer waits for the client's delayed ACK.
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "could not set TCP_NODELAY");
        }
        let acceptor = acceptor.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => {
                    let _ = tx.send((tls, peer)).await;
                }
                Ok(Err(err)) => tracing::debug!(%peer, error = %err, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accept loop only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
