//! The HTTP/JSON gateway (SPEC §6), for webhooks and curl, on the gRPC port.
//!
//! `POST /v1/translate` takes and returns the JSON shape of `broker translate --json`
//! ([`crate::json`]), so the CLI and the service answer alike. Errors are
//! `{"error": {"code", "message"}}` with the HTTP status of [`ServiceError::codes`].

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use super::access_log::AccessLog;
use super::auth::Access;
use super::deadline::{Arrival, Deadline};
use super::error::ServiceError;
use super::Context;
use crate::json;

/// The HTTP routes, with `ctx` as their state.
pub(crate) fn routes(ctx: Context) -> Router {
    let limit = body_limit(ctx.config.max_text_bytes);
    Router::new()
        .route("/v1/translate", post(translate))
        .route("/v1/lookup", get(lookup))
        .route("/v1/concepts/{id}", get(get_concept))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/v1/usage", get(usage))
        .route("/v1/gaps", get(gaps))
        .merge(super::web::routes())
        .layer(DefaultBodyLimit::max(limit))
        .with_state(ctx)
}

/// The largest request body: room for a text at the limit, JSON escapes and other fields.
pub(crate) fn body_limit(max_text_bytes: usize) -> usize {
    max_text_bytes.saturating_mul(2).saturating_add(64 * 1024)
}

fn authorize(ctx: &Context, headers: &HeaderMap) -> Result<(), ServiceError> {
    ctx.authorize(
        Access::Read,
        headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()),
    )
}

/// Logs the outcome and turns it into a response.
fn respond(log: AccessLog, outcome: Result<Value, ServiceError>) -> Response {
    log.finish(&outcome);
    match outcome {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn translate(
    State(ctx): State<Context>,
    arrival: Option<Extension<Arrival>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut log = AccessLog::start("POST /v1/translate");
    let outcome = translate_one(&ctx, arrival.map(|e| e.0), &headers, body, &mut log).await;
    respond(log, outcome)
}

async fn translate_one(
    ctx: &Context,
    arrival: Option<Arrival>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    log: &mut AccessLog,
) -> Result<Value, ServiceError> {
    authorize(ctx, headers)?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ServiceError::TooLarge(format!(
                "body: over the limit of {} bytes (twice --max-text-bytes, plus 64 KiB)",
                body_limit(ctx.config.max_text_bytes)
            ))
        } else {
            ServiceError::invalid("body", e.body_text())
        }
    })?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ServiceError::invalid("body", format!("not valid JSON: {e}")))?;
    let req = json::translate_request(&value)?;
    log.text_bytes = req.text.len();
    let deadline = Deadline::for_request(arrival, headers, ctx.config.request_timeout);
    let resp = ctx.translate(req, deadline).await?;
    log.annotations = Some(resp.annotations.len());
    Ok(json::translate_response(&resp))
}

async fn lookup(
    State(ctx): State<Context>,
    arrival: Option<Extension<Arrival>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let mut log = AccessLog::start("GET /v1/lookup");
    let outcome = lookup_one(&ctx, arrival.map(|e| e.0), &headers, query, &mut log).await;
    respond(log, outcome)
}

async fn lookup_one(
    ctx: &Context,
    arrival: Option<Arrival>,
    headers: &HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    log: &mut AccessLog,
) -> Result<Value, ServiceError> {
    authorize(ctx, headers)?;
    let Query(mut params) =
        query.map_err(|e| ServiceError::invalid("query string", e.body_text()))?;
    let term = params.remove("term").unwrap_or_default();
    log.text_bytes = term.len();
    let audience = json::parse_audience(params.get("audience").map_or("", String::as_str))
        .map_err(|m| ServiceError::invalid("audience", m))?;
    let limit = match params.get("limit").map(String::as_str) {
        None | Some("") => 0,
        Some(s) => s.parse::<u32>().map_err(|_| {
            ServiceError::invalid("limit", format!("'{s}' is not a non-negative integer"))
        })?,
    };
    let deadline = Deadline::for_request(arrival, headers, ctx.config.request_timeout);
    let (snapshot, hits) = ctx.lookup(term, audience, limit as usize, deadline).await?;
    let glossary = snapshot.matcher.glossary();
    let hits = hits
        .iter()
        .filter_map(|h| {
            let c = glossary.get(&h.concept_id)?;
            Some(json!({"concept": json::concept(c), "score": h.score, "match": h.kind.as_str()}))
        })
        .collect::<Vec<_>>();
    log.results = Some(hits.len());
    Ok(json!({ "hits": hits }))
}

async fn get_concept(
    State(ctx): State<Context>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let log = AccessLog::start("GET /v1/concepts/{id}");
    let outcome = authorize(&ctx, &headers).and_then(|()| {
        let snapshot = ctx.app.current();
        ctx.concept(&snapshot, &id).map(json::concept)
    });
    respond(log, outcome)
}

/// Prometheus metrics in the text exposition format; open like `/healthz` (no texts or gap
/// words in it: concept ids, counts and times only).
async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::global().render(),
    )
        .into_response()
}

/// Usage since the process started: translations, look-ups, gaps, annotations per concept.
async fn usage(State(ctx): State<Context>, headers: HeaderMap) -> Response {
    let log = AccessLog::start("GET /v1/usage");
    let outcome = authorize(&ctx, &headers).map(|()| {
        let u = crate::metrics::global().usage();
        let since = crate::service::convert::timestamp(u.since);
        json!({
            "since": {"seconds": since.seconds, "nanos": since.nanos},
            "texts": u.texts,
            "bytes": u.bytes,
            "lookups": u.lookups,
            "lookups_without_hit": u.lookup_misses,
            "gaps": u.gaps,
            "annotations_by_concept": u.concepts.iter()
                .map(|(c, n)| json!({"concept_id": c, "count": n}))
                .collect::<Vec<_>>(),
        })
    });
    respond(log, outcome)
}

/// The gaps seen since the process started, most frequent first (`?limit=`, default 100,
/// at most 1000).
async fn gaps(
    State(ctx): State<Context>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let log = AccessLog::start("GET /v1/gaps");
    let outcome = authorize(&ctx, &headers).and_then(|()| {
        let Query(q) = query.map_err(|e| ServiceError::invalid("query", e.body_text()))?;
        let limit = match q.get("limit") {
            None => 100,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|&n| (1..=1000).contains(&n))
                .ok_or_else(|| {
                    ServiceError::invalid(
                        "limit",
                        format!("'{v}': expected a number from 1 to 1000"),
                    )
                })?,
        };
        let list = crate::metrics::global().gaps(limit);
        Ok(json!({
            "gaps": list.iter().map(|g| json!({
                "key": g.key, "text": g.text, "kind": g.kind.as_str(), "count": g.count,
            })).collect::<Vec<_>>(),
        }))
    });
    respond(log, outcome)
}

/// Liveness and readiness for load balancers; open even when a read token is set.
async fn healthz(State(ctx): State<Context>) -> Response {
    let snapshot = ctx.app.current();
    let glossary = snapshot.matcher.glossary();
    Json(json!({
        "status": "serving",
        "glossary_version": glossary.version(),
        "concepts": glossary.concepts().len(),
    }))
    .into_response()
}

/// Unknown paths: gRPC clients get `UNIMPLEMENTED` the gRPC way, others a JSON 404.
pub(crate) async fn fallback(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let grpc = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    if grpc {
        return tonic::Status::unimplemented(format!("unknown gRPC method {}", uri.path()))
            .into_http::<Body>();
    }
    ServiceError::NotFound(format!("no route for {method} {}", uri.path())).into_response()
}

/// A known path with the wrong method.
pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    ServiceError::MethodNotAllowed(format!("{method} is not allowed on {}", uri.path()))
        .into_response()
}
