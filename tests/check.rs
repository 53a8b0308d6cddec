//! `broker check` and `broker translate FILE…|DIR --out DIR`, run as the real binary on fixture
//! repositories: exit codes per level, `path:line:col` on multi-byte and CRLF text, ignores,
//! `.broker.toml` found upward, `.gitignore` in directory walks, SARIF valid against the SARIF
//! 2.1.0 schema, GitHub workflow commands.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/repo")
}

/// Runs `broker` in `dir` with `args`.
fn broker(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_broker"))
        .args(args)
        .current_dir(dir)
        .env_remove("BROKER_GLOSSARY")
        .env("RUST_LOG", "warn")
        .output()
        .expect("broker runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// (path, line, column, rule) of every finding of a JSON report.
fn places(report: &Value) -> Vec<(String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn exit_codes_follow_the_level_of_the_findings() {
    let r = repo();
    // briefs/ holds jargon notes only; prd/ also false friends (warnings).
    let cases: [(&[&str], i32); 9] = [
        (&["check", "briefs"], 0),
        (&["check", "briefs", "--fail-on", "note"], 1),
        (&["check", "briefs", "--fail-on", "warning"], 0),
        (&["check", "prd"], 1),
        (&["check", "prd", "--fail-on", "error"], 0),
        (&["check", "prd", "--fail-on", "none"], 0),
        (&["check", "prd", "--fail-on", "note"], 1),
        (&["check", "no-such-dir"], 2),
        (&["check", "briefs", "--fail-on", "loud"], 2),
    ];
    for (args, want) in cases {
        let o = broker(&r, args);
        assert_eq!(code(&o), want, "{args:?}: {}{}", stdout(&o), stderr(&o));
    }
}

#[test]
fn a_rule_raised_to_error_in_the_configuration_fails_an_error_gate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".broker.toml"),
        "[rules]\nfalse-friend = \"error\"\njargon = \"off\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("prd.md"),
        "The release pipeline deploys twice a day.\n",
    )
    .unwrap();
    let o = broker(
        dir.path(),
        &[
            "check",
            ".",
            "--for",
            "marketing",
            "--fail-on",
            "error",
            "--output",
            "json",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let rules: Vec<String> = places(&json(&o)).into_iter().map(|p| p.3).collect();
    assert!(rules.iter().all(|r| r == "false-friend"), "{rules:?}");
    assert!(!rules.is_empty());
}

#[test]
fn lines_and_columns_count_characters_across_crlf_and_multibyte_text() {
    let dir = tempfile::tempdir().unwrap();
    // Accents, an emoji (two UTF-16 units, four bytes) and CJK before the terms; CRLF lines.
    let text = "Thé café ☕ naïve: our latency doubled.\r\n\r\n日本語のテキスト, then the API.\r\n";
    std::fs::write(dir.path().join("notes.txt"), text).unwrap();
    let o = broker(
        dir.path(),
        &[
            "check",
            "notes.txt",
            "--for",
            "marketing",
            "--output",
            "json",
        ],
    );
    let report = json(&o);
    let got: Vec<(u64, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Expected positions computed from the text itself, in characters.
    let expect = |word: &str| {
        let at = text.find(word).unwrap();
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line = text[..at].matches('\n').count() as u64 + 1;
        let col = text[line_start..at].chars().count() as u64 + 1;
        (line, col, word.to_string())
    };
    assert!(got.contains(&expect("latency")), "{got:?}");
    assert!(got.contains(&expect("API")), "{got:?}");
    assert_eq!(expect("latency"), (1, 23, "latency".to_string()));
    assert_eq!(expect("API").0, 3);

    // A byte-order mark is no character of the first line.
    std::fs::write(dir.path().join("bom.txt"), format!("\u{feff}{text}")).unwrap();
    let o = broker(
        dir.path(),
        &["check", "bom.txt", "--for", "marketing", "--output", "json"],
    );
    let first = &json(&o)["findings"][0];
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(1), Some(23))
    );
    // SARIF columns count UTF-16 code units, as GitHub does: the emoji before 'latency' is one.
    assert_eq!(first["column_utf16"].as_u64(), Some(23));

    // The text format says the same, compiler style.
    let o = broker(dir.path(), &["check", "notes.txt", "--for", "marketing"]);
    assert!(
        stdout(&o).contains("notes.txt:1:23: note jargon: 'latency'"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn code_urls_front_matter_identifiers_and_ignored_lines_are_never_flagged() {
    let o = broker(&repo(), &["check", "prd", "--output", "json"]);
    let report = json(&o);
    let lines: Vec<u64> = places(&report).iter().map(|p| p.1).collect();
    let text = std::fs::read_to_string(repo().join("prd/q3/checkout.md")).unwrap();
    let line_of =
        |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() as u64 + 1;
    for quiet in [
        "owner: the platform team (p99 latency)", // front matter
        "latency_budget",                         // fenced code
        "Config lives",                           // `pipeline.yml`, deploy_id, URLs
        "Our SLO error budget",                   // broker-ignore … broker-ignore-end
        "The CDN cache",                          // broker-ignore-next-line
    ] {
        let line = line_of(quiet);
        let on_line: Vec<_> = places(&report)
            .into_iter()
            .filter(|p| p.1 == line)
            .filter(|p| quiet != "Config lives" || p.2 > 1)
            .collect();
        assert!(on_line.is_empty(), "{quiet}: {on_line:?} in {lines:?}");
    }
    // The prose around them still is checked.
    assert!(
        lines.contains(&line_of("We will cut the latency")),
        "{lines:?}"
    );
    assert!(
        lines.contains(&line_of("The release pipeline")),
        "{lines:?}"
    );
}

#[test]
fn the_configuration_is_found_upward_and_names_readers_and_ignored_paths() {
    // Run from outside the repository, naming a file two levels below its .broker.toml:
    // no --for, so the reader comes from [[readers]].
    let outside = repo().join("../..");
    let file = repo().join("prd/q3/checkout.md");
    let o = broker(
        &outside,
        &["check", file.to_str().unwrap(), "--output", "json"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report = json(&o);
    let msgs: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains("a marketing reader")),
        "{msgs:?}"
    );

    // vendor/ is ignored by the configuration, even when named.
    let o = broker(&repo(), &["check", "vendor", "prd", "--output", "json"]);
    let paths: Vec<String> = places(&json(&o)).into_iter().map(|p| p.0).collect();
    assert!(paths.iter().all(|p| !p.starts_with("vendor")), "{paths:?}");

    // A file that no [[readers]] entry names is left out, not an error (the README at the root
    // of a repository whose configuration names readers for docs only).
    let o = broker(&repo(), &["check", ".", "--output", "json"]);
    let paths: Vec<String> = places(&json(&o)).into_iter().map(|p| p.0).collect();
    assert!(paths.iter().any(|p| p.starts_with("prd/")), "{paths:?}");
    assert_eq!(code(&o), 1, "{}", stderr(&o));

    // With no configuration and no --for, the check says what is missing and exits 2.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "Our latency doubled.\n").unwrap();
    let o = broker(dir.path(), &["check", "a.md"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no reader"), "{}", stderr(&o));

    // A broken configuration is named with file:line, and exits 2.
    std::fs::write(
        dir.path().join(".broker.toml"),
        "\n[rules]\njargon = \"loud\"\n",
    )
    .unwrap();
    let o = broker(dir.path(), &["check", "a.md", "--for", "it"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(".broker.toml:3: rules.jargon"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0_with_rules_regions_and_fixes() {
    let schema: Value =
        serde_json::from_str(include_str!("sarif/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");

    let o = broker(&repo(), &["check", "prd", "briefs", "--output", "sarif"]);
    assert_eq!(code(&o), 1);
    let sarif = json(&o);
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // The schema is not a formality: a result without its message is refused.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    assert!(!validator.is_valid(&broken));

    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["jargon", "false-friend", "gap"]);
    assert!(run["tool"]["driver"]["rules"][0]["help"]["text"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));

    // Results agree with the JSON report, place by place.
    let report = json(&broker(
        &repo(),
        &["check", "prd", "briefs", "--output", "json"],
    ));
    let from_sarif: Vec<(String, u64, u64, String)> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_u64().unwrap(),
                loc["region"]["startColumn"].as_u64().unwrap(),
                r["ruleId"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(from_sarif, places(&report));

    // A jargon finding carries the rewrite as a fix: 'latency' → 'page speed'.
    let latency = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == "latency")
        .expect("latency is reported");
    assert_eq!(
        latency["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
        "page speed"
    );
}

#[test]
fn github_output_is_one_workflow_command_per_finding() {
    let o = broker(&repo(), &["check", "prd", "briefs", "--output", "github"]);
    assert_eq!(code(&o), 1);
    let report = json(&broker(
        &repo(),
        &["check", "prd", "briefs", "--output", "json"],
    ));
    let mut parsed = Vec::new();
    for line in stdout(&o).lines() {
        let (head, message) = line
            .strip_prefix("::")
            .and_then(|l| l.split_once("::"))
            .unwrap_or_else(|| panic!("not a workflow command: {line}"));
        let (command, props) = head.split_once(' ').unwrap();
        assert!(["notice", "warning", "error"].contains(&command), "{line}");
        let prop = |k: &str| {
            props
                .split(',')
                .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
                .unwrap_or_else(|| panic!("{k} missing in {line}"))
                .to_string()
        };
        assert!(!message.contains('\n') && !message.is_empty());
        let level = match command {
            "notice" => "note",
            other => other,
        };
        parsed.push((
            prop("file"),
            prop("line").parse::<u64>().unwrap(),
            prop("col").parse::<u64>().unwrap(),
            prop("title").trim_start_matches("broker ").to_string(),
            level.to_string(),
        ));
    }
    let levels = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["level"].as_str().unwrap().to_string());
    let expected: Vec<(String, u64, u64, String, String)> = places(&report)
        .into_iter()
        .zip(levels)
        .map(|((path, line, col, rule), level)| (path, line, col, rule, level))
        .collect();
    assert_eq!(parsed, expected);
}

#[test]
fn translate_writes_one_file_per_input_and_reports_unreadable_ones() {
    let src = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("sub")).unwrap();
    std::fs::write(src.path().join("a.md"), "Our latency doubled.\n").unwrap();
    std::fs::write(
        src.path().join("sub/b.html"),
        "<p>Our latency doubled.</p>\n",
    )
    .unwrap();
    std::fs::write(src.path().join("c.txt"), "Our latency doubled.\n").unwrap();
    std::fs::write(src.path().join("bad.txt"), [0xff, 0xfe, b'x']).unwrap();

    let o = broker(
        src.path(),
        &[
            "translate",
            ".",
            "--for",
            "marketing",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 2, "one file is not UTF-8: {}", stderr(&o));
    assert!(stderr(&o).contains("bad.txt"), "{}", stderr(&o));
    let read = |p: &str| std::fs::read_to_string(out.path().join(p)).unwrap();
    // Format by suffix: Markdown footnotes, HTML <abbr>, inline notes for plain text.
    assert!(read("a.md").contains("latency[^1]"), "{}", read("a.md"));
    assert!(
        read("sub/b.html").contains("<abbr class=\"broker\""),
        "{}",
        read("sub/b.html")
    );
    assert!(
        read("c.txt").contains("latency [≈ page speed]"),
        "{}",
        read("c.txt")
    );
    assert!(!out.path().join("bad.txt").exists());

    // Several files by name, JSON: NAME.json each; a given --format wins over suffixes.
    let o = broker(
        src.path(),
        &[
            "translate",
            "a.md",
            "c.txt",
            "--json",
            "--format",
            "none",
            "--out",
            out.path().join("json").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&read("json/a.md.json")).unwrap();
    assert_eq!(v["annotations"][0]["concept_id"], "latency");
    assert!(v["renderings"].as_array().unwrap().is_empty());

    // Two inputs that would land on one output file: refused before anything is written.
    std::fs::create_dir_all(src.path().join("x")).unwrap();
    std::fs::create_dir_all(src.path().join("y")).unwrap();
    std::fs::write(src.path().join("x/README.md"), "Our latency doubled.\n").unwrap();
    std::fs::write(src.path().join("y/README.md"), "Our CTR doubled.\n").unwrap();
    let clash = out.path().join("clash");
    let o = broker(
        src.path(),
        &["translate", "x", "y", "--out", clash.to_str().unwrap()],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("would both be written"),
        "{}",
        stderr(&o)
    );
    assert!(!clash.exists());

    // An output directory inside the input is not read back as input on the next run.
    for _ in 0..2 {
        let o = broker(src.path(), &["translate", "x", "--out", "x/annotated"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    assert!(!src.path().join("x/annotated/annotated").exists());

    // Several inputs without --out: printed in order, each under a header, formats by suffix.
    let o = broker(
        src.path(),
        &["translate", "c.txt", "a.md", "--for", "marketing"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "==> c.txt <==\nOur latency [≈ page speed] doubled.\n\n==> a.md <==\nOur latency[^1] doubled.\n\n[^1]: **latency** — page speed: How long a customer waits after a click before the page or screen appears; slow pages lose visitors and sales.\n",
    );
    // ... except JSON, which says exactly what to add.
    let o = broker(src.path(), &["translate", "a.md", "c.txt", "--json"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("add --out DIR"), "{}", stderr(&o));
}

#[test]
fn a_suggestion_fits_where_the_word_stands() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.md"),
        "The pipeline deploys twice a day.\n\nWe count 340 MQLs.\n",
    )
    .unwrap();
    let o = broker(dir.path(), &["check", "a.md", "--for", "marketing"]);
    let text = stdout(&o);
    // A verb gets no noun to paste in its place ("write 'go-live'" for "deploys").
    let deploys = text.lines().find(|l| l.contains("'deploys'")).unwrap();
    assert!(!deploys.contains("write '"), "{deploys}");
    assert!(deploys.contains("say what happens"), "{deploys}");
    let o = broker(dir.path(), &["check", "a.md", "--for", "it"]);
    let text = stdout(&o);
    // A plural gets the plural.
    let mqls = text.lines().find(|l| l.contains("'MQLs'")).unwrap();
    assert!(mqls.contains("write 'high-score leads'"), "{mqls}");
}

#[test]
fn a_directory_walk_skips_what_gitignore_lists() {
    // Outside any git repository: the .gitignore still counts (see `documents::walk`).
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs/build")).unwrap();
    let text = "Our latency doubled after the deploy.\n";
    for f in ["docs/kept.md", "docs/secret.md", "docs/build/out.md"] {
        std::fs::write(dir.path().join(f), text).unwrap();
    }
    std::fs::write(dir.path().join(".gitignore"), "secret.md\nbuild/\n").unwrap();
    for args in [
        &["check", "docs", "--for", "marketing", "--output", "json"][..],
        &["check", ".", "--for", "marketing", "--output", "json"][..],
    ] {
        let o = broker(dir.path(), args);
        let paths: Vec<String> = places(&json(&o)).into_iter().map(|p| p.0).collect();
        assert!(
            paths.iter().any(|p| p.ends_with("kept.md")),
            "{args:?}: {paths:?}"
        );
        assert!(
            paths
                .iter()
                .all(|p| !p.contains("secret") && !p.contains("build")),
            "{args:?}: {paths:?}"
        );
    }
    // Named by hand, an ignored file is checked: the walk, not the check, leaves it out.
    let o = broker(
        dir.path(),
        &[
            "check",
            "docs/secret.md",
            "--for",
            "marketing",
            "--output",
            "json",
        ],
    );
    let paths: Vec<String> = places(&json(&o)).into_iter().map(|p| p.0).collect();
    assert!(paths.iter().any(|p| p.ends_with("secret.md")), "{paths:?}");
}
