//! Helpers for the service tests: start the real server on an ephemeral port, and talk to it
//! with the generated tonic client, a deadline-free gRPC client, and a tiny HTTP/1.1 client.
#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use broker::config::{Secret, ServiceConfig};
use broker::glossary::Glossary;
use broker::service::pb::broker_client::BrokerClient;
use broker::service::{self, AppState};
use broker::store::Store;
use broker::Matcher;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Channel;

/// How long a test waits for something that should happen at once, before failing.
/// Generous: only a hung server ever reaches it.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The directory of the test glossary.
pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/service")
}

/// The test glossary (10 concepts, see `tests/fixtures/service`).
pub fn fixture_glossary() -> Glossary {
    Glossary::load_dir(&fixture_dir()).expect("the fixture glossary loads")
}

/// A secret for configs.
pub fn secret(token: &str) -> Option<Secret> {
    Some(Secret::new(token).unwrap())
}

/// A running server.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<io::Result<()>>>,
}

/// The server on the fixture glossary with the default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(fixture_glossary(), ServiceConfig::default()).await
}

/// The server on `glossary` with `config`, on `127.0.0.1:0`, stopped by a oneshot.
pub async fn spawn_app_with(glossary: Glossary, config: ServiceConfig) -> TestApp {
    let state = AppState::new(Matcher::new(Arc::new(glossary)));
    spawn_state(state, config).await
}

/// Copies the fixture glossary's files into `dir` (for tests that edit it).
pub fn copy_fixture(dir: &Path) {
    for e in std::fs::read_dir(fixture_dir()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
}

/// The server on the glossary directory `dir`, which it may edit durably.
pub async fn spawn_app_with_store(dir: &Path, config: ServiceConfig) -> TestApp {
    let glossary = Glossary::load_dir(dir).expect("the glossary loads");
    let state = AppState::with_store(Matcher::new(Arc::new(glossary)), Store::new(dir));
    spawn_state(state, config).await
}

async fn spawn_state(state: AppState, config: ServiceConfig) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(state);
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(service::serve(listener, state.clone(), config, async {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        state,
        shutdown: Some(tx),
        server: Some(server),
    }
}

impl TestApp {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The generated tonic client over a fresh HTTP/2 connection.
    pub async fn client(&self) -> BrokerClient<Channel> {
        BrokerClient::new(self.channel().await)
    }

    /// A fresh tonic channel (for the health and reflection clients too).
    pub async fn channel(&self) -> Channel {
        Channel::from_shared(self.url())
            .unwrap()
            .connect()
            .await
            .expect("connect to the test server")
    }

    /// A gRPC client without tonic's client-side deadline timer, so that a test can send a
    /// `grpc-timeout` and be sure the answer comes from the server.
    pub fn raw_client(&self) -> BrokerClient<Client<HttpConnector, tonic::body::Body>> {
        let client = Client::builder(TokioExecutor::new())
            .http2_only(true)
            .build_http();
        BrokerClient::with_origin(client, self.url().parse().unwrap())
    }

    /// Asks the server to stop.
    pub fn signal_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// True once the serve future has returned.
    pub fn is_stopped(&self) -> bool {
        self.server.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Waits for the serve future to return and gives its result.
    pub async fn stopped(&mut self) -> io::Result<()> {
        let handle = self.server.take().expect("not awaited yet");
        tokio::time::timeout(PATIENCE, handle)
            .await
            .expect("the server stops")
            .expect("the server task does not panic")
    }

    /// Signals shutdown and waits for the server to stop.
    pub async fn shutdown(mut self) -> io::Result<()> {
        self.signal_shutdown();
        self.stopped().await
    }

    /// One HTTP/1.1 request on a new connection (like curl).
    pub async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> HttpResponse {
        http1(self.addr, method, path, headers, body).await
    }

    /// `GET path` over HTTP/1.1.
    pub async fn get(&self, path: &str) -> HttpResponse {
        self.http("GET", path, &[], b"").await
    }

    /// `POST path` with a JSON body over HTTP/1.1.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> HttpResponse {
        let body = serde_json::to_vec(body).unwrap();
        self.http("POST", path, &[("content-type", "application/json")], &body)
            .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.signal_shutdown();
    }
}

/// An HTTP response, read whole.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl HttpResponse {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `error.code` of a JSON error body.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error body: {}", self.json()))
            .to_string()
    }

    /// The `error.message` of a JSON error body.
    pub fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error body: {}", self.json()))
            .to_string()
    }
}

/// A minimal HTTP/1.1 client: one request, `Connection: close`, read to the end.
pub async fn http1(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut raw))
        .await
        .expect("the server answers")
        .expect("read the response");
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> HttpResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = std::str::from_utf8(&raw[..split]).expect("an ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
    let status = status_line[9..12].parse().unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("a header line");
            (n.trim().to_string(), v.trim().to_string())
        })
        .collect::<Vec<_>>();
    let rest = &raw[split + 4..];
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    HttpResponse {
        status,
        headers,
        body: Bytes::from(body),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size_text = std::str::from_utf8(&data[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .expect("a hex chunk size");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}
