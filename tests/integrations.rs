//! Slack, GitHub and Jira (SPEC §10) against local fakes of their APIs: real HTTP servers on
//! 127.0.0.1 that record every request. Payloads come from `tests/fixtures/{slack,github,jira}`
//! (shaped like the public docs' examples) and are signed as the real services sign them.
//! Checked: a valid signature leads to the right API call with the right body; a bad
//! signature, a stale timestamp, a replayed delivery, an oversized body or malformed JSON is
//! refused with a 4xx and a clear message, and no call is made; a slow API does not delay the
//! webhook's answer; a Slack thread explains a concept once per reader.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use broker::config::{IntegrationsConfig, Secret, ServiceConfig};
use broker::integrations::to_hex;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::oneshot;

mod common;

use common::{fixture_glossary, spawn_app_with, TestApp, PATIENCE};

const SLACK_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const GITHUB_SECRET: &str = "It's a Secret to Everybody";
const JIRA_SECRET: &str = "jira-test-secret";

// ---------------------------------------------------------------------------------------
// The fake remote API.

/// One request the fake received.
#[derive(Debug, Clone)]
struct Call {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Call {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct FakeState {
    calls: Vec<Call>,
    /// GitHub comments: (id, issue path, body).
    comments: Vec<(u64, String, String)>,
}

/// A fake of Slack's, GitHub's and Jira's APIs at once (their paths do not collide).
struct Fake {
    url: String,
    state: Arc<Mutex<FakeState>>,
    _stop: oneshot::Sender<()>,
}

impl Fake {
    /// Answers after `delay`.
    async fn start(delay: Duration) -> Fake {
        let state = Arc::new(Mutex::new(FakeState::default()));
        let shared = state.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = shared.clone();
                async move {
                    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
                    let body_value = serde_json::from_slice(&body).unwrap_or_else(|_| {
                        Value::String(String::from_utf8_lossy(&body).into_owned())
                    });
                    state.lock().unwrap().calls.push(Call {
                        method: method.to_string(),
                        path: path.clone(),
                        headers: headers
                            .iter()
                            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
                            .collect(),
                        body: body_value.clone(),
                    });
                    tokio::time::sleep(delay).await;
                    respond(&state, &method, uri.path(), &body_value)
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Fake {
            url,
            state,
            _stop: tx,
        }
    }

    fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Waits until at least `n` calls arrived, and returns them all.
    async fn wait_calls(&self, n: usize) -> Vec<Call> {
        let start = Instant::now();
        loop {
            let calls = self.calls();
            if calls.len() >= n {
                return calls;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "expected {n} calls, got {calls:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn respond(
    state: &Mutex<FakeState>,
    method: &Method,
    path: &str,
    body: &Value,
) -> axum::response::Response {
    let mut s = state.lock().unwrap();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["api", "chat.postMessage"]) => {
            axum::Json(json!({"ok": true, "ts": "1515449600.000100"})).into_response()
        }
        ("POST", ["slack-response", ..]) => "ok".into_response(),
        ("GET", ["repos", o, r, "issues", n, "comments"]) => {
            let issue = format!("{o}/{r}/{n}");
            let list: Vec<Value> = s
                .comments
                .iter()
                .filter(|(_, i, _)| *i == issue)
                .map(|(id, _, b)| json!({"id": id, "body": b, "user": {"login": "broker-bot"}}))
                .collect();
            axum::Json(Value::Array(list)).into_response()
        }
        ("POST", ["repos", o, r, "issues", n, "comments"]) => {
            let id = 1000 + s.comments.len() as u64;
            let text = body["body"].as_str().unwrap_or_default().to_string();
            s.comments.push((id, format!("{o}/{r}/{n}"), text));
            (StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response()
        }
        ("PATCH", ["repos", _, _, "issues", "comments", id]) => {
            let id: u64 = id.parse().unwrap();
            for c in &mut s.comments {
                if c.0 == id {
                    c.2 = body["body"].as_str().unwrap_or_default().to_string();
                }
            }
            axum::Json(json!({"id": id})).into_response()
        }
        ("POST", ["rest", "api", "3", "issue", _, "comment"]) => {
            (StatusCode::CREATED, axum::Json(json!({"id": "10000"}))).into_response()
        }
        _ => (StatusCode::NOT_FOUND, "no such fake route").into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// The server under test, fixtures and signatures.

fn secret(s: &str) -> Option<Secret> {
    Some(Secret::new(s).unwrap())
}

async fn server(fake: &Fake, max_body: Option<usize>) -> TestApp {
    let mut integrations = IntegrationsConfig::default();
    integrations.slack.signing_secret = secret(SLACK_SECRET);
    integrations.slack.bot_token = secret("xoxb-test-token");
    integrations.slack.api_base = Some(format!("{}/api", fake.url));
    integrations
        .slack
        .readers
        .insert("U0IT".into(), "it".into());
    integrations.github.webhook_secret = secret(GITHUB_SECRET);
    integrations.github.token = secret("ghp_testtoken");
    integrations.github.api_base = Some(fake.url.clone());
    // Engineers by default; this repository (and the Jira project below) is read by marketing.
    integrations.github.reader = Some("it".into());
    integrations
        .github
        .repos
        .insert("Codertocat/Hello-World".into(), "marketing".into());
    integrations.jira.webhook_secret = secret(JIRA_SECRET);
    integrations.jira.base = Some(fake.url.clone());
    integrations.jira.user = Some("bot@example.com".into());
    integrations.jira.token = secret("jira-api-token");
    integrations.jira.reader = Some("it".into());
    integrations
        .jira
        .projects
        .insert("EM".into(), "marketing".into());
    integrations.max_body_bytes = max_body;
    let config = ServiceConfig {
        integrations,
        ..ServiceConfig::default()
    };
    spawn_app_with(fixture_glossary(), config).await
}

fn fixture(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn fixture_json(path: &str) -> Value {
    serde_json::from_str(&fixture(path)).unwrap()
}

fn hmac_hex(secret: &str, parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    for p in parts {
        mac.update(p);
    }
    to_hex(&mac.finalize().into_bytes())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn slack_headers(body: &[u8], ts: u64, secret: &str) -> Vec<(String, String)> {
    let ts = ts.to_string();
    let sig = hmac_hex(secret, &[b"v0:", ts.as_bytes(), b":", body]);
    vec![
        ("x-slack-request-timestamp".into(), ts),
        ("x-slack-signature".into(), format!("v0={sig}")),
    ]
}

fn github_headers(body: &[u8], event: &str, delivery: &str) -> Vec<(String, String)> {
    vec![
        ("x-github-event".into(), event.into()),
        ("x-github-delivery".into(), delivery.into()),
        (
            "x-hub-signature-256".into(),
            format!("sha256={}", hmac_hex(GITHUB_SECRET, &[body])),
        ),
    ]
}

fn jira_headers(body: &[u8], id: &str) -> Vec<(String, String)> {
    vec![
        ("x-atlassian-webhook-identifier".into(), id.into()),
        (
            "x-hub-signature".into(),
            format!("sha256={}", hmac_hex(JIRA_SECRET, &[body])),
        ),
    ]
}

/// POSTs `body` with `headers`; the status, the JSON answer and how long it took.
async fn post(
    app: &TestApp,
    path: &str,
    content_type: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> (StatusCode, Value, Duration) {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", app.url()))
        .header("content-type", content_type)
        .body(body);
    for (n, v) in headers {
        req = req.header(n.as_str(), v.as_str());
    }
    let start = Instant::now();
    let resp = tokio::time::timeout(PATIENCE, req.send())
        .await
        .expect("the webhook answers")
        .expect("the server is reachable");
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let elapsed = start.elapsed();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value, elapsed)
}

fn message(v: &Value) -> &str {
    v["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {v}"))
}

/// The slash command form with `text` and `response_url` set.
fn command_form(text: &str, response_url: &str, user: &str) -> Vec<u8> {
    let mut fields: Vec<(String, String)> =
        serde_urlencoded::from_str(fixture("slack/command.form").trim()).unwrap();
    for (k, v) in &mut fields {
        match k.as_str() {
            "text" => *v = text.into(),
            "response_url" => *v = response_url.into(),
            "user_id" => *v = user.into(),
            _ => {}
        }
    }
    serde_urlencoded::to_string(&fields).unwrap().into_bytes()
}

fn all_text(v: &Value) -> String {
    v.to_string()
}

// ---------------------------------------------------------------------------------------
// Slack

#[tokio::test]
async fn slack_command_answers_for_the_callers_side_and_refuses_what_it_cannot_trust() {
    let fake = Fake::start(Duration::ZERO).await;
    let app = server(&fake, Some(64 * 1024)).await;
    let form = command_form(
        "Our checkout latency doubled after the rollout",
        &format!("{}/slack-response/1", fake.url),
        "U2147483697",
    );
    let path = "/v1/slack/commands";
    let ct = "application/x-www-form-urlencoded";

    // Valid: ephemeral Block Kit, the terms in bold with the explanation after.
    let (status, v, _) = post(
        &app,
        path,
        ct,
        &slack_headers(&form, now(), SLACK_SECRET),
        form.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["response_type"], "ephemeral");
    let section = v["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(section.contains("*latency* _(page speed)_"), "{section}");
    assert!(section.contains("*rollout* _(launch)_"), "{section}");
    assert!(all_text(&v).contains("marketing readers"), "{v}");

    // `for it`: marketing jargon explained to an engineer; the user map also picks IT.
    let form_it = command_form("for it Our CTR went up", "", "U2147483697");
    let (_, v, _) = post(
        &app,
        path,
        ct,
        &slack_headers(&form_it, now(), SLACK_SECRET),
        form_it,
    )
    .await;
    assert!(
        v["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("*CTR*"),
        "{v}"
    );
    let form_it = command_form("Our CTR went up", "", "U0IT");
    let (_, v, _) = post(
        &app,
        path,
        ct,
        &slack_headers(&form_it, now(), SLACK_SECRET),
        form_it,
    )
    .await;
    assert!(all_text(&v).contains("IT readers"), "{v}");

    // Lookup: a short card with both sides.
    let form_lookup = command_form("lookup CTR", "", "U2147483697");
    let (_, v, _) = post(
        &app,
        path,
        ct,
        &slack_headers(&form_lookup, now(), SLACK_SECRET),
        form_lookup,
    )
    .await;
    assert_eq!(v["blocks"][0]["type"], "header", "{v}");
    assert_eq!(v["blocks"][0]["text"]["text"], "CTR");
    let fields = all_text(&v["blocks"][1]["fields"]);
    assert!(
        fields.contains("click-through rate") && fields.contains("click rate metric"),
        "{fields}"
    );
    assert!(all_text(&v["blocks"][2]).contains("`ctr`"), "{v}");

    // Refusals, each with a clear message.
    let mut bad = slack_headers(&form, now(), SLACK_SECRET);
    bad[1].1 = format!("v0={}", "0".repeat(64));
    let (status, v, _) = post(&app, path, ct, &bad, form.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        message(&v).contains("x-slack-signature: does not match"),
        "{v}"
    );
    let (status, v, _) = post(
        &app,
        path,
        ct,
        &slack_headers(&form, now(), "another-secret"),
        form.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    let stale = now() - 6 * 60;
    let (status, v, _) = post(
        &app,
        path,
        ct,
        &slack_headers(&form, stale, SLACK_SECRET),
        form.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        message(&v).contains("5 minutes") || message(&v).contains("300 s"),
        "{v}"
    );
    let (status, v, _) = post(&app, path, ct, &[], form.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&v).contains("missing"), "{v}");
    let huge = command_form(&"latency ".repeat(10_000), "", "U1");
    let (status, v, _) = post(
        &app,
        path,
        ct,
        &slack_headers(&huge, now(), SLACK_SECRET),
        huge,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message(&v).contains("65536 bytes"), "{v}");
    let events = "/v1/slack/events";
    let junk = b"{\"type\": \"event_callback\", ".to_vec();
    let (status, v, _) = post(
        &app,
        events,
        "application/json",
        &slack_headers(&junk, now(), SLACK_SECRET),
        junk,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&v).contains("not valid JSON"), "{v}");

    // Everything so far was answered in the request: no call reached the fake.
    assert!(fake.calls().is_empty(), "{:#?}", fake.calls());
}

#[tokio::test]
async fn slack_long_texts_follow_through_response_url_and_a_slow_slack_does_not_delay_the_answer() {
    let delay = Duration::from_secs(8);
    let fake = Fake::start(delay).await;
    let app = server(&fake, None).await;
    let long = "The latency of the checkout matters. ".repeat(120);
    assert!(long.len() > broker::integrations::slack::INLINE_BYTES);
    let form = command_form(&long, &format!("{}/slack-response/42", fake.url), "U1");
    let (status, v, took) = post(
        &app,
        "/v1/slack/commands",
        "application/x-www-form-urlencoded",
        &slack_headers(&form, now(), SLACK_SECRET),
        form,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(
        v["text"].as_str().unwrap().contains("follows in a moment"),
        "{v}"
    );
    assert!(
        took < Duration::from_secs(3),
        "answered in {took:?}, within Slack's 3 s"
    );
    let calls = fake.wait_calls(1).await;
    assert_eq!(calls[0].path, "/slack-response/42");
    assert_eq!(calls[0].body["response_type"], "ephemeral");
    assert!(all_text(&calls[0].body["blocks"]).contains("*latency* _(page speed)_"));

    // An event whose chat.postMessage takes 8 s is answered long before.
    let mut event = fixture_json("slack/app_mention.json");
    event["event_id"] = json!("EvSlow");
    let body = serde_json::to_vec(&event).unwrap();
    let (status, _, took) = post(
        &app,
        "/v1/slack/events",
        "application/json",
        &slack_headers(&body, now(), SLACK_SECRET),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        took < Duration::from_secs(4),
        "answered in {took:?} while the API takes {delay:?}"
    );
    let calls = fake.wait_calls(2).await;
    assert_eq!(calls[1].path, "/api/chat.postMessage");
}

#[tokio::test]
async fn slack_events_reply_in_the_thread_and_explain_a_concept_once_per_thread_and_reader() {
    let fake = Fake::start(Duration::ZERO).await;
    let app = server(&fake, None).await;
    let send = |event: Value| {
        let app = &app;
        async move {
            let body = serde_json::to_vec(&event).unwrap();
            post(
                app,
                "/v1/slack/events",
                "application/json",
                &slack_headers(&body, now(), SLACK_SECRET),
                body,
            )
            .await
        }
    };

    // The URL check.
    let (status, v, _) = send(fixture_json("slack/url_verification.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        v["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );

    // First mention in the thread: explained, in the thread, with the bot token.
    let first = fixture_json("slack/app_mention.json");
    let (status, _, _) = send(first.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let calls = fake.wait_calls(1).await;
    let call = &calls[0];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("POST", "/api/chat.postMessage")
    );
    assert_eq!(call.header("authorization"), Some("Bearer xoxb-test-token"));
    assert_eq!(call.body["channel"], "C123ABC456");
    assert_eq!(call.body["thread_ts"], "1515449500.000010");
    let blocks = all_text(&call.body["blocks"]);
    assert!(blocks.contains("*latency* _(page speed)_"), "{blocks}");
    assert!(
        !blocks.contains("U0LAN0Z89"),
        "the bot's mention is not repeated: {blocks}"
    );

    // Slack retries the same event id: nothing more is posted.
    let (status, v, _) = send(first.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["duplicate"], "Ev123ABC456");

    // A second message in the same thread by the same reader, about latency again and a
    // rollout: only the rollout is explained.
    let mut second = first.clone();
    second["event_id"] = json!("Ev2");
    second["event"]["ts"] = json!("1515449530.000020");
    second["event"]["text"] = json!("<@U0LAN0Z89> the latency again, after the rollout");
    send(second).await;
    let calls = fake.wait_calls(2).await;
    let blocks = all_text(&calls[1].body["blocks"]);
    assert!(
        !blocks.contains("*latency*"),
        "latency was explained in this thread: {blocks}"
    );
    assert!(blocks.contains("*rollout* _(launch)_"), "{blocks}");
    assert_eq!(calls[1].body["thread_ts"], "1515449500.000010");

    // Once more, nothing new: a short note, no explanation.
    let mut third = first.clone();
    third["event_id"] = json!("Ev3");
    third["event"]["ts"] = json!("1515449540.000030");
    third["event"]["text"] = json!("<@U0LAN0Z89> so the latency is the problem?");
    send(third).await;
    let calls = fake.wait_calls(3).await;
    let blocks = all_text(&calls[2].body["blocks"]);
    assert!(
        !blocks.contains("*latency*") && blocks.contains("Nothing new to explain"),
        "{blocks}"
    );

    // Another reader in the same thread gets their own explanation.
    let mut other = first.clone();
    other["event_id"] = json!("Ev4");
    other["event"]["user"] = json!("U0OTHER");
    other["event"]["ts"] = json!("1515449550.000040");
    send(other).await;
    let calls = fake.wait_calls(4).await;
    assert!(all_text(&calls[3].body["blocks"]).contains("*latency* _(page speed)_"));

    // A direct message: answered in its own thread.
    send(fixture_json("slack/message_im.json")).await;
    let calls = fake.wait_calls(5).await;
    assert_eq!(calls[4].body["channel"], "D024BE91L");
    assert_eq!(calls[4].body["thread_ts"], "1355517523.000005");

    // The bot's own messages are not answered (no loop).
    let mut own = fixture_json("slack/message_im.json");
    own["event_id"] = json!("EvBot");
    own["event"]["bot_id"] = json!("B0BOT");
    let (_, v, _) = send(own).await;
    assert_eq!(v["ignored"], "message", "{v}");
    // A message after it proves that nothing was posted for the bot's message.
    let mut last = fixture_json("slack/message_im.json");
    last["event_id"] = json!("EvLast");
    last["event"]["ts"] = json!("1355517999.000001");
    send(last).await;
    let calls = fake.wait_calls(6).await;
    assert_eq!(calls.len(), 6);
    assert_eq!(calls[5].body["thread_ts"], "1355517999.000001");
}

// ---------------------------------------------------------------------------------------
// GitHub

#[tokio::test]
async fn github_comments_once_per_issue_updates_in_place_and_never_twice_per_delivery() {
    let fake = Fake::start(Duration::ZERO).await;
    let app = server(&fake, Some(64 * 1024)).await;
    let hook = "/v1/hooks/github";
    let ct = "application/json";
    let opened = serde_json::to_vec(&fixture_json("github/issues_opened.json")).unwrap();

    // Refusals first: none of them may call GitHub.
    let mut bad = github_headers(&opened, "issues", "d-bad");
    bad[2].1 = format!("sha256={}", hmac_hex("wrong secret", &[&opened]));
    let (status, v, _) = post(&app, hook, ct, &bad, opened.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        message(&v).contains("x-hub-signature-256: does not match"),
        "{v}"
    );
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &github_headers(&opened, "issues", "d1")[..2],
        opened.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message(&v).contains("x-hub-signature-256: missing"), "{v}");
    let junk = b"{\"action\": \"opened\", \"issue\": ".to_vec();
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &github_headers(&junk, "issues", "d-junk"),
        junk,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&v).contains("not valid JSON"), "{v}");
    // A value of the wrong type is named by its path in the payload.
    let mut typo = fixture_json("github/issues_opened.json");
    typo["issue"]["number"] = json!("seven");
    let typo = serde_json::to_vec(&typo).unwrap();
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &github_headers(&typo, "issues", "d-typo"),
        typo,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["field"], "issue.number", "{v}");
    let mut huge = fixture_json("github/issues_opened.json");
    huge["issue"]["body"] = json!("latency ".repeat(20_000));
    let huge = serde_json::to_vec(&huge).unwrap();
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &github_headers(&huge, "issues", "d-huge"),
        huge,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message(&v).contains("limit of 65536 bytes"), "{v}");

    // Opened: one new comment with the marker and the explanations for marketing.
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &github_headers(&opened, "issues", "d1"),
        opened.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{v}");
    let calls = fake.wait_calls(2).await;
    assert_eq!(
        calls.len(),
        2,
        "the refused deliveries made no call: {calls:#?}"
    );
    assert_eq!(
        (calls[0].method.as_str(), calls[0].path.as_str()),
        (
            "GET",
            "/repos/Codertocat/Hello-World/issues/1/comments?per_page=100&page=1"
        )
    );
    assert_eq!(
        (calls[1].method.as_str(), calls[1].path.as_str()),
        ("POST", "/repos/Codertocat/Hello-World/issues/1/comments")
    );
    assert_eq!(
        calls[1].header("authorization"),
        Some("Bearer ghp_testtoken")
    );
    let comment = calls[1].body["body"].as_str().unwrap();
    assert!(
        comment.starts_with(broker::integrations::github::MARKER),
        "{comment}"
    );
    assert!(comment.contains("marketing readers"), "{comment}");
    assert!(
        comment.contains("- **latency** — page speed: How long a customer waits"),
        "{comment}"
    );
    assert!(comment.contains("- **rollout** — launch"), "{comment}");
    assert!(
        comment.contains("`latency_ms`"),
        "code spans kept as they are: {comment}"
    );

    // The same delivery again: 409, no call.
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &github_headers(&opened, "issues", "d1"),
        opened.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&v).contains("d1 was already handled"), "{v}");

    // Edited, with a for:it label: the same comment is updated, now for IT readers.
    let mut edited = fixture_json("github/issues_opened.json");
    edited["action"] = json!("edited");
    edited["issue"]["body"] = json!("Our CTR dropped since the launch.");
    edited["issue"]["labels"] = json!([{"id": 1, "name": "for:it"}]);
    let edited = serde_json::to_vec(&edited).unwrap();
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &github_headers(&edited, "issues", "d2"),
        edited,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(v["reader"], "it");
    let calls = fake.wait_calls(4).await;
    assert_eq!(calls.len(), 4, "{calls:#?}");
    assert_eq!(
        (calls[3].method.as_str(), calls[3].path.as_str()),
        (
            "PATCH",
            "/repos/Codertocat/Hello-World/issues/comments/1000"
        )
    );
    let comment = calls[3].body["body"].as_str().unwrap();
    assert!(
        comment.contains("IT readers") && comment.contains("**CTR**"),
        "{comment}"
    );
    assert_eq!(
        fake.state.lock().unwrap().comments.len(),
        1,
        "one comment per issue"
    );

    // Other events are acknowledged and ignored; a pull request gets its own comment.
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &github_headers(b"{\"zen\": \"Keep it simple.\"}", "ping", "d-ping"),
        b"{\"zen\": \"Keep it simple.\"}".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let pr = serde_json::to_vec(&fixture_json("github/pull_request_opened.json")).unwrap();
    let (status, _, _) = post(
        &app,
        hook,
        ct,
        &github_headers(&pr, "pull_request", "d3"),
        pr,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let calls = fake.wait_calls(6).await;
    assert_eq!(
        calls[5].path,
        "/repos/Codertocat/Hello-World/issues/2/comments"
    );
    let comment = calls[5].body["body"].as_str().unwrap();
    assert!(
        comment.contains("- **response time** — page speed"),
        "{comment}"
    );
}

#[tokio::test]
async fn a_slow_github_does_not_delay_the_webhook_answer() {
    let delay = Duration::from_secs(8);
    let fake = Fake::start(delay).await;
    let app = server(&fake, None).await;
    let opened = serde_json::to_vec(&fixture_json("github/issues_opened.json")).unwrap();
    let (status, _, took) = post(
        &app,
        "/v1/hooks/github",
        "application/json",
        &github_headers(&opened, "issues", "slow-1"),
        opened,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(
        took < Duration::from_secs(4),
        "answered in {took:?} while GitHub takes {delay:?}"
    );
    let calls = fake.wait_calls(1).await;
    assert_eq!(calls[0].method, "GET");
}

// ---------------------------------------------------------------------------------------
// Jira

#[tokio::test]
async fn jira_comments_in_adf_with_only_what_the_issue_was_not_told() {
    let fake = Fake::start(Duration::ZERO).await;
    let app = server(&fake, Some(64 * 1024)).await;
    let hook = "/v1/hooks/jira";
    let ct = "application/json";
    let created = serde_json::to_vec(&fixture_json("jira/issue_created.json")).unwrap();

    // Refusals: no call.
    let mut bad = jira_headers(&created, "w-bad");
    bad[1].1 = format!("sha256={}", hmac_hex("nope", &[&created]));
    let (status, v, _) = post(&app, hook, ct, &bad, created.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        message(&v).contains("x-hub-signature: does not match"),
        "{v}"
    );
    let junk = b"{\"webhookEvent\": ".to_vec();
    let (status, v, _) = post(&app, hook, ct, &jira_headers(&junk, "w-junk"), junk).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message(&v).contains("not valid JSON"), "{v}");
    let huge = format!(
        "{{\"webhookEvent\": \"jira:issue_created\", \"pad\": \"{}\"}}",
        "x".repeat(70_000)
    )
    .into_bytes();
    let (status, _, _) = post(&app, hook, ct, &jira_headers(&huge, "w-huge"), huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // Created: an ADF comment with basic authentication.
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &jira_headers(&created, "w1"),
        created.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{v}");
    let calls = fake.wait_calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert_eq!(
        (calls[0].method.as_str(), calls[0].path.as_str()),
        ("POST", "/rest/api/3/issue/EM-5/comment")
    );
    let basic = format!("Basic {}", base64_of("bot@example.com:jira-api-token"));
    assert_eq!(calls[0].header("authorization"), Some(basic.as_str()));
    let doc = &calls[0].body["body"];
    assert_eq!(doc["type"], "doc");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["content"][1]["type"], "bulletList");
    let item = &doc["content"][1]["content"][0]["content"][0]["content"];
    assert_eq!(item[0]["text"], "latency");
    assert_eq!(item[0]["marks"][0]["type"], "strong");
    assert!(
        item[1]["text"]
            .as_str()
            .unwrap()
            .starts_with(" — page speed: "),
        "{item}"
    );

    // The same delivery again: 409, nothing posted.
    let (status, v, _) = post(
        &app,
        hook,
        ct,
        &jira_headers(&created, "w1"),
        created.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(message(&v).contains("already handled"), "{v}");

    // A comment fires issue_updated without a changed field: ignored.
    let mut commented = fixture_json("jira/issue_updated.json");
    commented["issue_event_type_name"] = json!("issue_commented");
    commented["changelog"] = json!({"id": "1", "items": []});
    let commented = serde_json::to_vec(&commented).unwrap();
    let (status, v, _) = post(&app, hook, ct, &jira_headers(&commented, "w2"), commented).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["ignored"], "jira:issue_updated");

    // The description changed: only the new concept (rollout) is explained.
    let updated = serde_json::to_vec(&fixture_json("jira/issue_updated.json")).unwrap();
    let (status, _, _) = post(&app, hook, ct, &jira_headers(&updated, "w3"), updated).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let calls = fake.wait_calls(2).await;
    assert_eq!(calls.len(), 2, "{calls:#?}");
    let items = calls[1].body["body"]["content"][1]["content"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["content"][0]["content"][0]["text"], "rollout");
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test]
async fn integrations_are_off_unless_configured() {
    let app = common::spawn_app().await;
    for path in [
        "/v1/slack/commands",
        "/v1/slack/events",
        "/v1/hooks/github",
        "/v1/hooks/jira",
    ] {
        let (status, v, _) = post(&app, path, "application/json", &[], b"{}".to_vec()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(message(&v).contains("integration is off"), "{path}: {v}");
    }
}

/// `broker serve` with an integrations file and a secret in the environment: one startup line
/// per integration that is on, no secret in the log, and the file's secret verifies requests.
#[tokio::test]
async fn the_binary_reads_the_file_and_the_environment_and_logs_no_secret() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("integrations.toml");
    std::fs::write(
        &file,
        "[slack]\nsigning_secret = \"file-slack-s3cret\"\nreader = \"it\"\n\n[github]\nwebhook_secret = \"file-github-s3cret\"\n[github.repos]\n\"acme/web\" = \"marketing\"\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_broker"))
        .args(["serve", "--addr", "127.0.0.1:0", "--integrations"])
        .arg(&file)
        .env("RUST_LOG", "info")
        .env("BROKER_JIRA_WEBHOOK_SECRET", "env-jira-s3cret")
        .env_remove("BROKER_SLACK_SIGNING_SECRET")
        .env_remove("BROKER_GITHUB_WEBHOOK_SECRET")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("broker starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = Vec::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("broker exited before listening")
            .unwrap();
        log.push(line.clone());
        if let Some(rest) = line.split(" addr=").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let all = log.join("\n");
    for name in ["Slack", "GitHub", "Jira"] {
        let n = log
            .iter()
            .filter(|l| l.contains(&format!("{name} integration on")))
            .count();
        assert_eq!(n, 1, "one line for {name}:\n{all}");
    }
    assert!(!all.contains("s3cret"), "a secret in the log:\n{all}");

    // The file's GitHub secret verifies a ping; another secret does not.
    let body = b"{\"zen\": \"Design for failure.\"}".to_vec();
    let client = reqwest::Client::new();
    let send = |secret: &'static str| {
        let (client, body, addr) = (client.clone(), body.clone(), addr.clone());
        async move {
            client
                .post(format!("http://{addr}/v1/hooks/github"))
                .header("x-github-event", "ping")
                .header("x-github-delivery", format!("ping-{secret}"))
                .header(
                    "x-hub-signature-256",
                    format!("sha256={}", hmac_hex(secret, &[&body])),
                )
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(send("file-github-s3cret").await, StatusCode::OK);
    assert_eq!(send("another").await, StatusCode::UNAUTHORIZED);
    let _ = child.kill();
    let _ = child.wait();

    // A bad reader in the file stops the server with the setting named.
    std::fs::write(
        &file,
        "[github]\nwebhook_secret = \"x\"\nreader = \"sales\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_broker"))
        .args(["serve", "--addr", "127.0.0.1:0", "--integrations"])
        .arg(&file)
        .env_remove("BROKER_JIRA_WEBHOOK_SECRET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("github.reader") && stderr.contains("sales"),
        "{stderr}"
    );
}
