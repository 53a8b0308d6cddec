//! Errors of the service layer and their one mapping to gRPC and HTTP.
//!
//! Handlers turn library errors (a bad field, a concept that fails validation, a text over
//! the limit) into a [`ServiceError`]; [`ServiceError::codes`] is the single place that
//! decides the gRPC code, the HTTP status and the code name shown in HTTP error bodies.
//! Messages always name the field or the limit, and never quote the user's text.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tonic::Code;

use crate::glossary::ConceptError;
use crate::json::FieldError;
use crate::service::state::EditError;
use crate::store::StoreError;
use crate::translate::TranslateError;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServiceError {
    /// A request field cannot be used.
    #[error("{field}: {message}")]
    InvalidArgument {
        /// The field, as named in the proto (`min_score`, `concept.it.terms[0]`, …).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The named thing does not exist.
    #[error("{0}")]
    NotFound(String),
    /// No valid `authorization: Bearer <token>`.
    #[error("{0}")]
    Unauthenticated(String),
    /// The server is not set up for this request (e.g. no admin token configured).
    #[error("{0}")]
    FailedPrecondition(String),
    /// The same webhook delivery again (replay or redelivery): nothing is done twice.
    #[error("{0}")]
    Duplicate(String),
    /// Edits are switched off on this server (no admin token, or the read-only embedded
    /// glossary): a setting of the server, not of the request.
    #[error("{0}")]
    EditsDisabled(String),
    /// A field is larger than a configured limit; the message names both.
    #[error("{0}")]
    TooLarge(String),
    /// A concurrent change won (stale etag).
    #[error("{0}")]
    Aborted(String),
    /// The request's deadline passed before the work was done.
    #[error("deadline exceeded: the request took longer than its {0:?} budget")]
    DeadlineExceeded(Duration),
    /// The client did not send the request's body (or the rest of a gRPC message) in time.
    #[error("body: not received within {0:?} (--body-timeout)")]
    BodyTimeout(Duration),
    /// Not built yet.
    #[error("{0}")]
    Unimplemented(String),
    /// An HTTP route called with the wrong method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// A bug or a crashed worker; details are logged, not sent.
    #[error("internal error: {0}")]
    Internal(String),
    /// A backend the request needs cannot be reached now (the glossary database for an
    /// edit); retrying later may work.
    #[error("{0}")]
    Unavailable(String),
}

impl ServiceError {
    /// A bad field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ServiceError {
        ServiceError::InvalidArgument {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The one mapping: gRPC code, HTTP status, and the code's name for JSON bodies.
    pub fn codes(&self) -> (Code, StatusCode, &'static str) {
        match self {
            ServiceError::InvalidArgument { .. } => (
                Code::InvalidArgument,
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
            ),
            ServiceError::NotFound(_) => (Code::NotFound, StatusCode::NOT_FOUND, "NOT_FOUND"),
            ServiceError::Unauthenticated(_) => (
                Code::Unauthenticated,
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
            ),
            ServiceError::FailedPrecondition(_) => (
                Code::FailedPrecondition,
                StatusCode::BAD_REQUEST,
                "FAILED_PRECONDITION",
            ),
            ServiceError::Duplicate(_) => {
                (Code::AlreadyExists, StatusCode::CONFLICT, "ALREADY_EXISTS")
            }
            // 503: the server does not offer edits as it is configured; retrying the same
            // request elsewhere or after a reconfiguration may work, fixing it will not.
            ServiceError::EditsDisabled(_) => (
                Code::FailedPrecondition,
                StatusCode::SERVICE_UNAVAILABLE,
                "FAILED_PRECONDITION",
            ),
            ServiceError::TooLarge(_) => (
                Code::ResourceExhausted,
                StatusCode::PAYLOAD_TOO_LARGE,
                "RESOURCE_EXHAUSTED",
            ),
            // Stale etags only: over HTTP the condition is `If-Match`, hence 412.
            ServiceError::Aborted(_) => (Code::Aborted, StatusCode::PRECONDITION_FAILED, "ABORTED"),
            ServiceError::DeadlineExceeded(_) => (
                Code::DeadlineExceeded,
                StatusCode::GATEWAY_TIMEOUT,
                "DEADLINE_EXCEEDED",
            ),
            ServiceError::BodyTimeout(_) => (
                Code::DeadlineExceeded,
                StatusCode::REQUEST_TIMEOUT,
                "DEADLINE_EXCEEDED",
            ),
            ServiceError::Unimplemented(_) => (
                Code::Unimplemented,
                StatusCode::NOT_IMPLEMENTED,
                "UNIMPLEMENTED",
            ),
            ServiceError::MethodNotAllowed(_) => (
                Code::Unimplemented,
                StatusCode::METHOD_NOT_ALLOWED,
                "UNIMPLEMENTED",
            ),
            ServiceError::Internal(_) => (
                Code::Internal,
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
            ),
            ServiceError::Unavailable(_) => (
                Code::Unavailable,
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
            ),
        }
    }

    /// `field` is `size` bytes long, over the `--max-text-bytes` limit.
    pub fn too_large(field: &str, size: usize, limit: usize) -> ServiceError {
        ServiceError::TooLarge(format!(
            "{field}: {size} bytes is over the limit of {limit} bytes (--max-text-bytes)"
        ))
    }

    /// The code's name, for logs.
    pub fn code_name(&self) -> &'static str {
        self.codes().2
    }
}

impl From<ServiceError> for tonic::Status {
    fn from(e: ServiceError) -> tonic::Status {
        tonic::Status::new(e.codes().0, e.to_string())
    }
}

/// An HTTP error body: `{"error": {"code": …, "field": …, "message": …}}` (fields in this
/// order, as the JSON API has always written them).
#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error: ErrorOut<'a>,
}

#[derive(serde::Serialize)]
struct ErrorOut<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    message: &'a str,
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let (_, status, code) = self.codes();
        let message = self.to_string();
        let body = ErrorBody {
            error: ErrorOut {
                code,
                // Named apart too, so that a form can point at the field.
                field: match &self {
                    ServiceError::InvalidArgument { field, .. } => Some(field.as_str()),
                    _ => None,
                },
                message: &message,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if matches!(self, ServiceError::Unauthenticated(_)) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl From<TranslateError> for ServiceError {
    fn from(e: TranslateError) -> ServiceError {
        match e {
            TranslateError::DeadlinePassed => {
                return ServiceError::DeadlineExceeded(std::time::Duration::ZERO)
            }
            TranslateError::ResponseTooLarge { .. } => {
                return ServiceError::TooLarge(e.to_string())
            }
            TranslateError::MinScore(_) => {}
        }
        // Every `TranslateError` reads "field: message"; split it rather than match the
        // variants so that new ones map without touching this layer.
        let text = e.to_string();
        match text.split_once(": ") {
            Some((field, message)) => ServiceError::invalid(field, message),
            None => ServiceError::invalid("request", text),
        }
    }
}

impl From<FieldError> for ServiceError {
    fn from(e: FieldError) -> ServiceError {
        ServiceError::invalid(e.field, e.message)
    }
}

impl From<EditError> for ServiceError {
    fn from(e: EditError) -> ServiceError {
        match e {
            EditError::ReadOnly => ServiceError::EditsDisabled(e.to_string()),
            EditError::Store(StoreError::Invalid(c)) => c.into(),
            EditError::Store(StoreError::NotFound(id)) => {
                ServiceError::NotFound(format!("id: no concept '{id}'"))
            }
            EditError::Store(e @ (StoreError::Stale { .. } | StoreError::Exists { .. })) => {
                ServiceError::Aborted(e.to_string())
            }
            EditError::Store(e @ (StoreError::Glossary(_) | StoreError::Toml { .. })) => {
                ServiceError::FailedPrecondition(format!("edit refused, nothing written: {e}"))
            }
            EditError::Store(e @ StoreError::Unavailable(_)) => {
                ServiceError::Unavailable(e.to_string())
            }
            EditError::Store(e @ StoreError::Database(_)) => {
                tracing::error!(error = %super::escaped::Escaped(&e), "edit failed in the database");
                ServiceError::Internal(e.to_string())
            }
            EditError::Store(e @ StoreError::Write(_)) => {
                tracing::error!(error = %super::escaped::Escaped(&e), "durable edit failed");
                ServiceError::Internal(format!("the edit could not be written: {e}"))
            }
        }
    }
}

impl From<ConceptError> for ServiceError {
    fn from(e: ConceptError) -> ServiceError {
        ServiceError::invalid(format!("concept.{}", e.field), e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_or_limit() {
        let e = ServiceError::from(TranslateError::MinScore(2.0));
        assert_eq!(e.codes().0, Code::InvalidArgument);
        assert!(e.to_string().starts_with("min_score: must be"), "{e}");
        let e = ServiceError::too_large("text", 10, 5);
        assert_eq!(e.codes().1, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(e.to_string().contains("limit of 5 bytes"), "{e}");
        let e = ServiceError::from(ConceptError {
            field: "it.terms[1]".into(),
            message: "empty term".into(),
        });
        assert_eq!(e.to_string(), "concept.it.terms[1]: empty term");
    }
}
