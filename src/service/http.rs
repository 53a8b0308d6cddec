//! The HTTP/JSON gateway (SPEC §6), for webhooks and curl, on the gRPC port.
//!
//! `POST /v1/translate` takes and returns the JSON shape of `broker translate --json`
//! ([`crate::json`]), so the CLI and the service answer alike. Browse: `GET /v1/lookup`,
//! `/v1/suggest`, `/v1/concepts` (pages), `/v1/concepts/{id}`, `/v1/info`. Admin (bearer
//! token): `PUT`/`DELETE /v1/concepts/{id}`, conditional on `If-Match` (the `ETag` that `GET`
//! and `PUT` send); `If-None-Match: *` makes a `PUT` create-only. Every route calls the same `Context` methods as the gRPC handlers.
//! Errors are `{"error": {"code", "message", "field"?}}` with the HTTP status of
//! [`ServiceError::codes`]: 400 naming the field, 401, 404, 412 (stale etag), 413 naming the
//! limit, 503 when the server offers no edits.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde_json::Value;

use super::access_log::AccessLog;
use super::auth::Access;
use super::context::Context;
use super::deadline::{Arrival, Deadline};
use super::error::ServiceError;
use super::paging::PageRequest;
use super::responses;
use crate::glossary::Concept;
use crate::json;

/// The HTTP routes, with `ctx` as their state.
pub(crate) fn routes(ctx: Context) -> Router {
    let limit = body_limit(ctx.config.max_text_bytes);
    Router::new()
        .route("/v1/translate", post(translate))
        .route("/v1/lookup", get(lookup))
        .route("/v1/suggest", get(suggest))
        .route("/v1/concepts", get(list_concepts))
        .route(
            "/v1/concepts/{id}",
            get(get_concept).put(put_concept).delete(delete_concept),
        )
        .route("/v1/info", get(info))
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
    super::limits::http_body_limit(max_text_bytes)
}

fn authorize(ctx: &Context, headers: &HeaderMap) -> Result<(), ServiceError> {
    authorize_for(ctx, headers, Access::Read)
}

fn authorize_for(ctx: &Context, headers: &HeaderMap, access: Access) -> Result<(), ServiceError> {
    ctx.authorize(
        access,
        headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()),
    )
}

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The query string's parameters.
fn params(query: Params) -> Result<HashMap<String, String>, ServiceError> {
    query
        .map(|Query(p)| p)
        .map_err(|e| ServiceError::invalid("query string", e.body_text()))
}

/// A non-negative integer parameter; absent or empty is 0 (the default, as in the proto).
fn number(params: &HashMap<String, String>, name: &str) -> Result<usize, ServiceError> {
    match params.get(name).map(String::as_str) {
        None | Some("") => Ok(0),
        Some(s) => s.parse::<u32>().map(|n| n as usize).map_err(|_| {
            ServiceError::invalid(name, format!("'{s}' is not a non-negative integer"))
        }),
    }
}

/// The request body, or `TOO_LARGE` naming the limit.
fn body_bytes(ctx: &Context, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ServiceError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            super::limits::body_too_large(ctx.config.max_text_bytes)
        } else {
            ServiceError::invalid("body", e.body_text())
        }
    })
}

/// The request body as JSON.
fn json_body(ctx: &Context, body: Result<Bytes, BytesRejection>) -> Result<Value, ServiceError> {
    let body = body_bytes(ctx, body)?;
    serde_json::from_slice(&body)
        .map_err(|e| ServiceError::invalid("body", format!("not valid JSON: {e}")))
}

/// Logs the outcome and turns it into a response.
fn respond(log: AccessLog, outcome: Result<impl Serialize, ServiceError>) -> Response {
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
    let value = json_body(ctx, body)?;
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
    query: Params,
) -> Response {
    let mut log = AccessLog::start("GET /v1/lookup");
    let outcome = lookup_one(&ctx, arrival.map(|e| e.0), &headers, query, &mut log).await;
    respond(log, outcome)
}

async fn lookup_one(
    ctx: &Context,
    arrival: Option<Arrival>,
    headers: &HeaderMap,
    query: Params,
    log: &mut AccessLog,
) -> Result<responses::Hits, ServiceError> {
    authorize(ctx, headers)?;
    let mut params = params(query)?;
    let term = params.remove("term").unwrap_or_default();
    log.text_bytes = term.len();
    // `for=` as on the command line is accepted too; an error names the parameter given.
    let (name, value) = ["audience", "for"]
        .into_iter()
        .find_map(|n| params.get(n).map(|v| (n, v.as_str())))
        .unwrap_or(("audience", ""));
    let audience =
        json::parse_audience(value).map_err(|m| ServiceError::invalid(name, m.to_string()))?;
    let limit = number(&params, "limit")?;
    let deadline = Deadline::for_request(arrival, headers, ctx.config.request_timeout);
    let (snapshot, hits) = ctx.lookup(term, audience, limit, deadline).await?;
    let glossary = snapshot.matcher.glossary();
    let hits = hits
        .iter()
        .filter_map(|h| {
            let c = glossary.get(&h.concept_id)?;
            Some(responses::Hit {
                concept: json::concept(c),
                kind: h.kind.as_str(),
                score: f64::from(h.score),
            })
        })
        .collect::<Vec<_>>();
    log.results = Some(hits.len());
    Ok(responses::Hits { hits })
}

async fn get_concept(
    State(ctx): State<Context>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let log = AccessLog::start("GET /v1/concepts/{id}");
    let outcome = authorize(&ctx, &headers).and_then(|()| {
        let snapshot = ctx.app.current();
        ctx.concept(&snapshot, &id).cloned()
    });
    respond_concept(log, outcome)
}

/// Logs the outcome; a concept goes out as JSON with its etag also in the `ETag` header
/// (quoted, as HTTP wants it), ready for a later `If-Match`.
fn respond_concept(log: AccessLog, outcome: Result<Concept, ServiceError>) -> Response {
    let etag = outcome.as_ref().ok().map(Concept::etag);
    let mut response = respond(
        log,
        outcome.as_ref().map(json::concept).map_err(Clone::clone),
    );
    if let Some(value) = etag.and_then(|e| HeaderValue::from_str(&format!("\"{e}\"")).ok()) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// `PUT /v1/concepts/{id}`: create or replace (admin), conditional on `If-Match`.
async fn put_concept(
    State(ctx): State<Context>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let log = AccessLog::start("PUT /v1/concepts/{id}");
    let outcome = put_one(&ctx, &headers, id, body).await;
    let warnings = outcome
        .as_ref()
        .map(|c| ctx.shared_terms(c))
        .unwrap_or_default();
    let mut response = respond_concept(log, outcome);
    if !warnings.is_empty() {
        response = with_warnings(response, &warnings).await;
    }
    response
}

/// The answer to a PUT with `"warnings"` added: one sentence per term the concept shares with
/// another concept, saying what to do about it (nothing for a deliberate false friend).
async fn with_warnings(response: Response, warnings: &[crate::glossary::SharedTerm]) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    map.insert(
        "warnings".into(),
        Value::from(warnings.iter().map(ToString::to_string).collect::<Vec<_>>()),
    );
    let mut parts = parts;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(Value::Object(map).to_string()))
}

async fn put_one(
    ctx: &Context,
    headers: &HeaderMap,
    id: String,
    body: Result<Bytes, BytesRejection>,
) -> Result<Concept, ServiceError> {
    let editor = ctx.admin(headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()))?;
    let create_only = if_none_match(headers)?;
    if create_only && headers.contains_key(header::IF_MATCH) {
        return Err(ServiceError::invalid(
            "If-None-Match",
            "cannot go with If-Match: send If-None-Match: * to create, If-Match: ETAG to replace",
        ));
    }
    let value = json_body(ctx, body)?;
    let mut concept = json::concept_from_json(&value).map_err(|e| match e.field.as_str() {
        "body" => ServiceError::from(e),
        field => ServiceError::invalid(format!("concept.{field}"), e.message),
    })?;
    if concept.id.is_empty() {
        concept.id = id;
    } else if concept.id != id {
        return Err(ServiceError::invalid(
            "id",
            format!(
                "the body says '{}' but the path says '{id}'; to rename a concept, PUT the new \
                 id and DELETE the old one",
                concept.id
            ),
        ));
    }
    let etag = if create_only {
        crate::store::CREATE_ONLY.to_string()
    } else {
        if_match(ctx, headers, &concept.id)?
    };
    ctx.upsert(concept, etag, editor)
        .await
        .map_err(http_condition)
}

/// Whether the PUT is create-only: `If-None-Match: *` (SPEC §6). Other values are refused:
/// a concept is either there or not, so only `*` means something.
fn if_none_match(headers: &HeaderMap) -> Result<bool, ServiceError> {
    let Some(value) = headers.get(header::IF_NONE_MATCH) else {
        return Ok(false);
    };
    match value.to_str().map(str::trim) {
        Ok("*") => Ok(true),
        _ => Err(ServiceError::invalid(
            "If-None-Match",
            "only '*' is supported (create the concept only if its id is free)",
        )),
    }
}

/// `DELETE /v1/concepts/{id}` (admin), conditional on `If-Match`.
async fn delete_concept(
    State(ctx): State<Context>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let log = AccessLog::start("DELETE /v1/concepts/{id}");
    let outcome = async {
        let editor = ctx.admin(headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()))?;
        let etag = if_match(&ctx, &headers, &id)?;
        ctx.delete(id.clone(), etag, editor)
            .await
            .map_err(http_condition)?;
        Ok(responses::Deleted { deleted: id })
    }
    .await;
    respond(log, outcome)
}

/// The etag an edit is conditional on: the `If-Match` header (quoted or not, `W/` ignored),
/// empty for none. `If-Match: *` asks that the concept exist, whatever its etag.
fn if_match(ctx: &Context, headers: &HeaderMap, id: &str) -> Result<String, ServiceError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(String::new());
    };
    let value = value
        .to_str()
        .map_err(|_| ServiceError::invalid("If-Match", "must be an etag in visible ASCII"))?
        .trim();
    if value == "*" {
        let snapshot = ctx.app.current();
        return match snapshot.matcher.glossary().get(id) {
            Some(c) => Ok(c.etag()),
            None => Err(ServiceError::Aborted(format!(
                "If-Match: * asks for an existing concept, and there is no concept '{id}'"
            ))),
        };
    }
    let value = value.strip_prefix("W/").unwrap_or(value);
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    if value.is_empty() {
        return Err(ServiceError::invalid(
            "If-Match",
            "is empty: send the concept's etag, or leave the header out",
        ));
    }
    Ok(value.to_string())
}

/// Over HTTP the etag condition travels in `If-Match`, not in a field `expected_etag`.
fn http_condition(e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Aborted(m) => {
            ServiceError::Aborted(m.replacen("expected_etag", "If-Match", 1))
        }
        e => e,
    }
}

/// `GET /v1/concepts?page_size=&page_token=&tag=&query=`: one page of the glossary.
async fn list_concepts(State(ctx): State<Context>, headers: HeaderMap, query: Params) -> Response {
    let mut log = AccessLog::start("GET /v1/concepts");
    let outcome = authorize(&ctx, &headers).and_then(|()| {
        let params = params(query)?;
        let get = |name: &str| params.get(name).map_or("", String::as_str);
        log.text_bytes = get("query").len();
        let snapshot = ctx.app.current();
        let page = ctx.list_concepts(
            &snapshot,
            &PageRequest {
                page_size: number(&params, "page_size")?,
                page_token: get("page_token"),
                tag: get("tag"),
                query: get("query"),
            },
        )?;
        log.results = Some(page.concepts.len());
        Ok(responses::ConceptPage {
            concepts: page.concepts.iter().map(|c| json::concept(c)).collect(),
            next_page_token: page.next_page_token,
        })
    });
    respond(log, outcome)
}

/// `GET /v1/suggest?prefix=&side=&limit=`: autocompletion.
async fn suggest(
    State(ctx): State<Context>,
    arrival: Option<Extension<Arrival>>,
    headers: HeaderMap,
    query: Params,
) -> Response {
    let mut log = AccessLog::start("GET /v1/suggest");
    let outcome = async {
        authorize(&ctx, &headers)?;
        let mut params = params(query)?;
        let prefix = params.remove("prefix").unwrap_or_default();
        log.text_bytes = prefix.len();
        let side = json::parse_audience(params.get("side").map_or("", String::as_str))
            .map_err(|m| ServiceError::invalid("side", m.to_string()))?;
        let limit = number(&params, "limit")?;
        let deadline =
            Deadline::for_request(arrival.map(|e| e.0), &headers, ctx.config.request_timeout);
        let suggestions = ctx.suggest(prefix, side, limit, deadline).await?;
        log.results = Some(suggestions.len());
        let suggestions = suggestions
            .into_iter()
            .map(|s| responses::Suggestion {
                concept_id: s.concept_id,
                side: s.side.as_str(),
                term: s.term,
            })
            .collect();
        Ok(responses::Suggestions { suggestions })
    }
    .await;
    respond(log, outcome)
}

/// `GET /v1/info`: the glossary's version and counts (`GlossaryInfo`; `loaded_at` in RFC 3339,
/// as the proto JSON mapping writes a `Timestamp`).
async fn info(State(ctx): State<Context>, headers: HeaderMap) -> Response {
    let log = AccessLog::start("GET /v1/info");
    let outcome = authorize(&ctx, &headers).map(|()| {
        let i = ctx.info();
        responses::Info {
            concepts: i.concepts,
            false_friends: i.false_friends,
            it_terms: i.it_terms,
            loaded_at: crate::service::convert::timestamp(i.loaded_at).to_string(),
            marketing_terms: i.marketing_terms,
            source: i.source,
            version: i.version,
        }
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

/// Usage since the process started (`since` in RFC 3339, like `loaded_at` in `/v1/info`):
/// translations, look-ups, gaps, annotations per concept.
async fn usage(State(ctx): State<Context>, headers: HeaderMap) -> Response {
    let log = AccessLog::start("GET /v1/usage");
    let outcome = authorize(&ctx, &headers).map(|()| {
        let u = crate::metrics::global().usage();
        let since = crate::service::convert::timestamp(u.since);
        responses::Usage {
            annotations_by_concept: u
                .concepts
                .into_iter()
                .map(|(concept_id, count)| responses::ConceptCount { concept_id, count })
                .collect(),
            bytes: u.bytes,
            gaps: u.gaps,
            lookups: u.lookups,
            lookups_without_hit: u.lookup_misses,
            since: since.to_string(),
            texts: u.texts,
        }
    });
    respond(log, outcome)
}

/// The gaps seen since the process started, most frequent first (`?limit=`, default 100,
/// at most 1000).
async fn gaps(State(ctx): State<Context>, headers: HeaderMap, query: Params) -> Response {
    let log = AccessLog::start("GET /v1/gaps");
    let outcome = authorize(&ctx, &headers).and_then(|()| {
        let q = params(query)?;
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
        Ok(crate::metrics::global().gaps(limit))
    });
    let outcome = outcome.as_ref().map(|list| responses::Gaps {
        gaps: list
            .iter()
            .map(|g| responses::Gap {
                count: g.count,
                key: &g.key,
                kind: g.kind.as_str(),
                text: &g.text,
            })
            .collect(),
    });
    respond(log, outcome.map_err(Clone::clone))
}

/// Liveness and readiness for load balancers; open even when a read token is set.
async fn healthz(State(ctx): State<Context>) -> Response {
    let snapshot = ctx.app.current();
    let glossary = snapshot.matcher.glossary();
    Json(responses::Health {
        concepts: glossary.concepts().len(),
        glossary_version: glossary.version(),
        status: "serving",
    })
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
