//! Where readers already are: Slack, GitHub and Jira on the server's HTTP port (SPEC §10).
//!
//! Each integration is off until its secret is configured ([`crate::config::IntegrationsConfig`]);
//! [`Hub::new`] builds the ones that are on and logs one line for each. Every webhook is
//! handled in the same order: the body is read up to a size limit, the caller's signature is
//! checked (HMAC-SHA256, compared in constant time) before anything of the body is read,
//! then the body is parsed, and the answer goes out at once; the slow part (translating a long
//! text, calling the remote API) runs afterwards in a spawned task, so a slow remote never
//! delays the webhook's answer.
//!
//! Files: [`slack`] (slash command, Events API, Block Kit), [`github`] (one comment per issue
//! or pull request, updated in place), [`jira`] (a comment in Atlassian Document Format).
//! Shared here: signature checks, the bounded expiring [`Memory`] (delivery ids, Slack threads,
//! Jira issues), readers, and the outbound HTTP client; in [`webhook`], the prologue of every
//! webhook (body limit, signature, typed parse, replay) and the shapes of their answers.

pub mod github;
pub mod jira;
pub mod slack;
pub(crate) mod webhook;

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::config::{IntegrationsConfig, Secret, DEFAULT_WEBHOOK_MAX_BYTES};
use crate::glossary::Side;
use crate::service::access_log::AccessLog;
use crate::service::context::Context;
use crate::service::deadline::Deadline;
use crate::service::error::ServiceError;
use crate::translate::{TranslateRequest, TranslateResponse};
use crate::Format;

/// How long slow work (translation and remote calls) may take after the answer.
const BACKGROUND_BUDGET: Duration = Duration::from_secs(60);
/// Timeout of one call to a remote API.
const REMOTE_TIMEOUT: Duration = Duration::from_secs(20);

/// The integrations that are on, shared by their handlers.
#[derive(Debug)]
pub struct Hub {
    pub(crate) slack: Option<slack::Slack>,
    pub(crate) github: Option<github::Github>,
    pub(crate) jira: Option<jira::Jira>,
    pub(crate) max_body: usize,
}

impl Hub {
    /// No integration on.
    pub fn off() -> Hub {
        Hub {
            slack: None,
            github: None,
            jira: None,
            max_body: DEFAULT_WEBHOOK_MAX_BYTES,
        }
    }

    /// Builds the integrations whose secret is set, and logs one line for each (never a
    /// secret).
    ///
    /// # Errors
    /// A [`SetupError`] naming the setting: an unknown reader, a bad URL, no TLS.
    pub fn new(config: &IntegrationsConfig) -> Result<Hub, SetupError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(REMOTE_TIMEOUT)
            .user_agent(concat!("broker/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(SetupError::Client)?;
        let hub = Hub {
            slack: slack::Slack::new(&config.slack, http.clone())?,
            github: github::Github::new(&config.github, http.clone())?,
            jira: jira::Jira::new(&config.jira, http)?,
            max_body: config
                .max_body_bytes
                .unwrap_or(DEFAULT_WEBHOOK_MAX_BYTES)
                .max(1024),
        };
        Ok(hub)
    }
}

/// A setting of an integration that cannot be used (the server does not start).
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The outbound HTTP client (TLS set-up).
    #[error("integrations: cannot set up the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// A reader that is not `it` or `marketing`.
    #[error("{setting}: {source}")]
    Reader {
        /// The setting (`slack.reader`, `github.repos.owner/name`).
        setting: String,
        /// The value and what is accepted.
        source: crate::UnknownValue,
    },
    /// A base URL that is not `http(s)://…`.
    #[error("{setting}: '{value}' is not an http(s) URL")]
    NotHttp {
        /// The setting (`jira.base`).
        setting: &'static str,
        /// The value given.
        value: String,
    },
}

/// Why the work after a webhook's answer (translating, calling a remote API) did nothing.
/// Logged, never sent: the webhook was answered already.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RemoteError {
    /// The integration was switched off meanwhile.
    #[error("the integration is off")]
    Off,
    /// The text could not be translated (too long, too slow).
    #[error("cannot translate: {0}")]
    Translate(#[source] ServiceError),
    /// The remote API could not be reached, or its answer not read.
    #[error("{0}")]
    Send(#[from] reqwest::Error),
    /// The remote API refused: its status and the start of its answer (never our token).
    #[error("{what}: HTTP {status}: {body}")]
    Refused {
        what: String,
        status: StatusCode,
        body: String,
    },
    /// What was being done when `source` happened (`owner/name#7`, `listing comments`).
    #[error("{what}: {source}")]
    During {
        what: String,
        source: Box<RemoteError>,
    },
}

impl RemoteError {
    /// `self`, said to have happened while doing `what`.
    pub(crate) fn during(self, what: impl Into<String>) -> RemoteError {
        RemoteError::During {
            what: what.into(),
            source: Box::new(self),
        }
    }
}

/// What the webhook handlers share: the service's request core (the same [`Context`] the
/// gRPC and HTTP handlers call) and the integrations that are on.
#[derive(Debug, Clone)]
pub(crate) struct Webhooks {
    pub(crate) service: Context,
    pub(crate) integrations: Arc<Hub>,
}

/// The webhook routes, with their own body limit.
pub(crate) fn routes(service: Context, integrations: Arc<Hub>) -> Router {
    let limit = integrations.max_body;
    let ctx = Webhooks {
        service,
        integrations,
    };
    Router::new()
        .route("/v1/slack/commands", post(slack::command))
        .route("/v1/slack/events", post(slack::events))
        .route("/v1/hooks/github", post(github::hook))
        .route("/v1/hooks/jira", post(jira::hook))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(ctx)
}

/// A webhook's answer: JSON with a status, or a [`ServiceError`] in the usual JSON shape;
/// logged (and counted in the metrics) like every request.
pub(crate) fn answer(
    log: AccessLog,
    outcome: Result<(StatusCode, impl serde::Serialize), ServiceError>,
) -> Response {
    log.finish(&outcome);
    match outcome {
        Ok((status, body)) => (status, axum::Json(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A header as text; `Unauthenticated` naming it when absent.
pub(crate) fn header<'h>(headers: &'h HeaderMap, name: &str) -> Result<&'h str, ServiceError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ServiceError::Unauthenticated(format!("{name}: missing")))
}

/// HMAC-SHA256 of the concatenated `parts` under `secret`.
pub(crate) fn hmac_sha256(secret: &Secret, parts: &[&[u8]]) -> [u8; 32] {
    // Any key length is valid for HMAC.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes keys of any length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// True when `presented_hex` is the hex HMAC-SHA256 of `parts`, compared in constant time.
pub(crate) fn signature_matches(secret: &Secret, parts: &[&[u8]], presented_hex: &str) -> bool {
    let expected = hmac_sha256(secret, parts);
    match decode_hex(presented_hex) {
        Some(presented) if presented.len() == expected.len() => {
            expected.ct_eq(presented.as_slice()).into()
        }
        _ => false,
    }
}

/// Checks a `sha256=<hex>` HMAC-SHA256 signature of the whole body in header `name`, as
/// GitHub (`x-hub-signature-256`) and Jira (`x-hub-signature`) send it.
///
/// # Errors
/// `UNAUTHENTICATED` naming the header: missing, not `sha256=…`, or not the body's signature.
pub(crate) fn verify_hub_signature(
    headers: &HeaderMap,
    name: &str,
    secret: &Secret,
    raw: &[u8],
) -> Result<(), ServiceError> {
    let sig = header(headers, name)?;
    let hex = sig
        .strip_prefix("sha256=")
        .ok_or_else(|| ServiceError::Unauthenticated(format!("{name}: expected 'sha256=<hex>'")))?;
    if signature_matches(secret, &[raw], hex) {
        Ok(())
    } else {
        Err(ServiceError::Unauthenticated(format!(
            "{name}: does not match the body (is the webhook secret right?)"
        )))
    }
}

/// Lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Parses a reader setting: `it` or `marketing`.
pub(crate) fn parse_reader(value: Option<&str>, setting: &str) -> Result<Side, SetupError> {
    match value {
        None => Ok(Side::Marketing),
        Some(v) => v.parse().map_err(|source| SetupError::Reader {
            setting: setting.to_string(),
            source,
        }),
    }
}

/// Parses a map of readers (`key → it|marketing`).
pub(crate) fn parse_readers(
    map: &std::collections::BTreeMap<String, String>,
    setting: &str,
) -> Result<HashMap<String, Side>, SetupError> {
    map.iter()
        .map(|(k, v)| {
            let side = v.parse().map_err(|source| SetupError::Reader {
                setting: format!("{setting}.{k}"),
                source,
            })?;
            Ok((k.clone(), side))
        })
        .collect()
}

/// The reader's name in a sentence ("marketing readers", "IT readers").
pub(crate) fn readers_name(side: Side) -> &'static str {
    match side {
        Side::It => "IT readers",
        Side::Marketing => "marketing readers",
    }
}

/// Translates `text` for `reader` with the server's usual checks (size limit, deadline).
pub(crate) async fn translate_for(
    ctx: &Webhooks,
    text: String,
    reader: Side,
    format: Format,
    budget: Duration,
) -> Result<TranslateResponse, ServiceError> {
    let req = TranslateRequest {
        text,
        audience: Some(reader),
        format,
        ..TranslateRequest::default()
    };
    ctx.service
        .translate(req, Deadline::after(Instant::now(), budget))
        .await
}

/// A remote API's refusal, for the log (the body's start, never our token).
pub(crate) async fn remote_error(what: &str, resp: reqwest::Response) -> RemoteError {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    RemoteError::Refused {
        what: what.to_string(),
        status,
        body: text.chars().take(300).collect(),
    }
}

/// A bounded memory whose entries expire: delivery ids seen, what a Slack thread was told,
/// what a Jira issue was told. At most `capacity` entries (the oldest go first); an entry
/// older than `ttl` counts as absent.
#[derive(Debug)]
pub struct Memory<K, V> {
    inner: Mutex<MemoryInner<K, V>>,
    capacity: usize,
    ttl: Duration,
}

#[derive(Debug)]
struct MemoryInner<K, V> {
    map: HashMap<K, (Instant, V)>,
    order: VecDeque<(K, Instant)>,
}

impl<K: Hash + Eq + Clone, V: Default> Memory<K, V> {
    /// An empty memory.
    pub fn new(capacity: usize, ttl: Duration) -> Memory<K, V> {
        Memory {
            inner: Mutex::new(MemoryInner {
                map: HashMap::new(),
                order: VecDeque::new(),
            }),
            capacity: capacity.max(1),
            ttl,
        }
    }

    /// Remembers `key`; false when it was already there (and fresh).
    pub fn insert_new(&self, key: K) -> bool {
        let mut fresh = false;
        self.update(key, |_, new| fresh = new);
        fresh
    }

    /// Runs `f` on the value of `key` (a default one, `new` = true, when absent or expired),
    /// under the memory's lock, and keeps the result.
    pub fn update<R>(&self, key: K, f: impl FnOnce(&mut V, bool) -> R) -> R {
        let now = Instant::now();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let inner = &mut *inner;
        // Forget what expired, and the oldest beyond the capacity.
        while let Some((k, at)) = inner.order.front() {
            let expired = now.duration_since(*at) > self.ttl;
            if !expired && inner.map.len() < self.capacity {
                break;
            }
            if inner.map.get(k).is_some_and(|(t, _)| t == at) {
                inner.map.remove(k);
            }
            inner.order.pop_front();
        }
        let new = !inner.map.contains_key(&key);
        if new {
            inner.map.insert(key.clone(), (now, V::default()));
            inner.order.push_back((key.clone(), now));
        }
        let (_, value) = inner.map.get_mut(&key).expect("inserted above");
        f(value, new)
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        let secret = Secret::new("It's a Secret to Everybody").unwrap();
        // GitHub's documented example: "Hello, World!" under this secret.
        let want = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(to_hex(&hmac_sha256(&secret, &[b"Hello, World!"])), want);
        assert!(signature_matches(&secret, &[b"Hello, ", b"World!"], want));
        assert!(!signature_matches(&secret, &[b"Hello, World?"], want));
        assert!(!signature_matches(
            &secret,
            &[b"Hello, World!"],
            &want[..62]
        ));
        assert!(!signature_matches(&secret, &[b"Hello, World!"], "zz"));
    }

    #[test]
    fn memory_is_bounded() {
        let m: Memory<u32, ()> = Memory::new(3, Duration::from_secs(3600));
        assert!(m.insert_new(1));
        assert!(!m.insert_new(1));
        for k in 2..10 {
            assert!(m.insert_new(k));
        }
        assert!(m.len() <= 3, "{}", m.len());
        assert!(m.insert_new(1), "the oldest was forgotten");
        let expiring: Memory<u32, ()> = Memory::new(10, Duration::ZERO);
        assert!(expiring.insert_new(1));
        std::thread::sleep(Duration::from_millis(2));
        assert!(expiring.insert_new(1), "expired entries count as absent");
    }
}
