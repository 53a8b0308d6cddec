//! The service's settings, in one place: limits, timeouts and tokens.
//!
//! `broker serve` fills a [`ServiceConfig`] from its flags and `BROKER_*` environment
//! variables; tests build one directly. Nothing here reads the environment itself, so the
//! library stays testable.

use std::fmt;
use std::time::Duration;

/// The default of `--max-text-bytes`: 1 MiB.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 1024 * 1024;

/// How the service runs. [`ServiceConfig::default`] is what `broker serve` uses with no flags.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Token that admin RPCs (upsert, delete) require; `None` refuses them all.
    pub admin_token: Option<Secret>,
    /// Token that read RPCs and HTTP routes require; `None` leaves them open.
    pub read_token: Option<Secret>,
    /// The largest text (or look-up term) accepted, in bytes.
    pub max_text_bytes: usize,
    /// The longest a request may take, unless the client's `grpc-timeout` is shorter.
    /// On a stream it applies to each message.
    pub request_timeout: Duration,
    /// Requests served at once across all connections; more wait for a slot.
    pub max_concurrent_requests: usize,
    /// After the shutdown signal, how long in-flight requests may take before the server
    /// stops anyway.
    pub shutdown_grace: Duration,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            admin_token: None,
            read_token: None,
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
            request_timeout: Duration::from_secs(30),
            max_concurrent_requests: 256,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// A token that never shows up in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token.
    ///
    /// # Errors
    /// A message when the token is empty or only whitespace (a likely mistake that would
    /// otherwise accept `Bearer ` with nothing after it).
    pub fn new(token: impl Into<String>) -> Result<Secret, String> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err("the token is empty".into());
        }
        Ok(Secret(token))
    }

    /// The token itself, for comparison.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Parses a duration such as `30s`, `500ms`, `2m` or a bare number of seconds (`1.5`).
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{s}' is not a duration: use e.g. 30s, 500ms, 2m"))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        other => return Err(format!("unknown unit '{other}' in '{s}': use ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("'{s}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ok = [
            ("30s", Duration::from_secs(30)),
            ("30", Duration::from_secs(30)),
            ("500ms", Duration::from_millis(500)),
            ("2m", Duration::from_secs(120)),
            ("1.5", Duration::from_millis(1500)),
        ];
        for (text, want) in ok {
            assert_eq!(parse_duration(text), Ok(want), "{text}");
        }
        for bad in ["", "s", "10h", "-1s", "abc"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_are_not_printed() {
        let s = Secret::new("hunter2").unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(Secret::new("  ").is_err());
    }
}
