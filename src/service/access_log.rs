//! One structured log line per request.
//!
//! Each handler starts an [`AccessLog`], fills in what it learns (text size, number of
//! annotations), and finishes it with its result. The line carries the method, the status
//! code name, the duration and the sizes — never the text itself, which may be confidential.

use std::time::Instant;

use super::error::ServiceError;
use super::escaped::Escaped;

/// The log line of one request (or one message of a stream), written by [`AccessLog::finish`].
#[derive(Debug)]
pub struct AccessLog {
    method: &'static str,
    start: Instant,
    /// Bytes of the text (or look-up term) of the request.
    pub text_bytes: usize,
    /// Annotations in the answer (translations).
    pub annotations: Option<usize>,
    /// Items in the answer (hits, suggestions, concepts) for the other methods.
    pub results: Option<usize>,
}

impl AccessLog {
    /// Starts timing `method` (e.g. `Translate`, `POST /v1/translate`).
    pub fn start(method: &'static str) -> AccessLog {
        AccessLog {
            method,
            start: Instant::now(),
            text_bytes: 0,
            annotations: None,
            results: None,
        }
    }

    /// Writes the line for this outcome: `info` for successes and client errors,
    /// `error` for internal ones.
    pub fn finish<T>(self, outcome: &Result<T, ServiceError>) {
        let status = match outcome {
            Ok(_) => "OK",
            Err(e) => e.code_name(),
        };
        crate::metrics::global().request(self.method, status, self.start.elapsed());
        // Microsecond resolution: enough to read, no f64 noise in the log line.
        let duration_ms = (self.start.elapsed().as_secs_f64() * 1e6).round() / 1e3;
        match outcome {
            Ok(_) => tracing::info!(
                method = self.method,
                status = "OK",
                duration_ms,
                text_bytes = self.text_bytes,
                annotations = self.annotations,
                results = self.results,
                "request"
            ),
            Err(e @ ServiceError::Internal(_)) => tracing::error!(
                method = self.method,
                status = e.code_name(),
                duration_ms,
                text_bytes = self.text_bytes,
                error = %Escaped(e),
                "request"
            ),
            Err(e) => tracing::info!(
                method = self.method,
                status = e.code_name(),
                duration_ms,
                text_bytes = self.text_bytes,
                error = %Escaped(e),
                "request"
            ),
        }
    }
}
