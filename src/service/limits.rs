//! Message size limits of the port: a text over `--max-text-bytes` answers
//! `RESOURCE_EXHAUSTED` / 413 naming the limit, whatever its size (SPEC §12).
//!
//! Three sizes follow the one setting:
//! - a text (or look-up term) over `max_text_bytes` is refused by the handler
//!   ([`super::Context::check_size`]), which names the field, its size and the limit;
//! - a gRPC message over [`grpc_message_limit`] (the text limit plus 64 KiB for the other
//!   fields) is refused before it is read: [`GrpcFrameGuard`] reads the 5-byte header of each
//!   gRPC frame as it streams in and fails the body with `RESOURCE_EXHAUSTED` as soon as a
//!   header announces more. Without it tonic would buffer up to its own limit and then answer
//!   `OUT_OF_RANGE` ("decoded message length too large"), which names no setting. Tonic's
//!   `max_decoding_message_size` is set to the same value, as a second line;
//! - an HTTP body over [`http_body_limit`] (twice the text limit plus 64 KiB: JSON escapes can
//!   double a text) gets 413 from axum's body limit, with the message of
//!   [`body_too_large`].
//!
//! A Translate answer is bounded by the core (`translate::Bounds`): at most
//! `MAX_RESPONSE_RATIO` (12) times its text, refused with `RESOURCE_EXHAUSTED` naming the
//! limit. Clients keep their own receive limit (4 MB by default in gRPC libraries); a
//! full-view answer is about 10 times its text, a compact one (`view = compact`) about 3 times.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use axum::body::{Body, Bytes};
use http_body::{Body as HttpBody, Frame, SizeHint};

use super::error::ServiceError;

/// Room for the fields of a request besides its text.
const ROOM: usize = 64 * 1024;

/// The largest gRPC message accepted: a text at the limit plus room for the other fields.
pub fn grpc_message_limit(max_text_bytes: usize) -> usize {
    max_text_bytes.saturating_add(ROOM)
}

/// The largest HTTP request body: room for a text at the limit, JSON escapes and other fields.
pub fn http_body_limit(max_text_bytes: usize) -> usize {
    max_text_bytes.saturating_mul(2).saturating_add(ROOM)
}

/// The error of a gRPC message over [`grpc_message_limit`].
pub fn message_too_large(size: usize, max_text_bytes: usize) -> ServiceError {
    ServiceError::TooLarge(format!(
        "text: the request message of {size} bytes is over the limit of {} bytes for a text \
         of at most {max_text_bytes} bytes (--max-text-bytes)",
        grpc_message_limit(max_text_bytes)
    ))
}

/// The error of an HTTP body over [`http_body_limit`].
pub fn body_too_large(max_text_bytes: usize) -> ServiceError {
    ServiceError::TooLarge(format!(
        "body: over the limit of {} bytes for a text of at most {max_text_bytes} bytes \
         (--max-text-bytes)",
        http_body_limit(max_text_bytes)
    ))
}

/// A gRPC request body that fails as soon as a frame header announces a message over the
/// limit, so that a message of any size is refused with a status that names the limit and
/// without being buffered.
pub struct GrpcFrameGuard {
    inner: Body,
    max_text_bytes: usize,
    /// Bytes of the current frame header seen so far (a header may span chunks).
    header: [u8; 5],
    header_len: usize,
    /// Bytes of the current message still to pass.
    remaining: usize,
    /// The size of an oversized message whose header was found after data still to pass.
    pending: Option<usize>,
    failed: bool,
    /// How long the rest of a message that has started may take (`--body-timeout`).
    timeout: std::time::Duration,
    /// Running while a message is incomplete.
    partial: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl GrpcFrameGuard {
    /// Guards `inner` against messages over [`grpc_message_limit`]`(max_text_bytes)`.
    pub fn new(inner: Body, max_text_bytes: usize) -> GrpcFrameGuard {
        GrpcFrameGuard::with_timeout(inner, max_text_bytes, std::time::Duration::MAX)
    }

    /// Also fails when a message, once started, is not complete within `timeout`.
    pub fn with_timeout(
        inner: Body,
        max_text_bytes: usize,
        timeout: std::time::Duration,
    ) -> GrpcFrameGuard {
        GrpcFrameGuard {
            inner,
            max_text_bytes,
            header: [0; 5],
            header_len: 0,
            remaining: 0,
            pending: None,
            failed: false,
            timeout,
            partial: None,
        }
    }

    /// Starts or stops the clock of an incomplete message.
    fn follow_partial(&mut self) {
        let incomplete = self.remaining > 0 || self.header_len > 0;
        if !incomplete {
            self.partial = None;
        } else if self.partial.is_none() {
            if let Some(at) = tokio::time::Instant::now().checked_add(self.timeout) {
                self.partial = Some(Box::pin(tokio::time::sleep_until(at)));
            }
        }
    }

    /// Follows the frames through `data`; the size of the first message over the limit and
    /// where its header starts in `data` (0 when it started in an earlier chunk).
    fn scan(&mut self, data: &[u8]) -> Option<(usize, usize)> {
        let limit = grpc_message_limit(self.max_text_bytes);
        let mut i = 0;
        while i < data.len() {
            if self.remaining > 0 {
                let n = self.remaining.min(data.len() - i);
                self.remaining -= n;
                i += n;
                continue;
            }
            let header_start = i.saturating_sub(self.header_len);
            self.header[self.header_len] = data[i];
            self.header_len += 1;
            i += 1;
            if self.header_len == 5 {
                self.header_len = 0;
                let [_, a, b, c, d] = self.header;
                let len = u32::from_be_bytes([a, b, c, d]) as usize;
                if len > limit {
                    return Some((len, header_start));
                }
                self.remaining = len;
            }
        }
        None
    }
}

impl HttpBody for GrpcFrameGuard {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        if let Some(size) = self.pending.take() {
            return Poll::Ready(Some(Err(self.fail(size))));
        }
        if let Some(sleep) = self.partial.as_mut() {
            if sleep.as_mut().poll(cx).is_ready() {
                self.failed = true;
                let err = ServiceError::BodyTimeout(self.timeout);
                return Poll::Ready(Some(Err(axum::Error::new(tonic::Status::from(err)))));
            }
        }
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if let Some(Ok(frame)) = &frame {
            if let Some(data) = frame.data_ref() {
                let found = self.scan(data);
                self.follow_partial();
                if let Some((size, start)) = found {
                    if start == 0 {
                        return Poll::Ready(Some(Err(self.fail(size))));
                    }
                    // The messages before the oversized one are served first.
                    self.pending = Some(size);
                    return Poll::Ready(Some(Ok(Frame::data(data.slice(..start)))));
                }
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        // A pending error must still be polled, even when the inner body is done.
        self.failed || (self.pending.is_none() && self.inner.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl GrpcFrameGuard {
    fn fail(&mut self, size: usize) -> axum::Error {
        self.failed = true;
        axum::Error::new(tonic::Status::from(message_too_large(
            size,
            self.max_text_bytes,
        )))
    }
}

/// Puts a [`GrpcFrameGuard`] on the body of gRPC requests; others pass unchanged.
pub fn guard_grpc(
    max_text_bytes: usize,
    body_timeout: std::time::Duration,
) -> impl Fn(axum::http::Request<Body>) -> axum::http::Request<Body> + Clone {
    move |req: axum::http::Request<Body>| {
        let grpc = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
        if grpc {
            req.map(|body| {
                Body::new(GrpcFrameGuard::with_timeout(
                    body,
                    max_text_bytes,
                    body_timeout,
                ))
            })
        } else {
            req
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(len: u32) -> Vec<u8> {
        let mut f = vec![0];
        f.extend_from_slice(&len.to_be_bytes());
        f.resize(5 + len as usize, b'x');
        f
    }

    #[test]
    fn headers_are_followed_across_chunks() {
        // Limit 10 + 64 KiB: messages of 3 and 20 bytes pass, one of 1 MiB does not.
        let mut g = GrpcFrameGuard::new(Body::empty(), 10);
        let mut data = frame(3);
        data.extend(frame(20));
        for chunk in data.chunks(2) {
            assert_eq!(g.scan(chunk), None);
        }
        let big = frame(1 << 20);
        assert_eq!(g.scan(&big[..3]), None, "half a header says nothing yet");
        assert_eq!(g.scan(&big[3..7]), Some((1 << 20, 0)));
        // A chunk with a whole message and then an oversized header: it starts after the first.
        let mut g = GrpcFrameGuard::new(Body::empty(), 10);
        let mut data = frame(3);
        data.extend(&big[..5]);
        assert_eq!(g.scan(&data), Some((1 << 20, 8)));
    }

    #[test]
    fn limits_follow_the_setting_and_name_it() {
        assert_eq!(grpc_message_limit(1000), 1000 + 65536);
        let e = message_too_large(9_000_000, 1000);
        assert_eq!(e.codes().0, tonic::Code::ResourceExhausted);
        assert!(e.to_string().contains("--max-text-bytes"), "{e}");
        assert!(e.to_string().contains("at most 1000 bytes"), "{e}");
        assert!(body_too_large(1000)
            .to_string()
            .contains("at most 1000 bytes (--max-text-bytes)"));
    }
}
