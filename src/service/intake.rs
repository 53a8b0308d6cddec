//! Request bodies are read before a request takes a concurrency slot (SPEC §12 "Limits").
//!
//! A client that sends headers and then a body slowly, or never, must not hold one of the
//! `--max-concurrent-requests` slots: 256 such clients would otherwise stop every other
//! request, health checks included. [`read_body`] is a layer outside the concurrency limit: it
//! reads the whole body within `--body-timeout` into memory (at most [`Intake::cap`] bytes, one
//! more than any route accepts, so that a larger body still gets the route's own limit
//! error, naming it) and hands the route a complete body. A body not complete in time gets
//! `408` (gRPC: `DEADLINE_EXCEEDED`), naming the flag.
//!
//! Streaming gRPC methods (`TranslateStream`, reflection) cannot be read whole; their bodies
//! pass through, and [`super::limits::GrpcFrameGuard`] gives each message they have started
//! `--body-timeout` to arrive.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio_stream::StreamExt;

use super::error::ServiceError;
use super::limits;

/// The gRPC methods whose requests are streams.
const STREAMING: &[&str] = &[
    "/broker.v1.Broker/TranslateStream",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// What [`read_body`] needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Intake {
    /// The most bytes kept of a body: one more than the largest any route accepts.
    pub(crate) cap: usize,
    pub(crate) timeout: Duration,
}

impl Intake {
    /// The intake of a server with these limits (`webhook_max`: the integrations' body limit).
    pub(crate) fn new(max_text_bytes: usize, webhook_max: usize, timeout: Duration) -> Intake {
        let largest = limits::http_body_limit(max_text_bytes)
            .max(limits::grpc_message_limit(max_text_bytes).saturating_add(5))
            .max(webhook_max);
        Intake {
            cap: largest.saturating_add(1),
            timeout,
        }
    }
}

fn is_grpc(req: &Request) -> bool {
    req.headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"))
}

/// The middleware: reads the body, then runs the rest of the stack on it.
pub(crate) async fn read_body(State(intake): State<Intake>, req: Request, next: Next) -> Response {
    let grpc = is_grpc(&req);
    if grpc && STREAMING.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(intake.timeout, read_capped(body, intake.cap)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(err)) => {
            tracing::debug!(error = %err, "request body could not be read");
            refuse(
                grpc,
                ServiceError::invalid("body", "the connection failed while it was sent"),
            )
        }
        Err(_) => {
            tracing::debug!(timeout = ?intake.timeout, path = ?parts.uri.path(), "request body not received in time");
            refuse(grpc, ServiceError::BodyTimeout(intake.timeout))
        }
    }
}

fn refuse(grpc: bool, err: ServiceError) -> Response {
    if grpc {
        tonic::Status::from(err).into_http::<Body>().into_response()
    } else {
        let mut response = err.into_response();
        // The rest of the body is still on the way: do not read it, close.
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        response
    }
}

/// The body's bytes, stopping after `cap` (the route then refuses it as too large).
async fn read_capped(body: Body, cap: usize) -> Result<Bytes, axum::Error> {
    let mut stream = body.into_data_stream();
    let Some(first) = stream.next().await.transpose()? else {
        return Ok(Bytes::new());
    };
    if first.len() >= cap {
        return Ok(first.slice(..cap));
    }
    let mut all: Vec<u8> = first.to_vec();
    while let Some(chunk) = stream.next().await.transpose()? {
        let room = cap - all.len();
        all.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if all.len() >= cap {
            break;
        }
    }
    Ok(Bytes::from(all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bodies_are_read_up_to_the_cap() {
        let body = Body::from("hello world");
        assert_eq!(read_capped(body, 5).await.unwrap(), "hello");
        let chunks = tokio_stream::iter(vec![
            Ok::<_, std::io::Error>(Bytes::from("ab")),
            Ok(Bytes::from("cd")),
            Ok(Bytes::from("ef")),
        ]);
        let body = Body::from_stream(chunks);
        assert_eq!(read_capped(body, 5).await.unwrap(), "abcde");
        assert_eq!(read_capped(Body::empty(), 5).await.unwrap(), "");
    }

    #[test]
    fn the_cap_is_above_every_route_limit() {
        let intake = Intake::new(1000, 5000, Duration::from_secs(1));
        assert!(intake.cap > limits::http_body_limit(1000));
        assert!(intake.cap > limits::grpc_message_limit(1000) + 5);
        assert!(intake.cap > 5000);
    }
}
