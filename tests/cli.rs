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
    // One rule: 2 for any usage or input error (src/input.rs).
    let o = broker(&["translate", "/no/such/file.md"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/no/such/file.md"), "{}", stderr(&o));

    let o = broker(&["translate", "--for", "cmo"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--for"), "{}", stderr(&o));

    let o = broker(&["translate", "--min-score", "3"], "x");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("min_score"), "{}", stderr(&o));

    let broken = fixture("broken");
    let o = broker(&["translate", "--glossary", broken.to_str().unwrap()], "x");
    assert_eq!(o.status.code(), Some(2));
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

#[test]
fn gaps_ranks_jargon_over_a_document_set() {
    let docs = fixture("gaps/docs");
    let glossary = fixture("glossary");
    let args = |extra: &[&str]| {
        let mut v = vec![
            "gaps".to_string(),
            docs.display().to_string(),
            "--glossary".into(),
            glossary.display().to_string(),
            "--json".into(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        broker(&a, "")
    };
    let out = run(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // Three documents (the .pdf is not read; code in Markdown and HTML is not prose).
    assert_eq!(v["documents"], 3);
    let ranked: Vec<(String, u64, u64, String)> = v["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap().to_string(),
                g["count"].as_u64().unwrap(),
                g["documents"].as_u64().unwrap(),
                g["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        [
            ("OKR".to_string(), 4, 3, "acronym".to_string()),
            ("DRI".to_string(), 2, 2, "acronym".to_string()),
            ("IMOC".to_string(), 1, 1, "defined".to_string()),
        ]
    );
    let first = &v["gaps"][0]["example"];
    assert!(first["path"].as_str().unwrap().ends_with("a.md"));
    assert_eq!(first["line"], 3);
    assert_eq!(first["sentence"], "Every team sets OKRs each quarter.");

    // --min-count keeps the frequent ones; text output is a table.
    let out = run(&["--min-count", "2"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["gaps"].as_array().unwrap().len(), 2);

    // --propose writes drafts that load, are not matched, and make `check` warn.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for entry in std::fs::read_dir(&glossary).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let out = run(&["--propose", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let proposed = std::fs::read_to_string(dir.join("proposed-gaps.toml")).unwrap();
    assert!(proposed.contains("id = \"okr\"") && proposed.contains("draft = true"));
    let check = broker(
        &["glossary", "check", "--glossary", dir.to_str().unwrap()],
        "",
    );
    assert!(check.status.success(), "{}", stderr(&check));
    // Each warning once, on stdout with the result (not also as a log line on stderr).
    let shown = String::from_utf8_lossy(&check.stdout).to_string();
    assert_eq!(
        shown.matches("concept 'okr' is a draft").count(),
        1,
        "{shown}"
    );
    assert!(!stderr(&check).contains("is a draft"), "{}", stderr(&check));
    let t = broker(
        &["translate", "--json", "--glossary", dir.to_str().unwrap()],
        "Our OKRs slipped.",
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&t)).unwrap();
    assert_eq!(
        v["annotations"].as_array().unwrap().len(),
        0,
        "drafts are not matched"
    );
    assert_eq!(v["gaps"][0]["text"], "OKRs", "and stay gaps");
    // Proposing again does not overwrite the owners' file.
    let again = run(&["--propose", dir.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));

    // A path that cannot be read: reported, the rest still ranked, exit 2.
    let out = broker(
        &[
            "gaps",
            docs.to_str().unwrap(),
            "/nonexistent/broker-docs",
            "--glossary",
            glossary.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/broker-docs"));
    assert!(stdout(&out).contains("OKR"));
}
