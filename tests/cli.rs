//! The `broker` binary: translate, lookup and glossary commands, their output and exit codes.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn broker(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_broker"))
        .args(args)
        .env_remove("BROKER_GLOSSARY")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("broker runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn translate_json_from_stdin() {
    let g = fixture("glossary");
    let o = broker(
        &[
            "translate",
            "--glossary",
            g.to_str().unwrap(),
            "--for",
            "marketing",
            "--json",
        ],
        "Our latency is high",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let a = &v["annotations"][0];
    assert_eq!(a["concept_id"], "latency");
    assert_eq!(a["side"], "it");
    assert_eq!(a["match"], "exact");
    assert_eq!(
        (a["start"].as_u64(), a["end"].as_u64()),
        (Some(4), Some(11))
    );
    assert_eq!(a["equivalents"][0], "page speed");
    assert_eq!(v["renderings"][0]["audience"], "marketing");
    assert_eq!(
        v["renderings"][0]["text"],
        "Our latency [≈ page speed] is high"
    );
    assert!(v["glossary_version"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
}

#[test]
fn translate_a_file_with_a_format() {
    let g = fixture("glossary");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("brief.md");
    std::fs::write(&file, "Cut `latency`, then latency.\n").unwrap();
    let o = broker(
        &[
            "translate",
            file.to_str().unwrap(),
            "--glossary",
            g.to_str().unwrap(),
            "--for",
            "marketing",
            "--format",
            "markdown",
        ],
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "Cut `latency`, then latency[^1].\n\n[^1]: **latency** — page speed: How long a customer waits for a page to appear.\n"
    );
}

#[test]
fn embedded_glossary_by_default() {
    let o = broker(&["translate", "--for", "marketing"], "Our latency is high");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("latency [≈"), "{}", stdout(&o));
}

#[test]
fn errors_are_clear() {
    let o = broker(&["translate", "/no/such/file.md"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such/file.md"), "{}", stderr(&o));

    let o = broker(&["translate", "--for", "cmo"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--for"), "{}", stderr(&o));

    let o = broker(&["translate", "--min-score", "3"], "x");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("min_score"), "{}", stderr(&o));

    let broken = fixture("broken");
    let o = broker(&["translate", "--glossary", broken.to_str().unwrap()], "x");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("a.toml:9:"), "{}", stderr(&o));
}

#[test]
fn glossary_check_and_stats() {
    let broken = fixture("broken");
    let o = broker(
        &["glossary", "check", "--glossary", broken.to_str().unwrap()],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("a.toml:9: concept 'ok': marketing.definition: is required"),
        "{out}"
    );

    let g = fixture("glossary");
    let o = broker(
        &["glossary", "check", "--glossary", g.to_str().unwrap()],
        "",
    );
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("ok: 17 concepts"), "{}", stdout(&o));

    let o = broker(
        &["glossary", "stats", "--glossary", g.to_str().unwrap()],
        "",
    );
    assert!(o.status.success());
    assert!(stdout(&o).contains("false_friends   1"), "{}", stdout(&o));
}

#[test]
fn lookup_explains_a_term() {
    let g = fixture("glossary");
    let o = broker(&["lookup", "ctr", "--glossary", g.to_str().unwrap()], "");
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.starts_with("ctr ("), "{out}");
    assert!(out.contains("click rate metric"), "{out}");
    let o = broker(
        &["lookup", "zzzz qqqq", "--glossary", g.to_str().unwrap()],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
}
