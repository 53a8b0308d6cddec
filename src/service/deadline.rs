//! Request deadlines: the client's `grpc-timeout` or the server's `--request-timeout`.
//!
//! Every request is stamped with its arrival time by a layer in front of all routes
//! ([`stamp`]). A handler derives its [`Deadline`] from that stamp, and runs the matching work
//! through [`Deadline::run`]: on the blocking pool (so that a 1 MiB text never stalls the
//! async workers), raced against the deadline. A deadline that has already passed fails
//! before any work starts. Tonic's own `grpc-timeout` handling is not used: it answers
//! `CANCELLED`, where SPEC §5 asks for `DEADLINE_EXCEEDED`.

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, Request};

use super::error::ServiceError;

/// When a request arrived, put in its extensions by [`stamp`].
#[derive(Debug, Clone, Copy)]
pub struct Arrival(pub Instant);

/// Stamps a request with its arrival time (a `tower::util::MapRequest` function).
pub fn stamp<B>(mut req: Request<B>) -> Request<B> {
    req.extensions_mut().insert(Arrival(Instant::now()));
    req
}

/// The moment a request must be answered by.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    /// The deadline `budget` after `start`.
    pub fn after(start: Instant, budget: Duration) -> Deadline {
        Deadline {
            at: start.checked_add(budget).unwrap_or_else(far_future),
            budget,
        }
    }

    /// The deadline of a request that arrived at `arrival` (now when unknown): the shorter
    /// of the client's `grpc-timeout` (if any) and the server's `timeout`.
    pub fn for_request(
        arrival: Option<Arrival>,
        headers: &HeaderMap,
        timeout: Duration,
    ) -> Deadline {
        let start = arrival.map_or_else(Instant::now, |a| a.0);
        let budget = grpc_timeout(headers).map_or(timeout, |t| t.min(timeout));
        Deadline::after(start, budget)
    }

    /// The earlier of two deadlines.
    pub fn min(self, other: Deadline) -> Deadline {
        if other.at < self.at {
            other
        } else {
            self
        }
    }

    /// The instant itself.
    pub fn instant(self) -> Instant {
        self.at
    }

    /// The error to answer when this deadline passes.
    pub fn exceeded(self) -> ServiceError {
        ServiceError::DeadlineExceeded(self.budget)
    }

    /// Runs CPU-bound `work` on the blocking pool, unless the deadline passes first.
    ///
    /// # Errors
    /// [`ServiceError::DeadlineExceeded`] when the deadline has passed (before or during the
    /// work; the work's result is then dropped), [`ServiceError::Internal`] if it panicked.
    pub async fn run<T, F>(self, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        if Instant::now() >= self.at {
            return Err(self.exceeded());
        }
        let task = tokio::task::spawn_blocking(work);
        match tokio::time::timeout_at(self.at.into(), task).await {
            Err(_) => Err(self.exceeded()),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "worker failed");
                Err(ServiceError::Internal("the worker failed".into()))
            }
            Ok(Ok(value)) => Ok(value),
        }
    }
}

/// Texts up to this size are matched on the async worker itself: a 1 KiB translation takes
/// ~0.1 ms, less than the hand-off to the blocking pool and back costs under load.
pub const INLINE_MAX_BYTES: usize = 4096;

impl Deadline {
    /// Like [`Deadline::run`], but runs `work` inline when `bytes` (the size of the input)
    /// is at most [`INLINE_MAX_BYTES`]; a panic is still caught and the deadline still
    /// checked before and after.
    ///
    /// # Errors
    /// As [`Deadline::run`].
    pub async fn run_sized<T, F>(self, bytes: usize, work: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        if bytes > INLINE_MAX_BYTES {
            return self.run(work).await;
        }
        if Instant::now() >= self.at {
            return Err(self.exceeded());
        }
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
            Err(_) => {
                tracing::error!("worker panicked");
                Err(ServiceError::Internal("the worker failed".into()))
            }
            Ok(_) if Instant::now() >= self.at => Err(self.exceeded()),
            Ok(value) => Ok(value),
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

/// The `grpc-timeout` header: up to 8 digits and a unit (`H`, `M`, `S`, `m`, `u`, `n`).
/// A malformed header is ignored, as gRPC servers do.
pub fn grpc_timeout(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = value.split_at_checked(value.len().checked_sub(1)?)?;
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("grpc-timeout", v.parse().unwrap());
        h
    }

    #[test]
    fn parses_grpc_timeout() {
        let cases = [
            ("1n", Some(Duration::from_nanos(1))),
            ("250m", Some(Duration::from_millis(250))),
            ("3S", Some(Duration::from_secs(3))),
            ("2M", Some(Duration::from_secs(120))),
            ("1H", Some(Duration::from_secs(3600))),
            ("99999999u", Some(Duration::from_micros(99_999_999))),
            ("123456789S", None),
            ("10x", None),
            ("S", None),
            ("", None),
            ("-1S", None),
        ];
        for (v, want) in cases {
            assert_eq!(grpc_timeout(&header(v)), want, "{v:?}");
        }
        assert_eq!(grpc_timeout(&HeaderMap::new()), None);
    }

    #[tokio::test]
    async fn a_passed_deadline_fails_before_the_work() {
        let d = Deadline::after(Instant::now() - Duration::from_secs(1), Duration::ZERO);
        let err = d
            .run(|| -> u8 { unreachable!("the work must not start") })
            .await;
        assert!(matches!(err, Err(ServiceError::DeadlineExceeded(_))));
        let ok = Deadline::after(Instant::now(), Duration::from_secs(60))
            .run(|| 42)
            .await;
        assert_eq!(ok, Ok(42));
        let err = d
            .run_sized(10, || -> u8 { unreachable!("the work must not start") })
            .await;
        assert!(matches!(err, Err(ServiceError::DeadlineExceeded(_))));
        let ok = Deadline::after(Instant::now(), Duration::from_secs(60))
            .run_sized(10, || 42)
            .await;
        assert_eq!(ok, Ok(42));
    }
}
