//! The verified-webhook prologue every integration runs before its own work, and the shapes
//! of the answers webhooks get.
//!
//! [`verified`] does the same steps in the same order for Slack, GitHub and Jira: the body is
//! read up to the webhook limit (413 naming it); the caller's signature is checked by the
//! integration's [`Verify`] (401 naming the header) before anything of the body is read; the
//! body is parsed into the integration's typed payload (400 naming the field); then the
//! integration's replay check runs (409: a delivery already handled is never handled twice).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::service::error::ServiceError;

/// How a webhook's body is encoded.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Encoding {
    /// `application/json` (Slack events, GitHub, Jira).
    Json,
    /// `application/x-www-form-urlencoded` (Slack slash commands).
    Form,
}

/// The signature check of one integration: whatever must hold before the body is read.
pub(crate) trait Verify {
    /// # Errors
    /// `UNAUTHENTICATED` naming the header (missing, malformed, not the body's signature,
    /// a timestamp outside the window); `INVALID_ARGUMENT` for a required header missing.
    fn verify(&self, headers: &HeaderMap, raw: &[u8]) -> Result<(), ServiceError>;
}

/// Reads, verifies and parses a webhook body; `replay` runs last, on the raw body, and
/// refuses a delivery already handled.
///
/// # Errors
/// The first step that fails, as described in the module docs.
pub(crate) fn verified<T: DeserializeOwned>(
    max_body: usize,
    hook: &impl Verify,
    headers: &HeaderMap,
    raw: Result<Bytes, BytesRejection>,
    encoding: Encoding,
    replay: impl FnOnce(&[u8]) -> Result<(), ServiceError>,
) -> Result<T, ServiceError> {
    let raw = body(max_body, raw)?;
    hook.verify(headers, &raw)?;
    let payload = match encoding {
        Encoding::Json => json(&raw)?,
        Encoding::Form => serde_urlencoded::from_bytes(&raw).map_err(|e| {
            ServiceError::invalid(
                "body",
                format!("not a form (application/x-www-form-urlencoded): {e}"),
            )
        })?,
    };
    replay(&raw)?;
    Ok(payload)
}

/// The request body, or 413 naming the limit.
fn body(max: usize, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ServiceError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ServiceError::TooLarge(format!(
                "body: over the webhook limit of {max} bytes (max_body_bytes / --webhook-max-bytes)"
            ))
        } else {
            ServiceError::invalid("body", e.body_text())
        }
    })
}

/// A JSON payload; a value of the wrong type is reported with its field's path.
fn json<T: DeserializeOwned>(raw: &[u8]) -> Result<T, ServiceError> {
    let not_json =
        |e: &serde_json::Error| ServiceError::invalid("body", format!("not valid JSON: {e}"));
    let mut de = serde_json::Deserializer::from_slice(raw);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        if e.inner().is_data() {
            // A root of the wrong type (a string; an array, read as a struct's fields in
            // order) is the body's fault, not a field's.
            let path = e.path().to_string();
            let root = path == "." || path.starts_with('[');
            let field = if root { "body".to_string() } else { path };
            ServiceError::invalid(field, e.inner().to_string())
        } else {
            not_json(e.inner())
        }
    })?;
    de.end().map_err(|e| not_json(&e))?;
    Ok(value)
}

/// The answer to a webhook that asks nothing back: `{"ok": true}` and what was done.
///
/// Fields in alphabetical order: the bytes these answers have always had.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Ack {
    /// An event id seen before (Slack retries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) duplicate: Option<String>,
    /// Why nothing is done (the event, or what is missing to act on it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ignored: Option<String>,
    pub(crate) ok: bool,
    /// GitHub's `ping`: its `zen` back (`null` when it had none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pong: Option<Option<String>>,
    /// What will be explained, after the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) queued: Option<String>,
    /// For whom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reader: Option<&'static str>,
}

impl Ack {
    /// Done, nothing to say.
    pub(crate) fn ok() -> Ack {
        Ack {
            ok: true,
            ..Ack::default()
        }
    }

    /// Nothing done, and why.
    pub(crate) fn ignored(why: impl Into<String>) -> Ack {
        Ack {
            ignored: Some(why.into()),
            ..Ack::ok()
        }
    }

    /// `what` will be explained for `reader` after the answer.
    pub(crate) fn queued(what: String, reader: crate::glossary::Side) -> Ack {
        Ack {
            queued: Some(what),
            reader: Some(reader.as_str()),
            ..Ack::ok()
        }
    }
}

/// A comment to post (GitHub: Markdown text; Jira: an ADF document).
#[derive(Debug, Serialize)]
pub(crate) struct Comment<T> {
    pub(crate) body: T,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Payload {
        #[allow(dead_code)]
        issue: Option<Issue>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Issue {
        #[allow(dead_code)]
        number: Option<u64>,
    }

    #[test]
    fn parse_errors_name_the_field_or_the_body() {
        let field = |raw: &str| match json::<Payload>(raw.as_bytes()) {
            Err(ServiceError::InvalidArgument { field, .. }) => field,
            other => panic!("{raw}: {other:?}"),
        };
        assert_eq!(field(r#"{"issue": {"number": "seven"}}"#), "issue.number");
        assert_eq!(field(r#"{"issue": 3}"#), "issue");
        assert_eq!(field(r#"{"issue": {}"#), "body");
        assert_eq!(field(r#"{"issue": null} trailing"#), "body");
        assert_eq!(field(r#"["not", "an", "object"]"#), "body");
        assert_eq!(field(r#""a string""#), "body");
        assert!(json::<Payload>(br#"{"issue": {"number": 7}, "other": [1]}"#).is_ok());
    }

    #[test]
    fn answers_keep_their_bytes() {
        // The order the `serde_json::Value` maps these replace wrote (keys sorted).
        let ack = serde_json::to_string(&Ack::ignored("ping")).unwrap();
        assert_eq!(ack, r#"{"ignored":"ping","ok":true}"#);
        let queued = Ack::queued("o/r#1".into(), crate::glossary::Side::It);
        let queued = serde_json::to_string(&queued).unwrap();
        assert_eq!(queued, r#"{"ok":true,"queued":"o/r#1","reader":"it"}"#);
        let pong = Ack {
            pong: Some(None),
            ..Ack::ok()
        };
        assert_eq!(
            serde_json::to_string(&pong).unwrap(),
            r#"{"ok":true,"pong":null}"#
        );
    }
}
