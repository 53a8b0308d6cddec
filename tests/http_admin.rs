//! The admin and browse routes of the HTTP/JSON gateway (SPEC §6), against the real server
//! with a real HTTP client (reqwest): `PUT`/`DELETE /v1/concepts/{id}` with bearer token and
//! `If-Match`, `GET /v1/concepts` (pages, tag, query), `GET /v1/suggest`, `GET /v1/info`, and
//! every edit visible in the next `POST /v1/translate`.

use broker::config::ServiceConfig;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

mod common;

use common::{copy_fixture, secret, spawn_app, spawn_app_with, spawn_app_with_store, TestApp};

const TOKEN: &str = "http-admin-test-token";

/// A store-backed server on a copy of the fixture glossary, with the admin token set.
async fn editable() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path());
    let config = ServiceConfig {
        admin_token: secret(TOKEN),
        ..ServiceConfig::default()
    };
    (spawn_app_with_store(dir.path(), config).await, dir)
}

/// One request; the answer's status, `ETag` header and JSON body.
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (StatusCode, Option<String>, Value) {
    let mut req = Client::new().request(method, format!("{}{path}", app.url()));
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let resp = req.send().await.expect("the server answers");
    let status = resp.status();
    let etag = resp
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    let body = resp.json::<Value>().await.expect("a JSON body");
    (status, etag, body)
}

fn admin() -> (&'static str, String) {
    ("authorization", format!("Bearer {TOKEN}"))
}

async fn put(
    app: &TestApp,
    id: &str,
    if_match: Option<&str>,
    body: &Value,
) -> (StatusCode, Option<String>, Value) {
    let (n, v) = admin();
    let mut headers = vec![(n, v.as_str())];
    if let Some(m) = if_match {
        headers.push(("if-match", m));
    }
    call(
        app,
        Method::PUT,
        &format!("/v1/concepts/{id}"),
        &headers,
        Some(body),
    )
    .await
}

/// The concept ids annotated in `text` for a marketing reader, and the marketing rendering.
async fn translate(app: &TestApp, text: &str) -> (Vec<String>, String) {
    let (status, _, body) = call(
        app,
        Method::POST,
        "/v1/translate",
        &[],
        Some(&json!({"text": text, "audience": "it"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids = body["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["concept_id"].as_str().unwrap().to_string())
        .collect();
    (
        ids,
        body["renderings"][0]["text"].as_str().unwrap().to_string(),
    )
}

fn error(body: &Value) -> (&str, &str, Option<&str>) {
    (
        body["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error: {body}")),
        body["error"]["message"].as_str().unwrap(),
        body["error"]["field"].as_str(),
    )
}

fn nps(definition: &str) -> Value {
    json!({
        "id": "nps",
        "tags": ["loyalty"],
        "it": {"terms": ["recommendation score"], "definition": "A 0-10 survey answer, aggregated."},
        "marketing": {"terms": ["NPS", "net promoter score"], "definition": definition},
    })
}

#[tokio::test]
async fn put_and_delete_with_token_and_if_match_show_in_translate() {
    let (app, dir) = editable().await;
    let text = "Our NPS went up this quarter.";
    assert!(translate(&app, text).await.0.is_empty());

    // No token, a wrong token: 401, nothing written.
    let (status, _, body) = call(&app, Method::PUT, "/v1/concepts/nps", &[], Some(&nps("d"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(error(&body).1.contains("authorization"), "{body}");
    let (status, _, _) = call(
        &app,
        Method::PUT,
        "/v1/concepts/nps",
        &[("authorization", "Bearer nope")],
        Some(&nps("d")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!dir.path().join("edits.toml").exists());

    // Create: 200, the etag in the header and the body, durable, visible at once.
    let (status, etag, body) = put(
        &app,
        "nps",
        None,
        &nps("How likely customers recommend us."),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let etag1 = body["etag"].as_str().unwrap().to_string();
    assert_eq!(etag.as_deref(), Some(format!("\"{etag1}\"").as_str()));
    assert!(std::fs::read_to_string(dir.path().join("edits.toml"))
        .unwrap()
        .contains("id = \"nps\""));
    let (ids, rendering) = translate(&app, text).await;
    assert_eq!(ids, ["nps"]);
    assert!(rendering.contains("recommendation score"), "{rendering}");

    // GET gives the same concept and etag.
    let (status, etag, body) = call(&app, Method::GET, "/v1/concepts/nps", &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(etag.as_deref(), Some(format!("\"{etag1}\"").as_str()));
    assert_eq!(
        body["marketing"]["terms"],
        json!(["NPS", "net promoter score"])
    );

    // Replace with the current etag (quoted, as curl users copy it from the header): 200.
    let quoted = format!("\"{etag1}\"");
    let mut changed = nps("Share of promoters minus share of detractors.");
    changed["it"]["terms"] = json!(["promoter ratio"]);
    let (status, _, body) = put(&app, "nps", Some(&quoted), &changed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let etag2 = body["etag"].as_str().unwrap().to_string();
    assert_ne!(etag1, etag2);
    assert!(translate(&app, text).await.1.contains("promoter ratio"));

    // The old etag is stale now: 412, naming If-Match, nothing changed.
    let (status, _, body) = put(&app, "nps", Some(&etag1), &nps("lost update")).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    let (code, message, _) = error(&body);
    assert_eq!(code, "ABORTED");
    assert!(message.starts_with("If-Match:"), "{message}");
    assert!(translate(&app, text).await.1.contains("promoter ratio"));
    // `If-Match: *` on a concept that does not exist: 412 too.
    let (status, _, _) = put(
        &app,
        "fresh",
        Some("*"),
        &json!({"marketing": {"terms": ["fresh"], "definition": "d"}}),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);

    // Delete with a stale etag: 412; with the current one: gone everywhere.
    let (n, v) = admin();
    let del = |m: String| {
        let app = &app;
        let v = v.clone();
        async move {
            call(
                app,
                Method::DELETE,
                "/v1/concepts/nps",
                &[(n, v.as_str()), ("if-match", m.as_str())],
                None,
            )
            .await
        }
    };
    let (status, _, _) = del(etag1.clone()).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _, body) = del(etag2.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["deleted"], "nps");
    assert!(translate(&app, text).await.0.is_empty());
    let (status, _, body) = call(&app, Method::GET, "/v1/concepts/nps", &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _, body) = call(
        &app,
        Method::DELETE,
        "/v1/concepts/nps",
        &[(n, v.as_str())],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(!std::fs::read_to_string(dir.path().join("edits.toml"))
        .unwrap()
        .contains("id = \"nps\""));
}

#[tokio::test]
async fn bad_concepts_are_400_naming_the_field_and_change_nothing() {
    let (app, dir) = editable().await;
    let before = std::fs::read_to_string(dir.path().join("20-business.toml")).unwrap();
    let mql = |f: &dyn Fn(&mut Value)| {
        let mut v = json!({
            "id": "mql",
            "marketing": {"terms": ["MQL"], "definition": "A lead marketing judged ready."},
        });
        f(&mut v);
        v
    };
    // (path id, body, field named)
    let cases: Vec<(&str, Value, &str)> = vec![
        ("mql", mql(&|v| v["id"] = json!("ctr")), "id"),
        (
            "mql",
            mql(&|v| v["marketing"]["terms"] = json!(["MQL", " "])),
            "concept.marketing.terms[1]",
        ),
        (
            "mql",
            mql(&|v| v["marketing"]["definition"] = json!("")),
            "concept.marketing.definition",
        ),
        (
            "mql",
            mql(&|v| v["marketing"]["terms"] = json!([])),
            "concept",
        ),
        (
            "mql",
            mql(&|v| v["marketing"]["terms"] = json!("MQL")),
            "concept.marketing.terms",
        ),
        (
            "mql",
            mql(&|v| v["colour"] = json!("red")),
            "concept.colour",
        ),
        ("Bad_Id", mql(&|v| v["id"] = json!("Bad_Id")), "concept.id"),
        ("mql", json!(["not", "an", "object"]), "body"),
    ];
    for (id, body, field) in &cases {
        let (status, _, answer) = put(&app, id, None, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
        let (code, message, named) = error(&answer);
        assert_eq!(code, "INVALID_ARGUMENT");
        assert!(
            named.is_some_and(|n| n == *field || n.starts_with(&format!("{field}."))),
            "{body}: expected field {field}, got {answer}"
        );
        assert!(message.starts_with(named.unwrap()), "{message}");
    }
    // Not JSON at all.
    let resp = Client::new()
        .put(format!("{}/v1/concepts/mql", app.url()))
        .bearer_auth(TOKEN)
        .body("{\"id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error(&body).2, Some("body"));
    assert!(error(&body).1.contains("not valid JSON"), "{body}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("20-business.toml")).unwrap(),
        before
    );
    assert!(!dir.path().join("edits.toml").exists());
}

#[tokio::test]
async fn edits_are_refused_when_the_server_offers_none() {
    // No admin token configured.
    let app = spawn_app().await;
    let (status, _, body) = put(&app, "nps", None, &nps("d")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(error(&body).1.contains("admin token"), "{body}");
    // A token, but the embedded (read-only) glossary.
    let config = ServiceConfig {
        admin_token: secret(TOKEN),
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(common::fixture_glossary(), config).await;
    let (status, _, body) = put(&app, "nps", None, &nps("d")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(error(&body).1.contains("--glossary"), "{body}");
    let (n, v) = admin();
    let (status, _, _) = call(
        &app,
        Method::DELETE,
        "/v1/concepts/mql",
        &[(n, v.as_str())],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn browse_pages_suggest_and_info() {
    let app = spawn_app().await;
    let get = |path: String| {
        let app = &app;
        async move { call(app, Method::GET, &path, &[], None).await }
    };

    // Pages of 3 cover the 10 concepts once, in glossary order.
    let mut seen = Vec::new();
    let mut token = String::new();
    for _ in 0..10 {
        let (status, _, body) = get(format!("/v1/concepts?page_size=3&page_token={token}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page = body["concepts"].as_array().unwrap();
        assert!(page.len() <= 3);
        seen.extend(page.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        token = body["next_page_token"].as_str().unwrap().to_string();
        if token.is_empty() {
            break;
        }
    }
    let all = common::fixture_glossary();
    let want: Vec<String> = all.concepts().iter().map(|c| c.id.clone()).collect();
    assert_eq!(seen, want);

    let (_, _, body) = get("/v1/concepts?tag=delivery".into()).await;
    let ids: Vec<&str> = body["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ci-pipeline", "deployment", "refactoring"]);
    let (_, _, body) = get("/v1/concepts?query=click".into()).await;
    assert_eq!(body["concepts"][0]["id"], "ctr");
    assert!(body["concepts"][0]["etag"]
        .as_str()
        .is_some_and(|e| !e.is_empty()));

    for (path, field) in [
        ("/v1/concepts?page_token=garbage", "page_token"),
        ("/v1/concepts?page_size=many", "page_size"),
        ("/v1/suggest?prefix=pi&side=cmo", "side"),
        ("/v1/suggest?side=it", "prefix"),
        ("/v1/suggest?prefix=pi&limit=-1", "limit"),
    ] {
        let (status, _, body) = get(path.into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(error(&body).2, Some(field), "{path}: {body}");
    }

    let (status, _, body) = get("/v1/suggest?prefix=PIPE&limit=5".into()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let suggestions = body["suggestions"].as_array().unwrap();
    assert!(
        suggestions.iter().any(|s| s["term"] == "pipeline"
            && s["concept_id"] == "ci-pipeline"
            && s["side"] == "it"),
        "{body}"
    );
    assert!(
        suggestions
            .iter()
            .any(|s| s["concept_id"] == "sales-pipeline" && s["side"] == "marketing"),
        "{body}"
    );
    let (_, _, body) = get("/v1/suggest?prefix=pipe&side=it".into()).await;
    assert!(
        body["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["side"] == "it"),
        "{body}"
    );

    let (status, _, info) = get("/v1/info".into()).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    let (_, _, health) = get("/healthz".into()).await;
    assert_eq!(info["version"], health["glossary_version"]);
    assert_eq!(info["concepts"], 10);
    assert!(
        info["it_terms"].as_u64().unwrap() > 0 && info["marketing_terms"].as_u64().unwrap() > 0
    );
    assert!(
        info["false_friends"].as_u64().unwrap() >= 1,
        "pipeline is one: {info}"
    );
    let loaded = info["loaded_at"].as_str().unwrap();
    assert!(
        loaded.len() >= 20 && loaded.ends_with('Z') && loaded.contains('T'),
        "{loaded}"
    );
}

#[tokio::test]
async fn browse_routes_need_the_read_token_when_one_is_set() {
    let config = ServiceConfig {
        read_token: secret("reader"),
        ..ServiceConfig::default()
    };
    let app = spawn_app_with(common::fixture_glossary(), config).await;
    for path in ["/v1/info", "/v1/concepts", "/v1/suggest?prefix=pi"] {
        let (status, _, _) = call(&app, Method::GET, path, &[], None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        let (status, _, body) = call(
            &app,
            Method::GET,
            path,
            &[("authorization", "Bearer reader")],
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
}

#[tokio::test]
async fn if_none_match_star_creates_only_and_a_shared_term_is_warned_about() {
    let (app, dir) = editable().await;
    let (n, v) = admin();
    let create_only = |body: Value, id: &'static str| {
        let v = v.clone();
        let app = &app;
        async move {
            call(
                app,
                Method::PUT,
                &format!("/v1/concepts/{id}"),
                &[(n, v.as_str()), ("if-none-match", "*")],
                Some(&body),
            )
            .await
        }
    };
    let before = std::fs::read_to_string(dir.path().join("10-engineering.toml")).unwrap();

    // An id that exists: 412 naming the id and what to do, and nothing written.
    let latency = json!({"it": {"terms": ["lag"], "definition": "Slowness."}});
    let (status, _, body) = create_only(latency, "latency").await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    let (code, message, _) = error(&body);
    assert_eq!(code, "ABORTED");
    assert!(
        message.contains("'latency' already exists") && message.contains("If-None-Match"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("10-engineering.toml")).unwrap(),
        before
    );
    let (_, _, body) = call(&app, Method::GET, "/v1/concepts/latency", &[], None).await;
    assert_eq!(body["it"]["terms"][0], "latency", "{body}");

    // A free id: created. A second create-only PUT of it: 412.
    let (status, _, body) = create_only(nps("Promoters minus detractors."), "nps").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("warnings").is_none(), "{body}");
    let (status, _, _) = create_only(nps("Again."), "nps").await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);

    // Only `*` means something, and not together with If-Match.
    for headers in [
        vec![(n, v.as_str()), ("if-none-match", "\"abc\"")],
        vec![(n, v.as_str()), ("if-none-match", "*"), ("if-match", "*")],
    ] {
        let (status, _, body) = call(
            &app,
            Method::PUT,
            "/v1/concepts/x-y",
            &headers,
            Some(&nps("d")),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error(&body).2, Some("If-None-Match"), "{body}");
    }

    // A term another concept has on the same side: saved, with a warning that says what to do.
    let twin = json!({
        "marketing": {"terms": ["page speed"], "definition": "How fast pages open."},
    });
    let (status, _, body) = put(&app, "page-speed", None, &twin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let warnings = body["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{body}");
    let w = warnings[0].as_str().unwrap();
    assert!(
        w.contains("'page speed' is also a marketing term of 'latency'") && w.contains("merge"),
        "{w}"
    );
    // A false friend is named as such, and is not presented as a mistake.
    let friend = json!({
        "marketing": {"terms": ["uptime"], "definition": "Time a campaign stays live."},
    });
    let (status, _, body) = put(&app, "campaign-uptime", None, &friend).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = body["warnings"][0].as_str().unwrap();
    assert!(w.contains("false friend") && !w.contains("merge"), "{w}");
}
