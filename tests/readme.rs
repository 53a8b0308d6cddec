//! The README, pasted: every ```sh block of README.md is run in order, in one bash session as a
//! user would paste them into a terminal, against a fresh temporary directory (a copy of
//! `glossary/`) with the built `broker` on `PATH` and real servers on free ports; outputs and
//! exit codes are checked.
//!
//! The README says what the test needs in HTML comments, which readers of the rendered page do
//! not see, on the line before a block:
//! - `<!-- readme-test: skip (why) -->`: not run (builds, PyPI, real secrets, grpcurl — a
//!   grpcurl block is checked through the runnable block after it);
//! - `<!-- readme-test: server -->`: a command a user runs in a second terminal (`broker serve`):
//!   run in the background, replacing the previous one, until it answers `/healthz`;
//! - `<!-- readme-test: output -->`: a plain block that is the stdout of the block before it
//!   (a line ending in `...` matches any line that starts with what precedes it);
//! - `<!-- readme-test: save as FILE -->`: a file the user saves; the test saves it and runs
//!   `broker check` with it.
//!
//! A plain block whose first line starts with `$ ` is a transcript: the command is run and its
//! stdout compared with the lines that follow. For the test, `/tmp/` is a temporary directory
//! and the ports 50051, 50052 and 50443 are free ones (`BROKER_ADDR` and `BROKER_SERVER` point
//! `broker serve` and `broker concept` at the first); everything else runs as written.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One fenced block of the README.
#[derive(Debug)]
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    lang: String,
    marker: Option<String>,
    text: String,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = readme.lines().enumerate();
    let mut previous = "";
    while let Some((i, line)) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let marker = previous
                .trim()
                .strip_prefix("<!-- readme-test:")
                .and_then(|m| m.strip_suffix("-->"))
                .map(|m| m.trim().to_string());
            let mut text = String::new();
            for (_, l) in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            out.push(Block {
                line: i + 1,
                lang: lang.trim().to_string(),
                marker,
                text,
            });
            previous = "";
        } else if !line.trim().is_empty() {
            previous = line;
        }
    }
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The README's text as the test runs it: its own temporary directory and ports.
struct Places {
    tmp: String,
    ports: [(u16, u16); 3],
}

impl Places {
    fn apply(&self, text: &str) -> String {
        let mut text = text.replace("/tmp/", &format!("{}/", self.tmp));
        for (from, to) in self.ports {
            text = text.replace(&format!(":{from}"), &format!(":{to}"));
        }
        text
    }
}

/// What a block's output (stdout, then stderr) must contain, by a phrase of the block.
const EXPECTED: &[(&str, &[&str])] = &[
    (
        "Our API latency doubled",
        &["latency [≈", "[^1]", "\"annotations\"", "Lift click rate"],
    ),
    (
        "broker check /tmp/prd --for marketing --output sarif",
        &["::warning file="],
    ),
    (
        "broker translate /tmp/prd --for marketing --out",
        &["[^4]: **p99 latency**"],
    ),
    ("broker gaps /tmp/briefs", &["PRFAQ", "Growth Council"]),
    (
        "curl -s localhost:50051/v1/gaps",
        &["\"gaps\"", "broker_requests_total"],
    ),
    (
        "curl -s localhost:50051/healthz",
        &["\"serving\"", "page speed", "\"hits\"", "\"latency\""],
    ),
    (
        "v1/lookup?term=latency'",
        &["\"serving\"", "\"hits\"", "\"renderings\""],
    ),
    (
        "brown-bag -H 'if-none-match: *'",
        &[
            "An informal engineering talk over lunch.",
            "brown-bag session [≈ lunch and learn]",
            "{\"deleted\":\"brown-bag\"}",
        ],
    ),
    (
        "cat > office-hours.toml",
        &["deleted office-hours", "office-hours"],
    ),
    (
        "broker concept put --create brown-bag.json",
        &["deleted brown-bag"],
    ),
    (
        "broker glossary export --to tbx",
        &["concepts into", "(0 warnings)"],
    ),
    ("Latency is up. Latency hurts our CTR.", &["\"concepts\""]),
    ("openssl req -x509", &["\"serving\"", "\"renderings\""]),
    ("command=%2Fjargon", &["it-works"]),
];

#[test]
fn every_readme_block_runs_as_written() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = blocks(&readme);
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::create_dir_all(w.join("glossary")).unwrap();
    std::fs::create_dir_all(w.join("tmp")).unwrap();
    std::fs::create_dir_all(w.join(".rt")).unwrap();
    for e in std::fs::read_dir(root.join("glossary")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), w.join("glossary").join(e.file_name())).unwrap();
    }
    let places = Places {
        tmp: w.join("tmp").display().to_string(),
        ports: [
            (50051, free_port()),
            (50052, free_port()),
            (50443, free_port()),
        ],
    };
    let main_port = places.ports[0].1;

    // The script: each block in order, its stdout, stderr, exit code and failed commands kept.
    let mut script = format!(
        "RT={rt}\nSERVER_PID=\nstop_server() {{ if [ -n \"$SERVER_PID\" ]; then kill $SERVER_PID; wait $SERVER_PID 2>/dev/null; SERVER_PID=; fi; }}\n",
        rt = w.join(".rt").display()
    );
    let mut ran: Vec<(usize, &Block)> = Vec::new();
    let mut skipped = Vec::new();
    let mut saved = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let marker = b.marker.as_deref().unwrap_or("");
        if marker.starts_with("skip") {
            assert_eq!(b.lang, "sh", "line {}: only sh blocks are skipped", b.line);
            skipped.push(b.line);
            continue;
        }
        if let Some(file) = marker.strip_prefix("save as ") {
            saved.push((file.to_string(), b));
            continue;
        }
        let transcript = b.lang.is_empty() && b.text.starts_with("$ ");
        if b.lang != "sh" && !transcript {
            continue;
        }
        let text = places.apply(&b.text);
        if marker == "server" {
            script.push_str("stop_server\n");
            for line in text.lines() {
                if line.contains("broker serve") {
                    let command = line.split(" #").next().unwrap().trim_end();
                    script.push_str(&format!(
                        "{command} > $RT/server{i}.log 2>&1 &\nSERVER_PID=$!\n\
                         for n in $(seq 150); do curl -sf localhost:{main_port}/healthz > /dev/null && break; sleep 0.2; done\n"
                    ));
                } else {
                    script.push_str(line);
                    script.push('\n');
                }
            }
            continue;
        }
        let body = if transcript {
            text.lines().next().unwrap()[2..].to_string()
        } else {
            text
        };
        script.push_str(&format!(
            "trap 'echo \"$BASH_COMMAND\" >> $RT/{i}.failed' ERR\n{{\n{body}\n}} > $RT/{i}.out 2> $RT/{i}.err\necho $? > $RT/{i}.rc\ntrap - ERR\n"
        ));
        ran.push((i, b));
    }
    script.push_str("stop_server\nkill $(jobs -p) 2> /dev/null\nexit 0\n");
    std::fs::write(w.join(".rt/script.sh"), &script).unwrap();

    let bin = PathBuf::from(env!("CARGO_BIN_EXE_broker"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    command
        .arg(w.join(".rt/script.sh"))
        .current_dir(w)
        .env("PATH", path)
        .env("HOME", w)
        .env("BROKER_ADDR", format!("127.0.0.1:{main_port}"))
        .env("BROKER_SERVER", format!("http://127.0.0.1:{main_port}"))
        .env("RUST_LOG", "info");
    for (k, _) in std::env::vars() {
        if k.starts_with("BROKER_") && k != "BROKER_ADDR" && k != "BROKER_SERVER" {
            command.env_remove(k);
        }
    }
    let status = command.status().expect("bash runs");
    assert!(status.success(), "the script itself failed: {status}");

    let read = |name: String| std::fs::read_to_string(w.join(".rt").join(name)).unwrap_or_default();
    let mut failures = Vec::new();
    let mut outputs: HashMap<usize, String> = HashMap::new();
    let mut both: HashMap<usize, String> = HashMap::new();
    for &(i, b) in &ran {
        let (out, err, rc, failed) = (
            read(format!("{i}.out")),
            read(format!("{i}.err")),
            read(format!("{i}.rc")),
            read(format!("{i}.failed")),
        );
        if rc.trim() != "0" || !failed.is_empty() {
            failures.push(format!(
                "README.md:{}: exit {} (failed: {})\n--- stdout\n{out}--- stderr\n{err}",
                b.line,
                rc.trim(),
                failed.trim()
            ));
        }
        both.insert(i, format!("{out}{err}"));
        outputs.insert(i, out);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Transcripts and output blocks: the exact stdout.
    for (k, b) in blocks.iter().enumerate() {
        let expected = if b.lang.is_empty() && b.text.starts_with("$ ") {
            (k, b.text.split_once('\n').unwrap().1.to_string())
        } else if b.marker.as_deref() == Some("output") {
            (k - 1, b.text.clone())
        } else {
            continue;
        };
        let actual = &outputs[&expected.0];
        let expected_text = places.apply(&expected.1);
        let (want, got): (Vec<&str>, Vec<&str>) =
            (expected_text.lines().collect(), actual.lines().collect());
        let same = want.len() == got.len()
            && want
                .iter()
                .zip(&got)
                .all(|(w, g)| match w.strip_suffix("...") {
                    Some(prefix) => g.starts_with(prefix),
                    None => w == g,
                });
        assert!(
            same,
            "README.md:{}: the output shown is not today's:\n--- README\n{expected_text}--- broker\n{actual}",
            b.line
        );
    }

    // Phrases each block's output must hold.
    for (phrase, wanted) in EXPECTED {
        let Some(&(i, b)) = ran.iter().find(|(_, b)| b.text.contains(phrase)) else {
            panic!("no README block runs '{phrase}'");
        };
        for w in *wanted {
            assert!(
                both[&i].contains(w),
                "README.md:{}: output lacks '{w}':\n{}",
                b.line,
                both[&i]
            );
        }
    }

    // A newcomer learns the web page's address from the server's first lines.
    let log = read(format!(
        "server{}.log",
        blocks
            .iter()
            .position(|b| b.marker.as_deref() == Some("server"))
            .unwrap()
    ));
    assert!(
        log.contains(&format!("the web page is at http://127.0.0.1:{main_port}/")),
        "{log}"
    );

    // Nothing lost: the examples removed what they created, and the copy of the glossary the
    // edit examples ran against still holds exactly the shipped concepts.
    let edited = w.join("tmp/my-glossary");
    for e in std::fs::read_dir(root.join("glossary")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            assert_eq!(
                std::fs::read_to_string(&p).unwrap(),
                std::fs::read_to_string(edited.join(p.file_name().unwrap())).unwrap(),
                "{} changed",
                p.display()
            );
        }
    }
    let edits = std::fs::read_to_string(edited.join("edits.toml")).unwrap_or_default();
    assert!(!edits.contains("[[concept]]"), "left behind:\n{edits}");

    // The skipped blocks are the ones that cannot run here (a new block must be run or marked).
    assert_eq!(skipped.len(), 8, "skipped blocks at lines {skipped:?}");

    // The `.broker.toml` example works as pasted.
    assert_eq!(saved.len(), 1);
    check_config(&bin, &saved[0].0, &saved[0].1.text);
}

/// `broker check` in a repository holding `text` as `name` and a brief in each reader's folder.
fn check_config(bin: &Path, name: &str, text: &str) {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    std::fs::write(r.join(name), text).unwrap();
    for (dir, brief) in [
        ("docs/prd", "The release pipeline deploys twice a day.\n"),
        ("docs/briefs", "Lift CTR on the retargeting cohort.\n"),
        ("vendor", "The release pipeline deploys twice a day.\n"),
    ] {
        std::fs::create_dir_all(r.join(dir)).unwrap();
        std::fs::write(r.join(dir).join("a.md"), brief).unwrap();
    }
    let out = Command::new(bin)
        .args(["check", "."])
        .current_dir(r)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("docs/prd/a.md:1:"), "{stdout}");
    assert!(stdout.contains("error false-friend"), "{stdout}");
    assert!(!stdout.contains("vendor"), "{stdout}");
}
