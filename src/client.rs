//! A client of a running broker's HTTP/JSON admin and browse routes (SPEC §6), for
//! `broker concept get|put|delete|list`, and the reading of one concept from a file.
//!
//! [`AdminClient`] speaks to `GET/PUT/DELETE /v1/concepts/{id}` and `GET /v1/concepts` with
//! reqwest (rustls); a refusal comes back as [`ClientError::Refused`] carrying the server's
//! status, code and message, so that the CLI prints what the server said. [`read_concept`]
//! reads a concept written as TOML (the glossary's `[[concept]]` format, one concept,
//! checked with the glossary loader's `file:line` messages) or as JSON (the shape of
//! `GET /v1/concepts/{id}`).

use std::path::Path;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::config::Secret;
use crate::glossary::{Concept, Glossary, Source};
use crate::json;

/// Why a request to the server did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached (or answered something that is not HTTP).
    #[error("cannot reach the broker server at {url}: {message}")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server answered with an error.
    #[error("the server refused ({status} {code}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The error code of the JSON body (`NOT_FOUND`, `ABORTED`, …).
        code: String,
        /// The server's message, which names the field or the limit.
        message: String,
    },
    /// The server answered 2xx with a body that is not the expected JSON.
    #[error("unexpected answer from {url}: {message}")]
    BadAnswer {
        /// The URL asked.
        url: String,
        /// What is wrong with the answer.
        message: String,
    },
}

/// Why a concept file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConceptFileError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The file does not hold one valid concept; the message names `file:line` or the field.
    #[error("{0}")]
    Invalid(String),
}

/// One page of `GET /v1/concepts`.
#[derive(Debug, Clone)]
pub struct ConceptPage {
    /// The concepts, as JSON in the shape of `GET /v1/concepts/{id}`.
    pub concepts: Vec<Value>,
    /// The token of the next page; empty on the last.
    pub next_page_token: String,
}

/// A client of one broker server.
#[derive(Debug, Clone)]
pub struct AdminClient {
    base: String,
    token: Option<Secret>,
    http: reqwest::Client,
}

impl AdminClient {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:50051`), sending `token` as
    /// `Authorization: Bearer` when given.
    ///
    /// # Errors
    /// When `base` is not an `http://` or `https://` URL, or the TLS setup fails.
    pub fn new(base: &str, token: Option<Secret>) -> Result<AdminClient, ClientError> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::Unreachable {
                url: base,
                message: "--server must be an http:// or https:// URL".into(),
            });
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::Unreachable {
                url: base.clone(),
                message: e.to_string(),
            })?;
        Ok(AdminClient { base, token, http })
    }

    /// `GET /v1/concepts/{id}`: the concept as JSON (with its `etag`).
    ///
    /// # Errors
    /// [`ClientError`]; `Refused` with status 404 when there is no such concept.
    pub async fn get(&self, id: &str) -> Result<Value, ClientError> {
        self.call(
            Method::GET,
            &format!("/v1/concepts/{}", segment(id)),
            None,
            None,
        )
        .await
    }

    /// `PUT /v1/concepts/{id}`: creates or replaces `concept`; with `if_match`, only if the
    /// stored concept still has that etag. Returns the stored concept with its new etag.
    ///
    /// # Errors
    /// [`ClientError`]; `Refused` with 400 (the field named), 401, 412 (stale etag) or 503
    /// (the server offers no edits).
    pub async fn put(
        &self,
        concept: &Concept,
        if_match: Option<&str>,
    ) -> Result<Value, ClientError> {
        let body = json::concept(concept);
        let path = format!("/v1/concepts/{}", segment(&concept.id));
        self.call(Method::PUT, &path, Some(body), if_match).await
    }

    /// `PUT /v1/concepts/{id}` with `If-None-Match: *`: creates `concept` only if no concept
    /// has its id yet (never replaces one). Returns the stored concept with its etag, and
    /// `warnings` when another concept already has one of its terms.
    ///
    /// # Errors
    /// As [`AdminClient::put`]; `Refused` with 412 when the id is taken.
    pub async fn create(&self, concept: &Concept) -> Result<Value, ClientError> {
        let body = json::concept(concept);
        let path = format!("/v1/concepts/{}", segment(&concept.id));
        self.call(Method::PUT, &path, Some(body), Some(CREATE_ONLY))
            .await
    }

    /// `DELETE /v1/concepts/{id}`, with `if_match` as for [`AdminClient::put`].
    ///
    /// # Errors
    /// [`ClientError`]; `Refused` with 404 when there is no such concept.
    pub async fn delete(&self, id: &str, if_match: Option<&str>) -> Result<(), ClientError> {
        self.call(
            Method::DELETE,
            &format!("/v1/concepts/{}", segment(id)),
            None,
            if_match,
        )
        .await
        .map(drop)
    }

    /// `GET /v1/concepts`: one page, filtered by `tag` and `query` (empty for none).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn list(
        &self,
        page_size: usize,
        page_token: &str,
        tag: &str,
        query: &str,
    ) -> Result<ConceptPage, ClientError> {
        let path = format!(
            "/v1/concepts?page_size={page_size}&page_token={}&tag={}&query={}",
            segment(page_token),
            segment(tag),
            segment(query)
        );
        let url = format!("{}{path}", self.base);
        let v = self.call(Method::GET, &path, None, None).await?;
        let bad = |m: &str| ClientError::BadAnswer {
            url: url.clone(),
            message: m.into(),
        };
        let concepts = v["concepts"]
            .as_array()
            .ok_or_else(|| bad("no 'concepts' array"))?
            .clone();
        let next_page_token = v["next_page_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Ok(ConceptPage {
            concepts,
            next_page_token,
        })
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> Result<Value, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.request(method, &url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t.expose());
        }
        if if_match == Some(CREATE_ONLY) {
            req = req.header(reqwest::header::IF_NONE_MATCH, "*");
        } else if let Some(etag) = if_match {
            req = req.header(
                reqwest::header::IF_MATCH,
                format!("\"{}\"", etag.trim_matches('"')),
            );
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.map_err(|e| ClientError::Unreachable {
            url: url.clone(),
            message: error_chain(&e),
        })?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| ClientError::Unreachable {
            url: url.clone(),
            message: error_chain(&e),
        })?;
        let value: Option<Value> = serde_json::from_str(&text).ok();
        if !status.is_success() {
            let error = value.as_ref().map(|v| &v["error"]);
            let field = |name: &str| error.and_then(|e| e[name].as_str()).map(str::to_string);
            return Err(ClientError::Refused {
                status: status.as_u16(),
                code: field("code").unwrap_or_else(|| reason(status)),
                message: field("message")
                    .unwrap_or_else(|| text.trim().chars().take(500).collect()),
            });
        }
        value.ok_or_else(|| ClientError::BadAnswer {
            url,
            message: "the body is not JSON".into(),
        })
    }
}

/// The condition of [`AdminClient::create`], passed where an etag goes (no etag looks like it).
const CREATE_ONLY: &str = crate::store::CREATE_ONLY;

fn reason(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_uppercase()
        .replace(' ', "_")
}

/// An error with its causes ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Percent-encodes a path segment or query value (everything but unreserved characters).
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads one concept from `path`: JSON when the name ends in `.json` or the text starts with
/// `{`, else TOML in the glossary's format (`[[concept]]` with `[concept.it]` and
/// `[concept.marketing]`). The concept is checked with the glossary's rules. A JSON file's
/// `etag` is returned too (for `If-Match`).
///
/// # Errors
/// [`ConceptFileError`] naming `file:line` (TOML) or the field (JSON).
pub fn read_concept(path: &Path) -> Result<(Concept, Option<String>), ConceptFileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConceptFileError::Io {
        path: name.clone(),
        source,
    })?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    if is_json {
        concept_from_json_text(&name, &text)
    } else {
        concept_from_toml_text(&name, &text).map(|c| (c, None))
    }
}

fn concept_from_json_text(
    name: &str,
    text: &str,
) -> Result<(Concept, Option<String>), ConceptFileError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ConceptFileError::Invalid(format!("{name}: not valid JSON: {e}")))?;
    let concept = json::concept_from_json(&value)
        .map_err(|e| ConceptFileError::Invalid(format!("{name}: {e}")))?;
    concept
        .validate()
        .map_err(|e| ConceptFileError::Invalid(format!("{name}: {e}")))?;
    let etag = value["etag"]
        .as_str()
        .filter(|e| !e.is_empty())
        .map(str::to_string);
    Ok((concept, etag))
}

fn concept_from_toml_text(name: &str, text: &str) -> Result<Concept, ConceptFileError> {
    let glossary = Glossary::from_files(&[(name.to_string(), text.to_string())], Source::Memory)
        .map_err(|e| ConceptFileError::Invalid(e.to_string()))?;
    match glossary.concepts() {
        [one] => Ok(one.clone()),
        [] => Err(ConceptFileError::Invalid(format!(
            "{name}: no concept: write one [[concept]] table with an id and at least one side"
        ))),
        many => Err(ConceptFileError::Invalid(format!(
            "{name}: {} concepts; put one concept per file",
            many.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concept_files_in_both_formats() {
        let toml = "[[concept]]\nid = \"nps\"\n\n[concept.marketing]\nterms = [\"NPS\"]\ndefinition = \"Promoters minus detractors.\"\n";
        let c = concept_from_toml_text("nps.toml", toml).unwrap();
        assert_eq!(c.id, "nps");
        let (j, etag) = concept_from_json_text("nps.json", &json::concept(&c).to_string()).unwrap();
        assert_eq!(j, c);
        assert_eq!(etag, Some(c.etag()));

        let bad = "[[concept]]\nid = \"nps\"\n\n[concept.marketing]\nterms = [\"\"]\ndefinition = \"d\"\n";
        let e = concept_from_toml_text("nps.toml", bad)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("nps.toml:"), "{e}");
        let e = concept_from_json_text("c.json", "{\"id\": \"x\", \"it\": 3}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.json: it: "), "{e}");
        let two = format!(
            "{toml}\n[[concept]]\nid = \"b\"\n[concept.it]\nterms = [\"B\"]\ndefinition = \"d\"\n"
        );
        assert!(concept_from_toml_text("t.toml", &two)
            .unwrap_err()
            .to_string()
            .contains("one concept per file"));
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(segment("ok-1_2.3~"), "ok-1_2.3~");
    }
}
