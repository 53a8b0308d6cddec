//! Hostile and unlucky clients (issue 30, SPEC §12 "Limits"), against the real server and CLI:
//! slow bodies and headers, idle connections, too many connections from one peer, long
//! lines, large dense texts, forged log lines, replayed webhooks, malformed protobuf, and the
//! CLI's manners (broken pipes, endless input). Every load here is bounded in count and time.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use broker::config::ServiceConfig;
use common::{fixture_glossary, spawn_app_with, PATIENCE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A translate request whose head promises `len` bytes of body, of which one is sent.
async fn slow_body(addr: SocketAddr, len: usize) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /v1/translate HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n{{"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

/// Whether the server closes `s` within `within` (reading and dropping whatever it sends).
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let end = Instant::now() + within;
    loop {
        match tokio::time::timeout_at(end.into(), s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// `GET /healthz` on a new connection: its status and how long it took.
async fn healthz(addr: SocketAddr) -> (u16, Duration) {
    let start = Instant::now();
    let r = tokio::time::timeout(
        PATIENCE,
        common::http1(addr, "GET", "/healthz", &[], b""),
    )
    .await
    .expect("healthz answers at all");
    (r.status, start.elapsed())
}

/// Half of a gRPC `Translate` message on each of `streams` HTTP/2 streams of one connection.
async fn half_sent_grpc(
    addr: SocketAddr,
    streams: usize,
) -> Vec<tokio::sync::mpsc::Sender<Result<axum::body::Bytes, std::io::Error>>> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (mut send, conn) = hyper::client::conn::http2::Builder::new(
        hyper_util::rt::TokioExecutor::new(),
    )
    .handshake(hyper_util::rt::TokioIo::new(tcp))
    .await
    .expect("h2 handshake");
    tokio::spawn(conn);
    let mut senders = Vec::new();
    for _ in 0..streams {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        // A frame header announcing 1000 bytes, and 10 of them.
        let mut start = vec![0u8, 0, 0, 0x03, 0xe8];
        start.extend_from_slice(&[0x0a, 0x08, b'a', b'b', b'c', b'd', b'e', b'f', b'g', b'h']);
        tx.send(Ok(axum::body::Bytes::from(start))).await.unwrap();
        let body = axum::body::Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
        let req = axum::http::Request::post(format!("http://{addr}/broker.v1.Broker/Translate"))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .body(body)
            .unwrap();
        send.ready().await.unwrap();
        let fut = send.send_request(req);
        tokio::spawn(async move {
            let _ = fut.await;
        });
        senders.push(tx);
    }
    senders
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_hold_no_slot() {
    let app = spawn_app_with(fixture_glossary(), ServiceConfig::default()).await;
    let (status, took) = healthz(app.addr).await;
    assert_eq!(status, 200);
    eprintln!("healthz before: {took:?}");
    // 300 HTTP/1.1 clients that send a head and one byte of a 100 KB body, then nothing.
    let mut slow = Vec::new();
    for _ in 0..300 {
        slow.push(slow_body(app.addr, 100_000).await);
    }
    // And 240 half-sent gRPC messages over 3 HTTP/2 connections.
    let mut grpc = Vec::new();
    for _ in 0..3 {
        grpc.push(half_sent_grpc(app.addr, 80).await);
    }
    // Let the server take them all in.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for _ in 0..3 {
        let (status, took) = healthz(app.addr).await;
        assert_eq!(status, 200);
        assert!(
            took < Duration::from_secs(1),
            "/healthz took {took:?} with 300 slow bodies and 240 half gRPC messages"
        );
    }
    // gRPC health too, and a real translation.
    let start = Instant::now();
    let mut health = tonic_health::pb::health_client::HealthClient::new(app.channel().await);
    let h = health
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .expect("gRPC health answers");
    assert_eq!(h.into_inner().status, 1, "SERVING");
    let r = app
        .post_json("/v1/translate", &serde_json::json!({"text": "our SLA", "audience": "marketing"}))
        .await;
    assert_eq!(r.status, 200);
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    drop(slow);
    drop(grpc);
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_408() {
    let config = ServiceConfig {
        body_timeout: Duration::from_millis(500),
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(fixture_glossary(), config).await;
    let mut s = slow_body(app.addr, 1000).await;
    let mut raw = Vec::new();
    let start = Instant::now();
    tokio::time::timeout(PATIENCE, s.read_to_end(&mut raw))
        .await
        .expect("the server answers")
        .unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("--body-timeout"), "{text}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn idle_connections_and_slow_headers_are_closed() {
    assert!(
        ServiceConfig::default().idle_timeout <= Duration::from_secs(60),
        "SPEC §12: a connection idle for a minute is closed"
    );
    let config = ServiceConfig {
        idle_timeout: Duration::from_millis(800),
        header_timeout: Duration::from_millis(800),
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(fixture_glossary(), config).await;
    // A connection that never says anything.
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    // One that finished a request and keeps the connection.
    let mut kept = TcpStream::connect(app.addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    // One that sends its head a byte at a time, never finishing, but never idle either.
    let mut dribble = TcpStream::connect(app.addr).await.unwrap();
    let dribbler = tokio::spawn(async move {
        dribble.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
        for _ in 0..40 {
            if dribble.write_all(b"x").await.is_err() {
                return (dribble, true);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (dribble, false)
    });
    assert!(closed_within(&mut silent, Duration::from_secs(5)).await, "a silent connection is closed");
    assert!(closed_within(&mut kept, Duration::from_secs(5)).await, "an idle kept-alive connection is closed");
    let (mut dribble, refused) = dribbler.await.unwrap();
    assert!(
        refused || closed_within(&mut dribble, Duration::from_millis(100)).await,
        "a head that never ends is cut off"
    );
    // The server still answers.
    assert_eq!(healthz(app.addr).await.0, 200);
}

#[tokio::test]
async fn connections_per_peer_are_bounded() {
    let config = ServiceConfig {
        max_connections_per_peer: 4,
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(fixture_glossary(), config).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        // A request answered proves the server has taken the connection in.
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).await.unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        held.push(s);
    }
    let mut fifth = TcpStream::connect(app.addr).await.unwrap();
    assert!(
        closed_within(&mut fifth, Duration::from_secs(5)).await,
        "a fifth connection from one peer is closed"
    );
    drop(held);
    // Their places are given back.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(healthz(app.addr).await.0, 200);
}
