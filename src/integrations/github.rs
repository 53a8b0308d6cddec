//! GitHub: issues and pull requests get one comment explaining their jargon (SPEC §10).
//!
//! `POST /v1/hooks/github` verifies `X-Hub-Signature-256` (`sha256=` + hex HMAC-SHA256 of the
//! body under the webhook secret) before reading the body, refuses a delivery id it has
//! already handled (`X-GitHub-Delivery`, remembered in a bounded, expiring memory) with 409,
//! and so a body it has already handled under another delivery id (its SHA-256 remembered
//! alike: a signed body replayed with a new id),
//! answers `ping`, and for `issues` and `pull_request` `opened`/`edited`/`reopened` answers 202
//! at once; then it translates title and body for the repository's reader (configured per
//! repository; a label `for:marketing` or `for:it` on the issue wins) and writes one comment,
//! found again on later edits by a hidden marker and updated in place.

use crate::service::escaped::Escaped;
use std::collections::HashMap;

use sha2::Digest;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::webhook::{self, Ack, Comment, Encoding, Verify};
use super::Webhooks;
use super::{
    answer, header, parse_reader, parse_readers, readers_name, Memory, RemoteError, SetupError,
};
use crate::config::{GithubConfig, Secret, GITHUB_API};
use crate::glossary::Side;
use crate::render;
use crate::service::access_log::AccessLog;
use crate::service::error::ServiceError;
use crate::Format;

/// The hidden marker that finds broker's comment again.
pub const MARKER: &str = "<!-- broker:jargon -->";
/// Deliveries remembered, and for how long (GitHub redelivers for a few days at most).
const DELIVERIES: usize = 50_000;
const DELIVERY_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// The longest comment GitHub accepts, in characters.
const MAX_COMMENT_CHARS: usize = 65_536;
/// Pages of comments searched for the marker (100 per page).
const COMMENT_PAGES: usize = 10;

/// The GitHub integration, when its webhook secret is set.
#[derive(Debug)]
pub struct Github {
    secret: Secret,
    token: Option<Secret>,
    api_base: String,
    reader: Side,
    repos: HashMap<String, Side>,
    http: reqwest::Client,
    deliveries: Memory<String, ()>,
    /// SHA-256 of the bodies handled: the same body under a new delivery id is a replay.
    bodies: Memory<[u8; 32], ()>,
    /// One issue's find-then-write at a time, so that two quick edits never make two comments.
    writing: tokio::sync::Mutex<()>,
}

impl Github {
    pub(crate) fn new(
        c: &GithubConfig,
        http: reqwest::Client,
    ) -> Result<Option<Github>, SetupError> {
        let Some(secret) = c.webhook_secret.clone() else {
            return Ok(None);
        };
        let api_base = c
            .api_base
            .clone()
            .unwrap_or_else(|| GITHUB_API.to_string())
            .trim_end_matches('/')
            .to_string();
        let gh = Github {
            secret,
            token: c.token.clone(),
            reader: parse_reader(c.reader.as_deref(), "github.reader")?,
            repos: parse_readers(&c.repos, "github.repos")?,
            api_base,
            http,
            deliveries: Memory::new(DELIVERIES, DELIVERY_TTL),
            bodies: Memory::new(DELIVERIES, DELIVERY_TTL),
            writing: tokio::sync::Mutex::new(()),
        };
        tracing::info!(
            api = %gh.api_base,
            default_reader = %gh.reader,
            repos = gh.repos.len(),
            "GitHub integration on: POST /v1/hooks/github{}",
            if gh.token.is_some() { "" } else { " (no --github-token: nothing can be commented)" }
        );
        Ok(Some(gh))
    }
}

/// What a delivery asks for: explain this issue or pull request.
#[derive(Debug, Clone)]
struct Item {
    repo: String,
    number: u64,
    text: String,
    reader: Side,
}

/// `POST /v1/hooks/github`.
pub(crate) async fn hook(
    State(ctx): State<Webhooks>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let log = AccessLog::start("POST /v1/hooks/github");
    answer(log, hook_one(&ctx, &headers, raw))
}

impl Verify for Github {
    /// The body's signature, then the headers every delivery has.
    fn verify(&self, headers: &HeaderMap, raw: &[u8]) -> Result<(), ServiceError> {
        super::verify_hub_signature(headers, "x-hub-signature-256", &self.secret, raw)?;
        for name in ["x-github-event", "x-github-delivery"] {
            header(headers, name).map_err(|_| ServiceError::invalid(name, "missing"))?;
        }
        Ok(())
    }
}

impl Github {
    /// Refuses a delivery id already handled, and a body already handled under another id.
    fn refuse_replay(&self, delivery: &str, raw: &[u8]) -> Result<(), ServiceError> {
        if !self.deliveries.insert_new(delivery.to_string()) {
            return Err(ServiceError::Duplicate(format!(
                "x-github-delivery: delivery {delivery} was already handled; nothing done again"
            )));
        }
        let digest: [u8; 32] = sha2::Sha256::digest(raw).into();
        if !self.bodies.insert_new(digest) {
            return Err(ServiceError::Duplicate(
                "body: this signed body was already handled under another delivery id (a replay); \
                 nothing done again"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// The part of a webhook delivery broker reads (`issues`, `pull_request`, `ping`).
#[derive(Debug, Deserialize)]
struct Delivery {
    action: Option<String>,
    /// `ping`'s line of wisdom, sent back.
    zen: Option<String>,
    issue: Option<Issue>,
    pull_request: Option<Issue>,
    repository: Option<Repository>,
}

/// An issue or a pull request.
#[derive(Debug, Deserialize)]
struct Issue {
    number: Option<u64>,
    title: Option<String>,
    body: Option<String>,
    #[serde(default)]
    labels: Vec<Label>,
}

#[derive(Debug, Deserialize)]
struct Label {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Repository {
    full_name: Option<String>,
}

/// A comment, as the API lists them.
#[derive(Debug, Deserialize)]
struct IssueComment {
    id: Option<u64>,
    body: Option<String>,
}

fn hook_one(
    ctx: &Webhooks,
    headers: &HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Ack), ServiceError> {
    let gh = ctx.integrations.github.as_ref().ok_or_else(|| {
        ServiceError::NotFound(
            "the GitHub integration is off: start the server with --github-webhook-secret".into(),
        )
    })?;
    let max = ctx.integrations.max_body;
    let v: Delivery = webhook::verified(max, gh, headers, raw, Encoding::Json, |raw| {
        gh.refuse_replay(header(headers, "x-github-delivery")?, raw)
    })?;
    let event = header(headers, "x-github-event")?;
    let action = v.action.as_deref().unwrap_or_default();
    let item = match event {
        "ping" => {
            let pong = Ack {
                pong: Some(v.zen),
                ..Ack::ok()
            };
            return Ok((StatusCode::OK, pong));
        }
        "issues" | "pull_request" if matches!(action, "opened" | "edited" | "reopened") => {
            let (issue, key) = if event == "issues" {
                (v.issue, "issue")
            } else {
                (v.pull_request, "pull_request")
            };
            item(gh, issue, v.repository, key)?
        }
        _ => {
            let what = format!("{event} {action}").trim().to_string();
            return Ok((StatusCode::OK, Ack::ignored(what)));
        }
    };
    let Some(token) = gh.token.clone() else {
        tracing::warn!("github: an issue to explain, but no --github-token to comment with");
        return Ok((StatusCode::OK, Ack::ignored("no token")));
    };
    let ctx2 = ctx.clone();
    let answer = Ack::queued(format!("{}#{}", item.repo, item.number), item.reader);
    tokio::spawn(async move {
        if let Err(e) = comment(&ctx2, item, token).await {
            tracing::warn!(error = %Escaped(e), "github: no comment written");
        }
    });
    Ok((StatusCode::ACCEPTED, answer))
}

fn item(
    gh: &Github,
    issue: Option<Issue>,
    repository: Option<Repository>,
    key: &str,
) -> Result<Item, ServiceError> {
    let repo = repository
        .and_then(|r| r.full_name)
        .ok_or_else(|| ServiceError::invalid("repository.full_name", "missing"))?;
    if repo.split('/').count() != 2 {
        return Err(ServiceError::invalid(
            "repository.full_name",
            "expected owner/name",
        ));
    }
    let issue = issue.ok_or_else(|| ServiceError::invalid(format!("{key}.number"), "missing"))?;
    let number = issue
        .number
        .ok_or_else(|| ServiceError::invalid(format!("{key}.number"), "missing"))?;
    let title = issue.title.unwrap_or_default();
    let text = match issue.body {
        Some(b) if !b.trim().is_empty() => format!("{title}\n\n{b}"),
        _ => title,
    };
    let label_reader = issue.labels.iter().find_map(|l| match l.name.as_deref() {
        Some(n) if n.eq_ignore_ascii_case("for:marketing") => Some(Side::Marketing),
        Some(n) if n.eq_ignore_ascii_case("for:it") => Some(Side::It),
        _ => None,
    });
    let reader = label_reader
        .or_else(|| gh.repos.get(&repo).copied())
        .unwrap_or(gh.reader);
    Ok(Item {
        repo,
        number,
        text,
        reader,
    })
}

/// The comment's Markdown: the marker, the explanations, and the text with its footnotes.
pub fn comment_body(explanations: &[render::Explanation], rendering: &str, reader: Side) -> String {
    let mut out = format!("{MARKER}\n");
    if explanations.is_empty() {
        out.push_str(&format!(
            "**broker**: nothing to explain for {} in this text.\n",
            readers_name(reader)
        ));
        return out;
    }
    out.push_str(&format!(
        "**Jargon explained for {}** (broker)\n\n",
        readers_name(reader)
    ));
    for e in explanations {
        out.push_str(&format!(
            "- **{}** — {}\n",
            e.text.replace('\n', " "),
            e.long
        ));
    }
    // GitHub refuses comments over 65536 characters: the text with its notes is left out of
    // a comment that would pass that.
    let rendering = rendering.trim_end();
    if out.chars().count() + rendering.chars().count() + 100 > MAX_COMMENT_CHARS {
        out.push_str("\n(The text is too long to repeat here with its notes.)\n");
        return out;
    }
    out.push_str("\n<details><summary>The text with the notes in place</summary>\n\n");
    out.push_str(rendering);
    out.push_str("\n\n</details>\n");
    out
}

async fn comment(ctx: &Webhooks, item: Item, token: Secret) -> Result<(), RemoteError> {
    let gh = ctx.integrations.github.as_ref().ok_or(RemoteError::Off)?;
    let what = format!("{}#{}", item.repo, item.number);
    let resp = super::translate_for(
        ctx,
        item.text.clone(),
        item.reader,
        Format::Markdown,
        super::BACKGROUND_BUDGET,
    )
    .await
    .map_err(|e| RemoteError::Translate(e).during(&what))?;
    let explanations = render::explanations(&resp.annotations, item.reader);
    let rendering = resp.renderings.first().map_or("", |r| r.text.as_str());
    let body = comment_body(&explanations, rendering, item.reader);
    let _one_at_a_time = gh.writing.lock().await;
    let existing = find_comment(gh, &token, &item).await?;
    let request = match existing {
        Some(id) => gh.http.patch(format!(
            "{}/repos/{}/issues/comments/{id}",
            gh.api_base, item.repo
        )),
        None if explanations.is_empty() => return Ok(()),
        None => gh.http.post(format!(
            "{}/repos/{}/issues/{}/comments",
            gh.api_base, item.repo, item.number
        )),
    };
    let r = with_headers(request, &token)
        .json(&Comment { body })
        .send()
        .await
        .map_err(|e| RemoteError::from(e).during(&what))?;
    if !r.status().is_success() {
        return Err(super::remote_error(&format!("{what} comment"), r).await);
    }
    tracing::info!(repo = %Escaped(&item.repo), number = item.number, updated = existing.is_some(), concepts = explanations.len(), "github: comment written");
    Ok(())
}

fn with_headers(r: reqwest::RequestBuilder, token: &Secret) -> reqwest::RequestBuilder {
    r.bearer_auth(token.expose())
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", "2022-11-28")
}

/// The id of broker's comment on the item, if there is one.
async fn find_comment(
    gh: &Github,
    token: &Secret,
    item: &Item,
) -> Result<Option<u64>, RemoteError> {
    let listing = |e: reqwest::Error| {
        RemoteError::from(e)
            .during("listing comments")
            .during(format!("{}#{}", item.repo, item.number))
    };
    for page in 1..=COMMENT_PAGES {
        let url = format!(
            "{}/repos/{}/issues/{}/comments?per_page=100&page={page}",
            gh.api_base, item.repo, item.number
        );
        let r = with_headers(gh.http.get(&url), token)
            .send()
            .await
            .map_err(listing)?;
        if !r.status().is_success() {
            return Err(super::remote_error("listing comments", r).await);
        }
        let list: Vec<IssueComment> = r.json().await.map_err(listing)?;
        if let Some(c) = list
            .iter()
            .find(|c| c.body.as_deref().is_some_and(|b| b.contains(MARKER)))
        {
            return Ok(c.id);
        }
        if list.len() < 100 {
            break;
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_stay_under_githubs_limit() {
        let e = render::Explanation {
            concept_id: "latency".into(),
            text: "latency".into(),
            gloss: "page speed".into(),
            long: "page speed: How long a customer waits.".into(),
        };
        let short = comment_body(
            std::slice::from_ref(&e),
            "Our latency[^1] is bad.",
            Side::Marketing,
        );
        assert!(
            short.starts_with(MARKER) && short.contains("<details>"),
            "{short}"
        );
        let long = comment_body(&[e], &"latency ".repeat(10_000), Side::Marketing);
        assert!(long.chars().count() < MAX_COMMENT_CHARS && !long.contains("<details>"));
        assert!(long.contains("- **latency** — page speed"));
        let none = comment_body(&[], "", Side::It);
        assert!(none.contains("nothing to explain for IT readers"), "{none}");
    }
}
