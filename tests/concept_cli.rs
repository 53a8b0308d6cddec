//! `broker concept get|put|delete|list`: the real binary against the real server (a
//! store-backed glossary on a temporary copy of the fixture), with the token from
//! `BROKER_ADMIN_TOKEN`, concept files in TOML and JSON, and the exit codes 0 / 1 (the server
//! refused) / 2 (the server could not be asked).

use std::path::Path;

use broker::config::ServiceConfig;
use serde_json::Value;

mod common;

use common::{copy_fixture, secret, spawn_app_with_store, TestApp};

const TOKEN: &str = "concept-cli-token";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `broker concept ARGS` against `server` with `env` set (and the tokens unset otherwise).
async fn broker(server: &str, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_broker"));
    cmd.arg("concept")
        .args(args)
        .arg("--server")
        .arg(server)
        .env_remove("BROKER_ADMIN_TOKEN")
        .env_remove("BROKER_READ_TOKEN")
        .env_remove("BROKER_SERVER")
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(common::PATIENCE, cmd.output())
        .await
        .expect("broker concept finishes")
        .expect("broker runs");
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

async fn editable() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path());
    let config = ServiceConfig {
        admin_token: secret(TOKEN),
        ..ServiceConfig::default()
    };
    (spawn_app_with_store(dir.path(), config).await, dir)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

async fn annotated(app: &TestApp, text: &str) -> Vec<String> {
    let resp = app
        .post_json("/v1/translate", &serde_json::json!({"text": text}))
        .await;
    resp.json()["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["concept_id"].as_str().unwrap().to_string())
        .collect()
}

const NPS_TOML: &str = r#"# Net promoter score, as a glossary file.
[[concept]]
id = "nps"
tags = ["loyalty"]

[concept.it]
terms = ["recommendation score"]
definition = "A 0-10 survey answer, aggregated."

[concept.marketing]
terms = ["NPS", "net promoter score"]
definition = "Share of promoters minus share of detractors."
"#;

#[tokio::test]
async fn put_get_delete_round_trip_with_exit_codes() {
    let (app, _glossary) = editable().await;
    let files = tempfile::tempdir().unwrap();
    let url = app.url();
    let token = [("BROKER_ADMIN_TOKEN", TOKEN)];
    let toml = write(files.path(), "nps.toml", NPS_TOML);

    // Without the token: refused before asking, exit 2, saying what to set.
    let run = broker(&url, &[], &["put", &toml]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("BROKER_ADMIN_TOKEN"), "{}", run.stderr);
    // A wrong token: the server's 401 and its message, exit 1.
    let run = broker(&url, &[("BROKER_ADMIN_TOKEN", "wrong")], &["put", &toml]).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("401") && run.stderr.contains("authorization"),
        "{}",
        run.stderr
    );

    // Put from TOML: exit 0, the stored concept with its etag on stdout, visible at once.
    assert!(annotated(&app, "Our NPS rose.").await.is_empty());
    let run = broker(&url, &token, &["put", &toml]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stored: Value = serde_json::from_str(&run.stdout).unwrap();
    let etag1 = stored["etag"].as_str().unwrap().to_string();
    assert_eq!(annotated(&app, "Our NPS rose.").await, ["nps"]);

    // Get as JSON, edit, put back: the file's etag is the condition.
    let run = broker(&url, &[], &["get", "nps"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut got: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(got["etag"], etag1.as_str());
    got["marketing"]["terms"] = serde_json::json!(["NPS", "promoter score"]);
    let json_file = write(files.path(), "nps.json", &got.to_string());
    let run = broker(&url, &token, &["put", &json_file]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The same file again: its etag is stale now → the server's 412, exit 1.
    let run = broker(&url, &token, &["put", &json_file]).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("412") && run.stderr.contains("If-Match"),
        "{}",
        run.stderr
    );

    // Get as TOML, and that file puts back (the glossary's own format).
    let run = broker(&url, &[], &["get", "nps", "--toml"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("[[concept]]") && run.stdout.contains("promoter score"),
        "{}",
        run.stdout
    );
    let back = write(files.path(), "back.toml", &run.stdout);
    let run = broker(&url, &token, &["put", &back]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Delete with a stale etag: 412, exit 1; without: gone, and get says 404, exit 1.
    let run = broker(&url, &token, &["delete", "nps", "--if-match", &etag1]).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = broker(&url, &token, &["delete", "nps"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "deleted nps");
    assert!(annotated(&app, "Our NPS rose.").await.is_empty());
    let run = broker(&url, &[], &["get", "nps"]).await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("404 NOT_FOUND"), "{}", run.stderr);
}

#[tokio::test]
async fn bad_files_and_unreachable_servers_exit_2_with_the_reason() {
    let (app, _glossary) = editable().await;
    let files = tempfile::tempdir().unwrap();
    let url = app.url();
    let token = [("BROKER_ADMIN_TOKEN", TOKEN)];

    let empty_term = NPS_TOML.replace("[\"NPS\", \"net promoter score\"]", "[\"NPS\", \"\"]");
    let bad = write(files.path(), "bad.toml", &empty_term);
    let run = broker(&url, &token, &["put", &bad]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("bad.toml:11"),
        "file:line expected: {}",
        run.stderr
    );

    let bad = write(
        files.path(),
        "bad.json",
        r#"{"id": "nps", "marketing": {"terms": "NPS"}}"#,
    );
    let run = broker(&url, &token, &["put", &bad]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("marketing.terms"), "{}", run.stderr);

    let run = broker(&url, &token, &["put", "/nonexistent/nps.toml"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("/nonexistent/nps.toml"),
        "{}",
        run.stderr
    );

    // A port nobody listens on any more.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let run = broker(&format!("http://{closed}"), &[], &["get", "mql"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot reach the broker server"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn list_follows_every_page_and_filters() {
    let (app, _glossary) = editable().await;
    let url = app.url();
    let run = broker(&url, &[], &["list", "--json", "--page-size", "3"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let ids: Vec<&str> = all.iter().map(|c| c["id"].as_str().unwrap()).collect();
    let want = common::fixture_glossary();
    assert_eq!(
        ids,
        want.concepts()
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>()
    );

    let run = broker(&url, &[], &["list", "--tag", "delivery"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0].starts_with("ci-pipeline\tit: pipeline, CI pipeline\tmarketing: release process"),
        "{}",
        lines[0]
    );
    let run = broker(&url, &[], &["list", "--query", "click"]).await;
    assert!(run.stdout.starts_with("ctr\t"), "{}", run.stdout);
}
