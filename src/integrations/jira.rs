//! Jira: a comment explaining an issue's jargon, in Atlassian Document Format (SPEC §10).
//!
//! `POST /v1/hooks/jira` verifies `X-Hub-Signature` (`sha256=` + hex HMAC-SHA256 of the body
//! under the webhook secret) before reading the body, refuses a webhook delivery it has
//! already handled (`X-Atlassian-Webhook-Identifier`) with 409, and for `jira:issue_created`
//! and `jira:issue_updated` (only when the summary or description changed: broker's own
//! comment also fires `issue_updated`) answers 202 at once. Then it translates summary and
//! description for the project's reader and posts `POST {base}/rest/api/3/issue/{key}/comment`
//! with the concepts this issue has not been told about yet (remembered per issue, bounded).

use crate::service::escaped::Escaped;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::webhook::{self, Ack, Comment, Encoding, Verify};
use super::Webhooks;
use super::{
    answer, header, parse_reader, parse_readers, readers_name, Memory, RemoteError, SetupError,
};
use crate::config::{JiraConfig, Secret};
use crate::glossary::Side;
use crate::render::{self, Explanation};
use crate::service::access_log::AccessLog;
use crate::service::error::ServiceError;
use crate::Format;

const ISSUES: usize = 50_000;
const ISSUE_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// The Jira integration, when its webhook secret is set.
#[derive(Debug)]
pub struct Jira {
    secret: Secret,
    base: Option<String>,
    user: Option<String>,
    token: Option<Secret>,
    reader: Side,
    projects: HashMap<String, Side>,
    http: reqwest::Client,
    deliveries: Memory<String, ()>,
    /// Concepts already explained per issue key.
    told: Memory<String, HashSet<String>>,
}

impl Jira {
    pub(crate) fn new(c: &JiraConfig, http: reqwest::Client) -> Result<Option<Jira>, SetupError> {
        let Some(secret) = c.webhook_secret.clone() else {
            return Ok(None);
        };
        let base = c.base.as_ref().map(|b| b.trim_end_matches('/').to_string());
        if let Some(b) = &base {
            if !(b.starts_with("https://") || b.starts_with("http://")) {
                return Err(SetupError::NotHttp {
                    setting: "jira.base",
                    value: b.clone(),
                });
            }
        }
        let jira = Jira {
            secret,
            base,
            user: c.user.clone(),
            token: c.token.clone(),
            reader: parse_reader(c.reader.as_deref(), "jira.reader")?,
            projects: parse_readers(&c.projects, "jira.projects")?,
            http,
            deliveries: Memory::new(ISSUES, Duration::from_secs(7 * 24 * 3600)),
            told: Memory::new(ISSUES, ISSUE_TTL),
        };
        let can_post = jira.base.is_some() && jira.user.is_some() && jira.token.is_some();
        tracing::info!(
            base = jira.base.as_deref().unwrap_or("-"),
            default_reader = %jira.reader,
            projects = jira.projects.len(),
            "Jira integration on: POST /v1/hooks/jira{}",
            if can_post { "" } else { " (without --jira-base, --jira-user and --jira-token nothing can be commented)" }
        );
        Ok(Some(jira))
    }
}

/// `POST /v1/hooks/jira`.
pub(crate) async fn hook(
    State(ctx): State<Webhooks>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let log = AccessLog::start("POST /v1/hooks/jira");
    answer(log, hook_one(&ctx, &headers, raw))
}

impl Verify for Jira {
    fn verify(&self, headers: &HeaderMap, raw: &[u8]) -> Result<(), ServiceError> {
        super::verify_hub_signature(headers, "x-hub-signature", &self.secret, raw)
    }
}

impl Jira {
    /// Refuses a webhook delivery already handled (when Jira names it).
    fn refuse_replay(&self, headers: &HeaderMap) -> Result<(), ServiceError> {
        if let Ok(id) = header(headers, "x-atlassian-webhook-identifier") {
            if !self.deliveries.insert_new(id.to_string()) {
                return Err(ServiceError::Duplicate(format!(
                    "x-atlassian-webhook-identifier: delivery {id} was already handled; nothing done again"
                )));
            }
        }
        Ok(())
    }
}

/// The part of a Jira webhook broker reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    webhook_event: Option<String>,
    changelog: Option<Changelog>,
    issue: Option<Issue>,
}

#[derive(Debug, Deserialize)]
struct Changelog {
    #[serde(default)]
    items: Vec<Change>,
}

#[derive(Debug, Deserialize)]
struct Change {
    field: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Issue {
    key: Option<String>,
    fields: Option<Fields>,
}

#[derive(Debug, Default, Deserialize)]
struct Fields {
    summary: Option<String>,
    description: Option<Description>,
    project: Option<Project>,
}

#[derive(Debug, Deserialize)]
struct Project {
    key: Option<String>,
}

/// A description: Jira Cloud webhooks send wiki-markup strings; API v3 sends ADF.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Description {
    Text(String),
    Doc(AdfIn),
    Other(serde::de::IgnoredAny),
}

/// A node of an Atlassian Document Format document, as far as its text goes.
#[derive(Debug, Deserialize)]
struct AdfIn {
    #[serde(rename = "type")]
    kind: Option<String>,
    text: Option<String>,
    content: Option<Vec<AdfIn>>,
}

fn hook_one(
    ctx: &Webhooks,
    headers: &HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Ack), ServiceError> {
    let jira = ctx.integrations.jira.as_ref().ok_or_else(|| {
        ServiceError::NotFound(
            "the Jira integration is off: start the server with --jira-webhook-secret".into(),
        )
    })?;
    let max = ctx.integrations.max_body;
    let v: Event = webhook::verified(max, jira, headers, raw, Encoding::Json, |_| {
        jira.refuse_replay(headers)
    })?;
    let event = v.webhook_event.ok_or_else(|| {
        ServiceError::invalid("webhookEvent", "missing: not a Jira webhook payload")
    })?;
    let relevant = match event.as_str() {
        "jira:issue_created" => true,
        "jira:issue_updated" => v.changelog.is_some_and(|c| {
            c.items
                .iter()
                .any(|i| matches!(i.field.as_deref(), Some("summary" | "description")))
        }),
        _ => false,
    };
    if !relevant {
        return Ok((StatusCode::OK, Ack::ignored(event)));
    }
    let issue = v.issue;
    let key = issue
        .as_ref()
        .and_then(|i| i.key.clone())
        .filter(|k| !k.is_empty() && !k.contains('/'))
        .ok_or_else(|| ServiceError::invalid("issue.key", "missing"))?;
    let fields = issue.and_then(|i| i.fields).unwrap_or_default();
    let summary = fields.summary.unwrap_or_default();
    let description = description_text(fields.description);
    let text = if description.trim().is_empty() {
        summary
    } else {
        format!("{summary}\n\n{description}")
    };
    let project = fields
        .project
        .and_then(|p| p.key)
        .unwrap_or_else(|| key.split('-').next().unwrap_or_default().to_string());
    let reader = jira.projects.get(&project).copied().unwrap_or(jira.reader);
    let (Some(base), Some(user), Some(token)) =
        (jira.base.clone(), jira.user.clone(), jira.token.clone())
    else {
        tracing::warn!("jira: an issue to explain, but no --jira-base/--jira-user/--jira-token to comment with");
        return Ok((StatusCode::OK, Ack::ignored("no Jira credentials")));
    };
    let ctx2 = ctx.clone();
    let answer = Ack::queued(key.clone(), reader);
    tokio::spawn(async move {
        let target = Target {
            base,
            user,
            token,
            key,
        };
        if let Err(e) = comment(&ctx2, &target, text, reader).await {
            tracing::warn!(issue = %Escaped(&target.key), error = %Escaped(e), "jira: no comment posted");
        }
    });
    Ok((StatusCode::ACCEPTED, answer))
}

/// The text of a description.
fn description_text(d: Option<Description>) -> String {
    match d {
        Some(Description::Text(s)) => s,
        Some(Description::Doc(node)) => {
            let mut out = String::new();
            adf_text(&node, &mut out);
            out
        }
        Some(Description::Other(_)) | None => String::new(),
    }
}

fn adf_text(node: &AdfIn, out: &mut String) {
    if let Some(t) = &node.text {
        out.push_str(t);
    }
    if let Some(children) = &node.content {
        for c in children {
            adf_text(c, out);
        }
        if matches!(
            node.kind.as_deref(),
            Some("paragraph" | "heading" | "listItem")
        ) {
            out.push('\n');
        }
    }
}

struct Target {
    base: String,
    user: String,
    token: Secret,
    key: String,
}

/// A node of an Atlassian Document Format document, as broker writes them. Fields in
/// alphabetical order, as the JSON maps they replace wrote them.
#[derive(Debug, Serialize)]
pub struct Adf {
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Vec<Adf>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    marks: Option<Vec<Mark>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u32>,
}

/// A text mark (`strong`).
#[derive(Debug, Serialize)]
pub struct Mark {
    #[serde(rename = "type")]
    kind: &'static str,
}

impl Adf {
    fn node(kind: &'static str, content: Vec<Adf>) -> Adf {
        Adf {
            content: Some(content),
            marks: None,
            text: None,
            kind,
            version: None,
        }
    }

    fn text(text: impl Into<String>) -> Adf {
        Adf {
            content: None,
            marks: None,
            text: Some(text.into()),
            kind: "text",
            version: None,
        }
    }

    fn strong(text: impl Into<String>) -> Adf {
        Adf {
            marks: Some(vec![Mark { kind: "strong" }]),
            ..Adf::text(text)
        }
    }
}

/// The comment, as an Atlassian Document Format document: a bold heading line and a bullet
/// list, each item the term in bold and its explanation.
pub fn adf_comment(explanations: &[Explanation], reader: Side) -> Adf {
    let items = explanations
        .iter()
        .map(|e| {
            let line = vec![Adf::strong(&e.text), Adf::text(format!(" — {}", e.long))];
            Adf::node("listItem", vec![Adf::node("paragraph", line)])
        })
        .collect();
    let heading = vec![
        Adf::strong(format!("Jargon explained for {}", readers_name(reader))),
        Adf::text(" (broker)"),
    ];
    Adf {
        version: Some(1),
        ..Adf::node(
            "doc",
            vec![
                Adf::node("paragraph", heading),
                Adf::node("bulletList", items),
            ],
        )
    }
}

async fn comment(
    ctx: &Webhooks,
    t: &Target,
    text: String,
    reader: Side,
) -> Result<(), RemoteError> {
    let jira = ctx.integrations.jira.as_ref().ok_or(RemoteError::Off)?;
    let resp = super::translate_for(ctx, text, reader, Format::None, super::BACKGROUND_BUDGET)
        .await
        .map_err(RemoteError::Translate)?;
    let all = render::explanations(&resp.annotations, reader);
    let ids: Vec<String> = all.iter().map(|e| e.concept_id.clone()).collect();
    let told = jira.told.update(t.key.clone(), |told, _| {
        let before = told.clone();
        told.extend(ids.iter().cloned());
        before
    });
    let new: Vec<Explanation> = all
        .into_iter()
        .filter(|e| !told.contains(&e.concept_id))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    let url = format!("{}/rest/api/3/issue/{}/comment", t.base, t.key);
    let r = jira
        .http
        .post(&url)
        .basic_auth(&t.user, Some(t.token.expose()))
        .header("accept", "application/json")
        .json(&Comment {
            body: adf_comment(&new, reader),
        })
        .send()
        .await
        .map_err(|e| RemoteError::from(e).during("posting the comment"))?;
    if !r.status().is_success() {
        return Err(super::remote_error("posting the comment", r).await);
    }
    tracing::info!(issue = %Escaped(&t.key), concepts = new.len(), "jira: comment posted");
    Ok(())
}
