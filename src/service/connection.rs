//! The port's accept loop: connections, and the limits that keep slow or idle clients from
//! holding the server (SPEC §12 "Limits").
//!
//! `axum::serve` has no header, idle or per-peer limits, so [`drive`] runs hyper-util's auto
//! builder (HTTP/1.1 and h2c on one listener, as `axum::serve` does) itself:
//! - **headers**: an HTTP/1.1 request's head must arrive within `header_timeout` (hyper's
//!   `header_read_timeout`);
//! - **idle**: a connection with no request in flight and no byte either way for
//!   `idle_timeout` is closed (gracefully first; dropped if it is still there a tick later).
//!   Bytes are counted by [`Watched`], requests in flight by [`Activity`], which holds one
//!   count per request until its response body is dropped;
//! - **peers**: one address holds at most `max_connections_per_peer` connections; more are
//!   closed as they are accepted.
//!
//! Bodies are read (within `body_timeout`) before a request takes a concurrency slot: see
//! [`super::intake`].

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{mpsc, watch};
use tower::ServiceExt;

/// The connection limits of [`drive`], from the service's settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    pub(crate) header_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_per_peer: usize,
}

/// Serves `app` on `listener` until `signal`; then closes the listener, lets requests in
/// flight finish for up to `grace` after `fired_rx` fired, and returns.
pub(crate) async fn drive<L>(
    mut listener: L,
    app: axum::Router,
    limits: ConnectionLimits,
    signal: impl Future<Output = ()> + Send + 'static,
    fired_rx: tokio::sync::oneshot::Receiver<()>,
    grace: Duration,
) -> io::Result<()>
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    let server = async move {
        let (stop_tx, stop_rx) = watch::channel(());
        let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
        let peers = Peers::default();
        let mut signal = pin!(signal);
        loop {
            let (io, addr) = tokio::select! {
                conn = listener.accept() => conn,
                () = &mut signal => break,
            };
            let Some(slot) = peers.take(addr.ip(), limits.max_per_peer) else {
                tracing::debug!(peer = %addr.ip(), limit = limits.max_per_peer, "too many connections from one peer: closed");
                drop(io);
                continue;
            };
            tokio::spawn(serve_connection(
                io,
                app.clone(),
                limits,
                stop_rx.clone(),
                done_tx.clone(),
                slot,
            ));
        }
        drop(listener);
        let _ = stop_tx.send(());
        drop(done_tx);
        // Every connection task holds a sender: this returns when the last one ends.
        let _ = done_rx.recv().await;
    };
    let grace_over = async move {
        match fired_rx.await {
            Ok(()) => tokio::time::sleep(grace).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        () = server => tracing::info!("stopped: every request finished"),
        () = grace_over => {
            tracing::warn!(grace = ?grace, "stopped: requests still in flight after the grace period were cut");
        }
    }
    Ok(())
}

/// One connection, until it ends, is idle too long, or the server stops.
async fn serve_connection<I>(
    io: I,
    app: axum::Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<()>,
    _done: mpsc::Sender<()>,
    _slot: PeerSlot,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: io,
        activity: activity.clone(),
    });
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let busy = Busy::new(requests.clone());
        let app = app.clone();
        async move {
            let response = app.oneshot(req.map(Body::new)).await?;
            Ok::<_, std::convert::Infallible>(response.map(|body| {
                Body::new(Tracked {
                    inner: body,
                    _busy: busy,
                })
            }))
        }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new());
    let mut conn = pin!(builder.serve_connection_with_upgrades(io, service));
    let tick = (limits.idle_timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(5));
    let mut stopping = false;
    let mut idle_closing = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!(error = %err, "connection ended with an error");
                }
                return;
            }
            changed = stop.changed(), if !stopping => {
                let _ = changed;
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep(tick) => {
                if activity.idle_for() < limits.idle_timeout {
                    idle_closing = false;
                } else if idle_closing {
                    // Still idle a tick after the graceful close: drop the socket.
                    tracing::debug!("idle connection dropped");
                    return;
                } else {
                    tracing::debug!(idle = ?limits.idle_timeout, "idle connection closed");
                    idle_closing = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// Connections open per peer address.
#[derive(Debug, Default, Clone)]
struct Peers(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl Peers {
    /// A slot for one more connection from `ip`, unless it already holds `max`.
    fn take(&self, ip: IpAddr, max: usize) -> Option<PeerSlot> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(PeerSlot {
            peers: self.clone(),
            ip,
        })
    }
}

/// One connection's place in [`Peers`], given back when dropped.
#[derive(Debug)]
struct PeerSlot {
    peers: Peers,
    ip: IpAddr,
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut map = self.peers.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// When a connection last moved a byte, and how many of its requests are in flight.
#[derive(Debug)]
struct Activity {
    start: Instant,
    /// Milliseconds after `start`.
    last: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }

    /// How long the connection has been idle (zero while a request is in flight).
    fn idle_for(&self) -> Duration {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

/// One request in flight, from its head until its response body is dropped.
struct Busy(Arc<Activity>);

impl Busy {
    fn new(activity: Arc<Activity>) -> Busy {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A response body that keeps its request counted in flight.
struct Tracked {
    inner: Body,
    _busy: Busy,
}

impl HttpBody for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A connection's socket, noting every byte read or written in its [`Activity`].
struct Watched<I> {
    inner: I,
    activity: Arc<Activity>,
}

impl<I: AsyncRead + Unpin> AsyncRead for Watched<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        poll
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Watched<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        poll
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        poll
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_are_counted_and_given_back() {
        let peers = Peers::default();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let a = peers.take(ip, 2).unwrap();
        let _b = peers.take(ip, 2).unwrap();
        assert!(peers.take(ip, 2).is_none(), "a third connection is refused");
        assert!(peers.take("10.0.0.1".parse().unwrap(), 2).is_some());
        drop(a);
        assert!(
            peers.take(ip, 2).is_some(),
            "a closed connection frees its place"
        );
    }

    #[test]
    fn a_request_in_flight_is_never_idle() {
        let activity = Arc::new(Activity::new());
        std::thread::sleep(Duration::from_millis(20));
        assert!(activity.idle_for() >= Duration::from_millis(20));
        let busy = Busy::new(activity.clone());
        assert_eq!(activity.idle_for(), Duration::ZERO);
        drop(busy);
        assert!(activity.idle_for() < Duration::from_millis(20));
    }
}
