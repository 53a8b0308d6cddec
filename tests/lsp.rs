//! `broker lsp` driven by a client written here: the real binary is spawned and spoken to
//! over its stdin/stdout pipes with LSP's framed JSON-RPC, as an editor would.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long the client waits for something that should come at once; only a hung or
/// silent server ever reaches it.
const PATIENCE: Duration = Duration::from_secs(20);

fn fixture_glossary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/glossary")
}

fn copy_glossary(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(fixture_glossary()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn file_uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// An LSP client over the pipes of a spawned `broker lsp`.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: mpsc::Receiver<Value>,
    /// Messages read while waiting for something else.
    backlog: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    fn spawn(cwd: &Path) -> Client {
        Client::spawn_logging(cwd, "warn", Stdio::inherit())
    }

    fn spawn_logging(cwd: &Path, level: &str, stderr: Stdio) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_broker"))
            .arg("lsp")
            .current_dir(cwd)
            .env("RUST_LOG", level)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn broker lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let msg: Value = serde_json::from_slice(&body).expect("a JSON message");
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            backlog: VecDeque::new(),
            next_id: 0,
        }
    }

    fn write(&mut self, msg: Value) {
        let body = serde_json::to_vec(&msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.write(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (the whole response object).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.write(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == json!(id) && m.get("method").is_none())
    }

    /// The first message (already read or still to come) that `pred` accepts; the others
    /// stay in the backlog.
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .incoming
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no such message; read so far: {:#?}", self.backlog));
            if pred(&msg) {
                return msg;
            }
            self.backlog.push_back(msg);
        }
    }

    /// The next diagnostics published for `uri` at `version` (any version when `None`).
    fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let msg = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == json!(v))
        });
        msg["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn initialize(&mut self, root: &Path, capabilities: Value, options: Value) -> Value {
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": file_uri(root),
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        r["result"].clone()
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// Waits for the process to end by itself and gives its exit code.
    fn exit_code(mut self) -> i32 {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "broker lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The LSP position of byte offset `at` in `text`, counting UTF-16 units or UTF-8 bytes.
fn position(text: &str, at: usize, utf8: bool) -> Value {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count();
    let before = &text[line_start..at];
    let character = if utf8 {
        before.len()
    } else {
        before.encode_utf16().count()
    };
    json!({"line": line, "character": character})
}

fn range_of(text: &str, word: &str, utf8: bool) -> Value {
    let at = text.find(word).unwrap_or_else(|| panic!("{word} in text"));
    json!({"start": position(text, at, utf8), "end": position(text, at + word.len(), utf8)})
}

fn by_code<'a>(diags: &'a [Value], code: &str, word: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| d["code"] == code && d["message"].as_str().unwrap().contains(word))
        .unwrap_or_else(|| panic!("no {code} diagnostic for {word} in {diags:#?}"))
}

const BRIEF: &str = "# Launch brief\n\n\
    The 🚀 café team cut the latency of the API.\n\
    We track OKRs weekly; the OKRs drive the roadmap.\n\
    The pipeline passed every build and deploy.\n";

#[test]
fn an_editor_sees_diagnostics_hovers_fixes_drafts_and_glossary_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    copy_glossary(&root.join("g"));
    std::fs::write(
        root.join(".broker.toml"),
        "glossary = \"g\"\ndrafts = \"g/drafts.toml\"\n\n[[readers]]\npaths = [\"**\"]\nfor = \"marketing\"\n",
    )
    .unwrap();
    let path = root.join("brief.md");
    std::fs::write(&path, BRIEF).unwrap();
    let uri = file_uri(&path);

    let mut c = Client::spawn(&root);
    let init = c.initialize(&root, json!({}), Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(
        init["capabilities"]["textDocumentSync"]["change"], 2,
        "incremental"
    );
    assert_eq!(init["serverInfo"]["name"], "broker");

    // didOpen → diagnostics at UTF-16 ranges: the line has an emoji (2 units) and an accent.
    c.open(&uri, "markdown", BRIEF);
    let diags = c.diagnostics(&uri, Some(1));
    let latency = by_code(&diags, "jargon", "'latency'");
    assert_eq!(latency["range"], range_of(BRIEF, "latency", false));
    assert_eq!(
        latency["range"]["start"],
        json!({"line": 2, "character": 25})
    );
    assert_eq!(latency["source"], "broker");
    assert_eq!(latency["severity"], 3, "a note is information");
    assert_eq!(
        latency["message"],
        "'latency' is IT jargon that a marketing reader may not know: write 'page speed', or \
         explain it at its first use"
    );
    assert_eq!(
        latency["relatedInformation"][0]["message"],
        "page speed: How long a customer waits for a page to appear."
    );
    assert_eq!(latency["data"]["replacement"], "page speed");
    let api = by_code(&diags, "jargon", "'API'");
    assert_eq!(api["range"], range_of(BRIEF, "API", false));
    let gap = by_code(&diags, "gap", "'OKRs'");
    assert_eq!(gap["range"], range_of(BRIEF, "OKRs", false));
    assert_eq!(gap["severity"], 2);
    let ff = by_code(&diags, "false-friend", "'pipeline'");
    assert_eq!(ff["range"], range_of(BRIEF, "pipeline", false));
    assert_eq!(diags.len(), 4, "{diags:#?}");

    // Hover: the note for the reader, and the sense meant for a false friend.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 2, "character": 28}}),
    );
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**latency**"), "{text}");
    assert!(
        text.contains("page speed: How long a customer waits for a page to appear."),
        "{text}"
    );
    assert_eq!(hover["result"]["range"], latency["range"]);
    let ff_at = &ff["range"]["start"];
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": ff_at["line"], "character": 6}}),
    );
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("IT sense: release process, not sales pipeline"),
        "{text}"
    );
    let nothing = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}),
    );
    assert!(nothing["result"].is_null(), "{nothing}");

    // Code actions on 'latency': the rewrite and the ignore comment.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": latency["range"],
               "context": {"diagnostics": [latency]}}),
    )["result"]
        .as_array()
        .unwrap()
        .clone();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Write 'page speed' for 'latency' (marketing's word)",
            "Ignore this line for broker (<!-- broker-ignore-next-line -->)"
        ]
    );
    let rewrite = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(rewrite["range"], latency["range"]);
    assert_eq!(rewrite["newText"], "page speed");
    let ignore = &actions[1]["edit"]["changes"][&uri][0];
    assert_eq!(
        ignore["range"],
        json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}})
    );
    assert_eq!(ignore["newText"], "<!-- broker-ignore-next-line -->\n");

    // A gap: "Add a draft concept" runs a command that writes the drafts file.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": gap["range"],
               "context": {"diagnostics": [gap]}}),
    )["result"]
        .as_array()
        .unwrap()
        .clone();
    let add = actions
        .iter()
        .find(|a| a["title"] == "Add a draft concept for 'OKRs' to g/drafts.toml")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let run = c.request(
        "workspace/executeCommand",
        json!({"command": add["command"]["command"], "arguments": add["command"]["arguments"]}),
    );
    assert_eq!(run["result"], "okr", "{run}");
    let drafts = std::fs::read_to_string(root.join("g/drafts.toml")).unwrap();
    let parsed: toml::Value = toml::from_str(&drafts).expect("valid TOML");
    let concept = &parsed["concept"][0];
    assert_eq!(concept["id"].as_str(), Some("okr"));
    assert_eq!(concept["draft"].as_bool(), Some(true));
    assert_eq!(concept["tags"][0].as_str(), Some("draft"));
    assert!(
        concept["note"]
            .as_str()
            .unwrap()
            .contains("We track OKRs weekly; the OKRs drive the roadmap."),
        "{drafts}"
    );
    // The glossary with the draft still loads: its empty definitions are to-do warnings.
    let check = Command::new(env!("CARGO_BIN_EXE_broker"))
        .args(["glossary", "check", "--glossary"])
        .arg(root.join("g"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stderr).to_string()
        + &String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{said}");
    assert!(said.contains("'okr' is a draft"), "{said}");
    // The same gap again is refused, naming the draft.
    let again = c.request(
        "workspace/executeCommand",
        json!({"command": add["command"]["command"], "arguments": add["command"]["arguments"]}),
    );
    assert!(
        again["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already drafts 'OKRs' as concept 'okr'"),
        "{again}"
    );

    // didChange (incremental): the rewrite applied; 'latency' goes, 'API' moves left.
    let mut text = BRIEF.replacen("latency", "page speed", 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": latency["range"], "text": "page speed"}]}),
    );
    // A request right after a change answers about the changed text (no stale ranges).
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range_of(&text, "API", false),
               "context": {"diagnostics": []}}),
    );
    assert_eq!(
        actions["result"][0]["edit"]["changes"][&uri][0]["range"],
        range_of(&text, "API", false),
        "{actions}"
    );
    let diags = c.diagnostics(&uri, Some(2));
    assert!(
        !diags
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("'latency'")),
        "{diags:#?}"
    );
    assert_eq!(
        by_code(&diags, "jargon", "'API'")["range"],
        range_of(&text, "API", false)
    );
    // A second change inserts the ignore comment above the pipeline line.
    let line = text[..text.find("The pipeline").unwrap()]
        .matches('\n')
        .count();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3},
               "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                             "end": {"line": line, "character": 0}},
                                   "text": "<!-- broker-ignore-next-line -->\n"}]}),
    );
    text = text.replacen(
        "The pipeline",
        "<!-- broker-ignore-next-line -->\nThe pipeline",
        1,
    );
    let diags = c.diagnostics(&uri, Some(3));
    assert!(
        !diags.iter().any(|d| d["code"] == "false-friend"),
        "{diags:#?}"
    );
    assert_eq!(
        by_code(&diags, "jargon", "'API'")["range"],
        range_of(&text, "API", false)
    );

    // A glossary change is watched: the open document is checked again with it.
    let tech = root.join("g/10-tech.toml");
    let changed = std::fs::read_to_string(&tech)
        .unwrap()
        .replace("terms = [\"integration point\"]", "terms = [\"connector\"]");
    std::fs::write(&tech, changed).unwrap();
    let msg = c.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["message"].as_str().unwrap().contains("write 'connector'"))
    });
    assert_eq!(msg["params"]["version"], 3);

    // shutdown, then exit: exit code 0.
    let down = c.request("shutdown", Value::Null);
    assert!(
        down["result"].is_null() && down.get("error").is_none(),
        "{down}"
    );
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), 0);
}

#[test]
fn without_a_reader_one_message_and_settings_from_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    copy_glossary(&root.join("g"));
    let path = root.join("notes.txt");
    let text = "Ça marche 👍: the latency is fine.\n";
    std::fs::write(&path, text).unwrap();
    let uri = file_uri(&path);

    // No .broker.toml and no settings: no diagnostics, one information message.
    let mut c = Client::spawn(&root);
    c.initialize(&root, json!({}), Value::Null);
    c.open(&uri, "plaintext", text);
    assert!(c.diagnostics(&uri, Some(1)).is_empty());
    let msg = c.wait(|m| m["method"] == "window/showMessage");
    assert_eq!(msg["params"]["type"], 3, "information");
    let said = msg["params"]["message"].as_str().unwrap();
    assert!(said.contains("no reader for notes.txt"), "{said}");
    assert!(said.contains("broker.reader"), "{said}");
    // Opened again: still nothing, and no second message (the hover answer comes after
    // everything the reopening made the server send).
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    c.open(&uri, "plaintext", text);
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(
        !c.backlog
            .iter()
            .any(|m| m["method"] == "window/showMessage"),
        "{:#?}",
        c.backlog
    );
    // exit without shutdown: exit code 1, as LSP says.
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), 1);

    // The reader and glossary from initializationOptions; UTF-8 positions when offered.
    let mut c = Client::spawn(&root);
    let init = c.initialize(
        &root,
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
        json!({"broker": {"reader": "marketing", "glossary": "g"}}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    c.open(&uri, "plaintext", text);
    let diags = c.diagnostics(&uri, Some(1));
    let latency = by_code(&diags, "jargon", "'latency'");
    assert_eq!(latency["range"], range_of(text, "latency", true));
    assert_eq!(
        latency["range"]["start"]["character"], 21,
        "bytes, not units"
    );

    // HTML is read as HTML: code, tag attributes and URLs are left alone, like `broker check`.
    let html = "<p>Our <code>latency</code> graph: <a href=\"https://x.io/api\">link</a>.</p>\n\
                <p>The API is slow.</p>\n";
    let html_uri = file_uri(&root.join("page.html"));
    c.open(&html_uri, "html", html);
    let diags = c.diagnostics(&html_uri, Some(1));
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let at = html.find("API is").unwrap();
    assert_eq!(
        by_code(&diags, "jargon", "'API'")["range"],
        json!({"start": position(html, at, true), "end": position(html, at + 3, true)})
    );

    // The reader and glossary answered to workspace/configuration (section `broker`).
    let mut pulled = Client::spawn(&root);
    pulled.initialize(
        &root,
        json!({"workspace": {"configuration": true}}),
        Value::Null,
    );
    let ask = pulled.wait(|m| m["method"] == "workspace/configuration");
    assert_eq!(ask["params"]["items"][0]["section"], "broker");
    pulled.write(json!({"jsonrpc": "2.0", "id": ask["id"],
                        "result": [{"reader": "marketing", "glossary": "g"}]}));
    pulled.open(&uri, "plaintext", text);
    let diags = pulled.diagnostics(&uri, Some(1));
    assert_eq!(
        by_code(&diags, "jargon", "'latency'")["range"],
        range_of(text, "latency", false)
    );

    // A reader the server does not know is named, field and all.
    let mut bad = Client::spawn(&root);
    bad.initialize(&root, json!({}), json!({"broker": {"reader": "sales"}}));
    let msg = bad.wait(|m| m["method"] == "window/showMessage");
    assert_eq!(msg["params"]["type"], 1, "error");
    assert!(
        msg["params"]["message"]
            .as_str()
            .unwrap()
            .contains("broker.reader: unknown reader 'sales'"),
        "{msg}"
    );
    for client in [c, pulled, bad] {
        let mut client = client;
        client.request("shutdown", Value::Null);
        client.notify("exit", Value::Null);
        assert_eq!(client.exit_code(), 0);
    }
}

#[test]
fn debug_logs_hold_no_document_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let log = root.join("stderr.log");
    let mut c = Client::spawn_logging(
        &root,
        "debug",
        Stdio::from(std::fs::File::create(&log).unwrap()),
    );
    c.initialize(&root, json!({}), json!({"broker": {"reader": "marketing"}}));
    let uri = file_uri(&root.join("secret.md"));
    c.open(&uri, "markdown", "Zanzibarquux: the latency doubled.\n");
    assert_eq!(c.diagnostics(&uri, Some(1)).len(), 1);
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), 0);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("checked"), "debug logs are on: {logged}");
    assert!(!logged.contains("Zanzibarquux"), "{logged}");
}
