//! Slack: the `/jargon` slash command and the Events API (SPEC §10).
//!
//! - `POST /v1/slack/commands` (form-encoded): `/jargon TEXT` answers the text annotated for
//!   the caller's side, `/jargon for it|marketing TEXT` for a named side, `/jargon lookup TERM`
//!   a short card, all ephemeral. A text over [`INLINE_BYTES`] is answered "working on it" at
//!   once and the annotated text follows through `response_url`.
//! - `POST /v1/slack/events` (JSON): `url_verification` gets its challenge back; `app_mention`
//!   and direct messages are answered in their thread with `chat.postMessage`, after the
//!   webhook's answer. A thread remembers, per reader, which concepts it already explained
//!   (bounded, expiring [`super::Memory`]): a concept is explained once per thread and reader.
//!
//! Requests are verified before their content is read: `X-Slack-Signature` is
//! `v0=hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + body))` (a slash command
//! whose signature was already accepted within the window is a replay: 409; events are
//! idempotent by their event id), and
//! `X-Slack-Request-Timestamp` must be within 5 minutes of the server's clock.
//!
//! Formatting is Block Kit `mrkdwn`: explained terms in bold with the explanation after, in
//! italics; `&`, `<` and `>` escaped as Slack asks.

use crate::service::escaped::Escaped;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::webhook::{self, Ack, Encoding, Verify};
use super::Webhooks;
use super::{answer, header, parse_reader, parse_readers, readers_name, Memory};
use crate::config::{Secret, SlackConfig, SLACK_API};
use crate::glossary::{Concept, Side};
use crate::render;
use crate::render::Annotation;
use crate::service::access_log::AccessLog;
use crate::service::deadline::Deadline;
use crate::service::error::ServiceError;
use crate::Format;

/// Texts longer than this are answered through `response_url`, after the 3-second answer.
pub const INLINE_BYTES: usize = 3000;
/// How long a slash command may translate before answering; Slack waits 3 s.
const INLINE_BUDGET: Duration = Duration::from_secs(2);
/// How far a request's timestamp may be from the server's clock.
pub const MAX_SKEW_SECS: u64 = 5 * 60;
/// The most characters in one section block (Slack allows 3000).
const SECTION_CHARS: usize = 2800;
/// The most blocks in one message (Slack allows 50).
const MAX_BLOCKS: usize = 45;
/// Threads remembered, and for how long.
const THREADS: usize = 10_000;
const THREAD_TTL: Duration = Duration::from_secs(24 * 3600);
/// Signed requests remembered within the timestamp window (the oldest go first beyond it).
const SIGNATURES: usize = 100_000;

/// A thread and a reader in it: (channel, thread ts, user).
type ThreadKey = (String, String, String);

/// The Slack integration, when its signing secret is set.
#[derive(Debug)]
pub struct Slack {
    signing_secret: Secret,
    bot_token: Option<Secret>,
    api_base: String,
    reader: Side,
    readers: HashMap<String, Side>,
    http: reqwest::Client,
    /// Concepts already explained, per thread and reader.
    threads: Arc<Memory<ThreadKey, HashSet<String>>>,
    /// Event ids seen (Slack retries an event it thinks was not answered).
    events: Memory<String, ()>,
    /// Signatures (with their timestamps) of the requests accepted within the timestamp
    /// window: the same signed request again is a replay.
    signatures: Memory<String, ()>,
}

impl Slack {
    pub(crate) fn new(
        c: &SlackConfig,
        http: reqwest::Client,
    ) -> Result<Option<Slack>, super::SetupError> {
        let Some(signing_secret) = c.signing_secret.clone() else {
            return Ok(None);
        };
        let api_base = c
            .api_base
            .clone()
            .unwrap_or_else(|| SLACK_API.to_string())
            .trim_end_matches('/')
            .to_string();
        let slack = Slack {
            signing_secret,
            bot_token: c.bot_token.clone(),
            reader: parse_reader(c.reader.as_deref(), "slack.reader")?,
            readers: parse_readers(&c.readers, "slack.readers")?,
            api_base,
            http,
            threads: Arc::new(Memory::new(THREADS, THREAD_TTL)),
            events: Memory::new(THREADS, Duration::from_secs(3600)),
            // Both sides of the server's clock: a timestamp is accepted for twice the window.
            signatures: Memory::new(SIGNATURES, Duration::from_secs(2 * MAX_SKEW_SECS + 60)),
        };
        tracing::info!(
            api = %slack.api_base,
            default_reader = %slack.reader,
            readers = slack.readers.len(),
            replies = slack.bot_token.is_some(),
            "Slack integration on: POST /v1/slack/commands, POST /v1/slack/events{}",
            if slack.bot_token.is_some() { "" } else { " (no --slack-bot-token: events are not answered)" }
        );
        Ok(Some(slack))
    }

    fn reader_of(&self, user: &str) -> Side {
        self.readers.get(user).copied().unwrap_or(self.reader)
    }
}

impl Verify for Slack {
    /// Checks the signature and the timestamp, before anything of the body is used.
    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), ServiceError> {
        let ts = header(headers, "x-slack-request-timestamp")?;
        let sig = header(headers, "x-slack-signature")?;
        let when: u64 = ts.parse().map_err(|_| {
            ServiceError::Unauthenticated("x-slack-request-timestamp: not a Unix time".into())
        })?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if now.abs_diff(when) > MAX_SKEW_SECS {
            return Err(ServiceError::Unauthenticated(format!(
                "x-slack-request-timestamp: {} s from the server's clock, over the {MAX_SKEW_SECS} s \
                 window (a replayed request, or a clock to fix)",
                now.abs_diff(when)
            )));
        }
        let hex = sig.strip_prefix("v0=").ok_or_else(|| {
            ServiceError::Unauthenticated("x-slack-signature: expected 'v0=<hex>'".into())
        })?;
        if !super::signature_matches(
            &self.signing_secret,
            &[b"v0:", ts.as_bytes(), b":", body],
            hex,
        ) {
            return Err(ServiceError::Unauthenticated(
                "x-slack-signature: does not match the body (is the signing secret right?)".into(),
            ));
        }
        Ok(())
    }
}

impl Slack {
    /// Refuses a signed request seen before within the timestamp window (a replay). Slash
    /// commands only: events are idempotent already, by their event id.
    fn refuse_replay(&self, headers: &HeaderMap) -> Result<(), ServiceError> {
        let ts = header(headers, "x-slack-request-timestamp")?;
        let sig = header(headers, "x-slack-signature")?;
        if !self.signatures.insert_new(format!("{ts}:{sig}")) {
            return Err(ServiceError::Duplicate(
                "x-slack-signature: this signed request was already handled (a replay); \
                 nothing done again"
                    .into(),
            ));
        }
        Ok(())
    }
}

fn slack_of(ctx: &Webhooks) -> Result<&Slack, ServiceError> {
    ctx.integrations.slack.as_ref().ok_or_else(|| {
        ServiceError::NotFound(
            "the Slack integration is off: start the server with --slack-signing-secret".into(),
        )
    })
}

/// What `/jargon …` asks for.
#[derive(Debug, PartialEq)]
enum Command {
    Help,
    Lookup(String),
    Translate { reader: Option<Side>, text: String },
}

fn parse_command(text: &str) -> Command {
    let text = text.trim();
    let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    match first.to_ascii_lowercase().as_str() {
        "" | "help" if rest.trim().is_empty() => Command::Help,
        "lookup" | "define" | "what" if !rest.trim().is_empty() => {
            let term = rest
                .trim()
                .trim_start_matches("is ")
                .trim_end_matches('?')
                .trim();
            Command::Lookup(term.to_string())
        }
        "for" => {
            let (side, rest) = rest
                .trim()
                .split_once(char::is_whitespace)
                .unwrap_or((rest.trim(), ""));
            match side.parse::<Side>() {
                Ok(side) if !rest.trim().is_empty() => Command::Translate {
                    reader: Some(side),
                    text: rest.trim().to_string(),
                },
                // "for the record, …": an ordinary text.
                _ => Command::Translate {
                    reader: None,
                    text: text.to_string(),
                },
            }
        }
        _ => Command::Translate {
            reader: None,
            text: text.to_string(),
        },
    }
}

const HELP: &str = "*/jargon TEXT* explains the other side's jargon in TEXT for you.\n\
*/jargon for it TEXT* or */jargon for marketing TEXT* explains it for that reader.\n\
*/jargon lookup TERM* tells what a term means on both sides.";

/// `POST /v1/slack/commands`.
pub(crate) async fn command(
    State(ctx): State<Webhooks>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let log = AccessLog::start("POST /v1/slack/commands");
    answer(log, command_one(&ctx, &headers, raw).await)
}

/// A slash command as Slack posts it (form-encoded), the fields broker reads.
#[derive(Debug, Deserialize)]
struct CommandForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    user_id: String,
    /// Where a late answer goes.
    #[serde(default)]
    response_url: String,
}

async fn command_one(
    ctx: &Webhooks,
    headers: &HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Message), ServiceError> {
    let slack = slack_of(ctx)?;
    let max = ctx.integrations.max_body;
    let form: CommandForm = webhook::verified(max, slack, headers, raw, Encoding::Form, |_| {
        slack.refuse_replay(headers)
    })?;
    let user = form.user_id.as_str();
    match parse_command(&form.text) {
        Command::Help => Ok((StatusCode::OK, ephemeral_text(HELP))),
        Command::Lookup(term) => {
            let reader = slack.reader_of(user);
            let deadline = Deadline::after(std::time::Instant::now(), Duration::from_secs(2));
            match ctx
                .service
                .lookup(term.clone(), Some(reader), 3, deadline)
                .await
            {
                Ok((snapshot, hits)) => {
                    let glossary = snapshot.matcher.glossary();
                    let concepts: Vec<&Concept> = hits
                        .iter()
                        .filter_map(|h| glossary.get(&h.concept_id))
                        .collect();
                    Ok((StatusCode::OK, lookup_card(&term, &concepts)))
                }
                Err(e) => Ok((StatusCode::OK, ephemeral_text(&format!("Sorry: {e}")))),
            }
        }
        Command::Translate { reader, text } => {
            let reader = reader.unwrap_or_else(|| slack.reader_of(user));
            let response_url = form.response_url.clone();
            if text.len() <= INLINE_BYTES {
                let outcome =
                    super::translate_for(ctx, text.clone(), reader, Format::None, INLINE_BUDGET)
                        .await;
                match outcome {
                    Ok(resp) => {
                        let message =
                            ephemeral(&text, &resp.annotations, reader, &HashSet::new()).0;
                        return Ok((StatusCode::OK, message));
                    }
                    // Too slow for Slack's 3 s: answer later, like a long text.
                    Err(ServiceError::DeadlineExceeded(_)) if !response_url.is_empty() => {}
                    Err(e) => return Ok((StatusCode::OK, ephemeral_text(&format!("Sorry: {e}")))),
                }
            }
            if response_url.is_empty() {
                return Err(ServiceError::invalid(
                    "response_url",
                    "is required for a text this long (it is answered afterwards)",
                ));
            }
            let (ctx2, http) = (ctx.clone(), slack.http.clone());
            tokio::spawn(async move {
                let outcome = super::translate_for(
                    &ctx2,
                    text.clone(),
                    reader,
                    Format::None,
                    super::BACKGROUND_BUDGET,
                )
                .await;
                let mut message = match outcome {
                    Ok(resp) => ephemeral(&text, &resp.annotations, reader, &HashSet::new()).0,
                    Err(e) => ephemeral_text(&format!("Sorry: {e}")),
                };
                message.replace_original = Some(true);
                match http.post(&response_url).json(&message).send().await {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => {
                        let error = super::remote_error("slack response_url", r).await;
                        tracing::warn!(error = %Escaped(error), "slack response_url refused the answer");
                    }
                    Err(e) => tracing::warn!(error = %Escaped(e), "slack response_url failed"),
                }
            });
            Ok((
                StatusCode::OK,
                ephemeral_text(&format!(
                    "Reading your {} bytes for {}: the answer follows in a moment.",
                    form.text.len(),
                    readers_name(reader)
                )),
            ))
        }
    }
}

/// A message: the answer to a slash command, a late answer through `response_url`, a reply in
/// a thread. Fields in alphabetical order, as the JSON maps they replace wrote them.
#[derive(Debug, Serialize)]
pub struct Message {
    #[serde(skip_serializing_if = "Option::is_none")]
    blocks: Option<Vec<Block>>,
    /// Thread replies: the channel and the thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
    /// Late answers replace the "working on it" message.
    #[serde(skip_serializing_if = "Option::is_none")]
    replace_original: Option<bool>,
    /// `ephemeral` for answers to a command: only its caller sees them.
    #[serde(skip_serializing_if = "Option::is_none")]
    response_type: Option<&'static str>,
    /// The plain-text fallback (notifications, clients without blocks).
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    thread_ts: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unfurl_links: Option<bool>,
}

impl Message {
    fn ephemeral(text: String, blocks: Option<Vec<Block>>) -> Message {
        Message {
            blocks,
            channel: None,
            replace_original: None,
            response_type: Some("ephemeral"),
            text,
            thread_ts: None,
            unfurl_links: None,
        }
    }
}

/// A Block Kit block (`section`, `context`, `header`).
#[derive(Debug, Serialize)]
pub struct Block {
    #[serde(skip_serializing_if = "Option::is_none")]
    elements: Option<Vec<Text>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<Text>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<Text>,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// A Block Kit text object (`mrkdwn` or `plain_text`).
#[derive(Debug, Serialize)]
pub struct Text {
    text: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl Text {
    fn mrkdwn(text: impl Into<String>) -> Text {
        Text {
            text: text.into(),
            kind: "mrkdwn",
        }
    }
}

impl Block {
    fn new(kind: &'static str) -> Block {
        Block {
            elements: None,
            fields: None,
            text: None,
            kind,
        }
    }

    fn section(text: &str) -> Block {
        Block {
            text: Some(Text::mrkdwn(text)),
            ..Block::new("section")
        }
    }

    fn context(text: impl Into<String>) -> Block {
        Block {
            elements: Some(vec![Text::mrkdwn(text)]),
            ..Block::new("context")
        }
    }
}

fn ephemeral_text(text: &str) -> Message {
    Message::ephemeral(text.to_string(), None)
}

/// The annotated text as an ephemeral message, and the concepts it explains.
fn ephemeral(
    text: &str,
    annotations: &[Annotation],
    reader: Side,
    skip: &HashSet<String>,
) -> (Message, Vec<String>) {
    let (blocks, fallback, explained) = annotated_blocks(text, annotations, reader, skip);
    (Message::ephemeral(fallback, Some(blocks)), explained)
}

/// Escapes text for Slack `mrkdwn`.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Block Kit for `text` read by `reader`: the text with each explained term in bold and its
/// explanation after it in italics, at its first mention, skipping the concepts in `skip`
/// (already explained in the thread). Returns the blocks, a plain-text fallback, and the
/// concepts explained.
pub fn annotated_blocks(
    text: &str,
    annotations: &[Annotation],
    reader: Side,
    skip: &HashSet<String>,
) -> (Vec<Block>, String, Vec<String>) {
    let mut pieces: Vec<String> = Vec::new();
    let mut fallback = String::new();
    let mut explained: Vec<String> = Vec::new();
    let at = std::cell::Cell::new(0);
    let wanted = |a: &Annotation| {
        !skip.contains(&a.concept_id) && a.start >= at.get() && a.end <= text.len()
    };
    for a in render::explained(annotations, reader, render::Explain::First, wanted) {
        let (gloss, _) = render::explain(a);
        pieces.push(escape(&text[at.get()..a.start]));
        pieces.push(format!("*{}* _({})_", escape(&a.text), escape(&gloss)));
        fallback.push_str(&text[at.get()..a.start]);
        fallback.push_str(&format!("{} ({gloss})", a.text));
        explained.push(a.concept_id.clone());
        at.set(a.end);
    }
    pieces.push(escape(&text[at.get()..]));
    fallback.push_str(&text[at.get()..]);
    let header = if explained.is_empty() {
        format!(
            "Nothing new to explain for {}{}.",
            readers_name(reader),
            if skip.is_empty() {
                ""
            } else {
                " (the rest was explained above)"
            }
        )
    } else {
        format!(
            "Explained for {}: {}",
            readers_name(reader),
            explained.len()
        ) + if explained.len() == 1 {
            " term"
        } else {
            " terms"
        }
    };
    if explained.is_empty() {
        let blocks = vec![Block::context(header.clone())];
        return (blocks, header, explained);
    }
    let mut blocks = Vec::new();
    for chunk in pack(&pieces, SECTION_CHARS) {
        if blocks.len() == MAX_BLOCKS {
            blocks.push(Block::section(
                "…(the rest of the text is too long for one Slack message)",
            ));
            break;
        }
        blocks.push(Block::section(&chunk));
    }
    blocks.push(Block::context(header));
    (blocks, fallback, explained)
}

/// Packs pieces into chunks of at most `max` characters, splitting only plain pieces (at
/// whitespace where possible), never a bold term and its explanation.
fn pack(pieces: &[String], max: usize) -> Vec<String> {
    let mut chunks = vec![String::new()];
    for (i, piece) in pieces.iter().enumerate() {
        let plain = i % 2 == 0;
        let mut rest = piece.as_str();
        while !rest.is_empty() {
            let current = chunks.last_mut().expect("never empty");
            let room = max.saturating_sub(current.chars().count());
            let len = rest.chars().count();
            if len <= room {
                current.push_str(rest);
                break;
            }
            if !plain || room == 0 {
                if current.is_empty() {
                    current.push_str(rest);
                    break;
                }
                chunks.push(String::new());
                continue;
            }
            let cut_char = rest.char_indices().nth(room).map_or(rest.len(), |(b, _)| b);
            // Cut at a boundary the escapes cannot straddle ("&amp;").
            let mut cut = rest[..cut_char]
                .rfind(char::is_whitespace)
                .unwrap_or(cut_char);
            if let Some(amp) = rest[..cut].rfind('&') {
                if !rest[amp..cut].contains(';') {
                    cut = amp;
                }
            }
            if cut == 0 {
                chunks.push(String::new());
                continue;
            }
            current.push_str(&rest[..cut]);
            rest = &rest[cut..];
            chunks.push(String::new());
        }
    }
    chunks.retain(|c| !c.trim().is_empty());
    chunks
}

/// A lookup as a short card: the term, both sides' terms and definitions, the concept id.
fn lookup_card(term: &str, concepts: &[&Concept]) -> Message {
    let Some(best) = concepts.first() else {
        return ephemeral_text(&format!(
            "No concept for \u{201c}{}\u{201d} in the glossary.",
            escape(term)
        ));
    };
    let field = |side: Side| -> Text {
        let text = match best.side(side) {
            Some(e) => {
                let terms = e.terms.iter().map(|t| escape(&t.text)).collect::<Vec<_>>();
                let terms = if terms.is_empty() {
                    "_(no term)_".to_string()
                } else {
                    terms.join(", ")
                };
                format!(
                    "*{}*\n{terms}\n{}",
                    if side == Side::It { "IT" } else { "Marketing" },
                    escape(&truncate(&e.definition, 1500))
                )
            }
            None => format!(
                "*{}*\n_(no {} side)_",
                if side == Side::It { "IT" } else { "Marketing" },
                side
            ),
        };
        Text::mrkdwn(text)
    };
    let mut context = format!("concept `{}`", best.id);
    if !best.tags.is_empty() {
        context.push_str(&format!(" · {}", escape(&best.tags.join(", "))));
    }
    if concepts.len() > 1 {
        let others = concepts[1..]
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>();
        context.push_str(&format!(" · may also mean: {}", others.join(", ")));
    }
    let title = truncate(term, 140);
    let definition = best
        .side(Side::Marketing)
        .or(best.side(Side::It))
        .map_or("", |e| e.definition.as_str());
    let blocks = vec![
        Block {
            text: Some(Text {
                text: title.clone(),
                kind: "plain_text",
            }),
            ..Block::new("header")
        },
        Block {
            fields: Some(vec![field(Side::It), field(Side::Marketing)]),
            ..Block::new("section")
        },
        Block::context(context),
    ];
    Message::ephemeral(format!("{title}: {definition}"), Some(blocks))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

/// `POST /v1/slack/events`.
pub(crate) async fn events(
    State(ctx): State<Webhooks>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let log = AccessLog::start("POST /v1/slack/events");
    answer(log, events_one(&ctx, &headers, raw))
}

/// An Events API payload, the fields broker reads.
#[derive(Debug, Deserialize)]
struct EventsPayload {
    #[serde(rename = "type")]
    kind: Option<String>,
    /// `url_verification`: sent back.
    challenge: Option<String>,
    event_id: Option<String>,
    #[serde(default)]
    event: Event,
}

/// The event of an `event_callback`.
#[derive(Debug, Default, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Set (not null) on messages from bots, broker's own replies included.
    bot_id: Option<serde::de::IgnoredAny>,
    /// Set on edits, joins and other non-messages.
    subtype: Option<serde::de::IgnoredAny>,
    channel_type: Option<String>,
    channel: Option<String>,
    user: Option<String>,
    text: Option<String>,
    ts: Option<String>,
    thread_ts: Option<String>,
}

/// What `POST /v1/slack/events` answers.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum EventsAnswer {
    Challenge { challenge: String },
    Ack(Ack),
}

fn events_one(
    ctx: &Webhooks,
    headers: &HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, EventsAnswer), ServiceError> {
    let slack = slack_of(ctx)?;
    let max = ctx.integrations.max_body;
    // Events are idempotent by their event id (below), so no replay check here.
    let v: EventsPayload = webhook::verified(max, slack, headers, raw, Encoding::Json, |_| Ok(()))?;
    let ack = |a: Ack| Ok((StatusCode::OK, EventsAnswer::Ack(a)));
    match v.kind.as_deref() {
        Some("url_verification") => {
            let challenge = v
                .challenge
                .ok_or_else(|| ServiceError::invalid("challenge", "missing"))?;
            Ok((StatusCode::OK, EventsAnswer::Challenge { challenge }))
        }
        Some("event_callback") => {
            let event = v.event;
            if let Some(id) = v.event_id {
                if !slack.events.insert_new(id.clone()) {
                    return ack(Ack {
                        duplicate: Some(id),
                        ..Ack::ok()
                    });
                }
            }
            let kind = event.kind.clone().unwrap_or_default();
            let from_bot = event.bot_id.is_some() || event.subtype.is_some();
            let direct = kind == "message" && event.channel_type.as_deref() == Some("im");
            if from_bot || !(kind == "app_mention" || direct) {
                return ack(Ack::ignored(kind));
            }
            let message = Incoming::from_event(event)?;
            let Some(token) = slack.bot_token.clone() else {
                tracing::warn!(
                    "slack: an event to answer, but no --slack-bot-token to answer with"
                );
                return ack(Ack::ignored("no bot token"));
            };
            let ctx2 = ctx.clone();
            tokio::spawn(async move { reply(&ctx2, message, token).await });
            ack(Ack::ok())
        }
        Some(other) => ack(Ack::ignored(other)),
        None => Err(ServiceError::invalid(
            "type",
            "missing: not a Slack Events API payload",
        )),
    }
}

/// A message to answer in its thread.
#[derive(Debug)]
struct Incoming {
    channel: String,
    thread: String,
    user: String,
    text: String,
}

impl Incoming {
    fn from_event(e: Event) -> Result<Incoming, ServiceError> {
        let get = |value: Option<String>, name: &str| {
            value.ok_or_else(|| ServiceError::invalid(format!("event.{name}"), "missing"))
        };
        let ts = get(e.ts, "ts")?;
        Ok(Incoming {
            channel: get(e.channel, "channel")?,
            thread: e.thread_ts.unwrap_or(ts),
            user: get(e.user, "user")?,
            text: strip_mentions(&get(e.text, "text")?),
        })
    }
}

/// Removes `<@U123>` mentions (of the bot, mostly) from a message.
fn strip_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<@") {
        out.push_str(&rest[..i]);
        match rest[i..].find('>') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = &rest[i..];
                break;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// What Slack's Web API answers.
#[derive(Debug, Deserialize)]
struct SlackAnswer {
    ok: Option<bool>,
    error: Option<String>,
}

/// Answers `m` in its thread with what its reader has not been told in that thread yet.
async fn reply(ctx: &Webhooks, m: Incoming, token: Secret) {
    let Some(slack) = ctx.integrations.slack.as_ref() else {
        return;
    };
    let reader = slack.reader_of(&m.user);
    // Slack sends entities escaped; match on the text as people wrote it.
    let text = m
        .text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let resp = match super::translate_for(
        ctx,
        text.clone(),
        reader,
        Format::None,
        super::BACKGROUND_BUDGET,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %Escaped(e), "slack: cannot translate a message");
            return;
        }
    };
    // Claim the concepts under the memory's lock, so that two messages of one thread
    // handled at once never explain the same concept twice.
    let key = (m.channel.clone(), m.thread.clone(), m.user.clone());
    let wanted: Vec<String> = render::explanations(&resp.annotations, reader)
        .into_iter()
        .map(|e| e.concept_id)
        .collect();
    let already = slack.threads.update(key, |told, _| {
        let before = told.clone();
        told.extend(wanted.iter().cloned());
        before
    });
    let (blocks, fallback, _) = annotated_blocks(&text, &resp.annotations, reader, &already);
    let body = Message {
        blocks: Some(blocks),
        channel: Some(m.channel),
        replace_original: None,
        response_type: None,
        text: fallback,
        thread_ts: Some(m.thread),
        unfurl_links: Some(false),
    };
    let url = format!("{}/chat.postMessage", slack.api_base);
    match slack
        .http
        .post(&url)
        .bearer_auth(token.expose())
        .json(&body)
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => {
            // Slack answers 200 with {"ok": false, "error": …} on refusals.
            if let Ok(SlackAnswer {
                ok: Some(false),
                error,
            }) = r.json::<SlackAnswer>().await
            {
                let error = error.unwrap_or_default();
                tracing::warn!(error = %Escaped(error), "slack chat.postMessage refused");
            }
        }
        Ok(r) => {
            let error = super::remote_error("slack chat.postMessage", r).await;
            tracing::warn!(error = %Escaped(error), "slack chat.postMessage failed");
        }
        Err(e) => tracing::warn!(error = %Escaped(e), "slack chat.postMessage failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        assert_eq!(parse_command(""), Command::Help);
        assert_eq!(parse_command("help"), Command::Help);
        assert_eq!(parse_command("lookup CTR"), Command::Lookup("CTR".into()));
        assert_eq!(
            parse_command("for it Our CTR is up"),
            Command::Translate {
                reader: Some(Side::It),
                text: "Our CTR is up".into()
            }
        );
        assert_eq!(
            parse_command("Our latency is bad"),
            Command::Translate {
                reader: None,
                text: "Our latency is bad".into()
            }
        );
        assert_eq!(
            parse_command("for the record, latency"),
            Command::Translate {
                reader: None,
                text: "for the record, latency".into()
            }
        );
    }

    #[test]
    fn mentions_and_packing() {
        assert_eq!(
            strip_mentions("<@U0LAN0Z89> is the latency ok?"),
            "is the latency ok?"
        );
        let pieces = vec!["a ".repeat(30), "*x* _(y)_".into(), "b ".repeat(30)];
        let chunks = pack(&pieces, 40);
        assert!(chunks.iter().all(|c| c.chars().count() <= 40), "{chunks:?}");
        assert_eq!(
            chunks.concat().replace(' ', ""),
            pieces.concat().replace(' ', "")
        );
        assert!(chunks.iter().any(|c| c.contains("*x* _(y)_")));
        assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
    }
}
