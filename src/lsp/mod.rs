//! `broker lsp` (SPEC §13): a language server on stdio, so that writers see what their reader
//! will stumble on while they write.
//!
//! One thread runs the protocol ([`lsp_server`], rust-analyzer's): open documents live in
//! memory and are edited by incremental changes; after a change a document is checked again
//! once it has been quiet for [`DEBOUNCE`], with the same [`check::check_text`] as
//! `broker check`, and its findings are published as diagnostics. Hover explains a mention in
//! the reader's words; code actions rewrite a span, add an ignore comment, or add a draft
//! concept for a gap ([`drafts`]). Glossary directories in use are watched and reloaded
//! whole when their files change, and every open document is checked again.
//!
//! - [`positions`]: LSP positions (UTF-16 or UTF-8) ⇄ byte offsets, the only place they meet.
//! - [`scope`]: which reader, levels and glossary apply to a document.
//! - [`drafts`]: writing a gap's draft concept.

pub mod drafts;
pub mod positions;
pub mod scope;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand,
    CodeActionProviderCapability, Command, ConfigurationItem, ConfigurationParams, Diagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    ExecuteCommandOptions, ExecuteCommandParams, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, Location, MarkupContent,
    MarkupKind, MessageType, NumberOrString, Position, PublishDiagnosticsParams, Range,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentIdentifier,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, TextEdit, Uri,
    WorkspaceEdit,
};
use serde::{Deserialize, Serialize};

use crate::check::{self, CheckOptions, Finding, Level, Rule};
use crate::glossary::{Glossary, Side};
use crate::matcher::{InputFormat, MatchOptions, Matcher};
use crate::render::{annotate, explained, explanation, Annotation, Explain};
use positions::{floor_boundary, Encoding, Positions};
use scope::{ClientSettings, Resolution, Scope};

/// How long a document must be quiet after a change before it is checked again.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

/// How long glossary files must be quiet before they are reloaded (a save is several events).
pub const GLOSSARY_DEBOUNCE: Duration = Duration::from_millis(150);

/// The command behind "Add a draft concept".
pub const ADD_DRAFT: &str = "broker.addDraft";

/// The ignore comment the code action inserts (`broker check` honours it too).
pub const IGNORE_COMMENT: &str = "<!-- broker-ignore-next-line -->";

/// Why the server stopped other than by `shutdown` and `exit`.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    #[error("language server protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("language server I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("the client closed the connection without `exit`")]
    Disconnected,
}

/// Runs the server on stdin/stdout until the client sends `exit`. `Ok(true)` when a
/// `shutdown` came first (exit code 0), `Ok(false)` when not (exit code 1, as LSP says).
///
/// # Errors
/// [`LspError`] when the connection breaks.
pub fn run_stdio() -> Result<bool, LspError> {
    // `lsp-server` logs every message it reads and writes at debug level through `log`,
    // documents and all: no text of the user's goes to the logs, whatever RUST_LOG says.
    if log::max_level() > log::LevelFilter::Info {
        log::set_max_level(log::LevelFilter::Info);
    }
    let (connection, io) = Connection::stdio();
    let clean = serve(connection)?;
    io.join()?;
    Ok(clean)
}

/// Runs the server on `connection` (stdio, or in memory for tests) until `exit`.
///
/// # Errors
/// As [`run_stdio`].
pub fn serve(connection: Connection) -> Result<bool, LspError> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "broker".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    let result = serde_json::to_value(result).map_err(std::io::Error::other)?;
    connection.initialize_finish(id, result)?;

    let root = workspace_root(&params);
    let (watch_tx, watch_rx) = crossbeam_channel::unbounded();
    let mut server = Server {
        sender: connection.sender.clone(),
        encoding,
        client: ClientSettings::default(),
        root,
        docs: HashMap::new(),
        matchers: HashMap::new(),
        watcher: None,
        watched: HashSet::new(),
        watch_tx,
        due: HashMap::new(),
        glossary_due: None,
        told: HashSet::new(),
        shutdown: false,
        next_id: 0,
        pull_config: params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.configuration)
            .unwrap_or(false),
    };
    if let Some(options) = &params.initialization_options {
        server.apply_settings(options);
    }
    tracing::info!(encoding = ?encoding, "broker lsp initialized");
    server.request_configuration();
    let exit = server.run(&connection.receiver, &watch_rx);
    drop(server);
    exit
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![ADD_DRAFT.into()],
            ..ExecuteCommandOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

#[allow(deprecated)] // `root_uri`: older clients send only it.
fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri)
        .or(params.root_uri.as_ref())
        .and_then(path_of)
}

/// The local path of a `file:` URI.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///p` and `file://localhost/p`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let s = String::from_utf8(out).ok()?;
    s.starts_with('/').then(|| PathBuf::from(s))
}

/// One open document.
struct Document {
    uri: Uri,
    path: Option<PathBuf>,
    language: String,
    version: i32,
    text: String,
    /// How the client counts columns (fixed at initialisation).
    encoding: Encoding,
    /// The findings last published, and what they were checked with.
    findings: Vec<Finding>,
    checked: Option<(Scope, Arc<Matcher>)>,
}

impl Document {
    /// The line table of the current text.
    fn positions(&self) -> Positions<'_> {
        Positions::new(&self.text, self.encoding)
    }

    /// How its text is read: by language id, else by suffix; `None` for other languages.
    fn input(&self) -> Option<InputFormat> {
        match self.language.as_str() {
            "markdown" => Some(InputFormat::Markdown),
            "html" => Some(InputFormat::Html),
            "plaintext" | "text" | "txt" => Some(InputFormat::Plain),
            _ => {
                let ext = self
                    .path
                    .as_deref()
                    .and_then(Path::extension)
                    .and_then(|e| e.to_str())?
                    .to_ascii_lowercase();
                match ext.as_str() {
                    "md" | "markdown" | "html" | "htm" | "txt" | "text" => {
                        self.path.as_deref().map(crate::documents::input_of)
                    }
                    _ => None,
                }
            }
        }
    }

    /// The name shown in messages and draft notes: relative to `root` where it lies below it.
    fn shown(&self, root: Option<&Path>) -> String {
        match (&self.path, root) {
            (Some(p), Some(r)) => p
                .strip_prefix(r)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned(),
            (Some(p), None) => p.to_string_lossy().into_owned(),
            (None, _) => self.uri.as_str().to_string(),
        }
    }
}

/// What a diagnostic carries for code actions and clients that show more.
#[derive(Debug, Serialize, Deserialize)]
struct DiagnosticData {
    concept_id: Option<String>,
    explanation: Option<String>,
    replacement: Option<String>,
}

/// What a code action request needs: the actions come from the findings under the range,
/// so the client's copy of the diagnostics (`context`, often partial) is not read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeActionRequest {
    text_document: TextDocumentIdentifier,
    range: Range,
}

/// The arguments of [`ADD_DRAFT`].
#[derive(Debug, Serialize, Deserialize)]
struct AddDraftArgs {
    uri: Uri,
    text: String,
}

struct Server {
    sender: Sender<Message>,
    encoding: Encoding,
    client: ClientSettings,
    root: Option<PathBuf>,
    docs: HashMap<Uri, Document>,
    /// One matcher per glossary directory in use (`None`: the embedded glossary).
    matchers: HashMap<Option<PathBuf>, Arc<Matcher>>,
    watcher: Option<notify::RecommendedWatcher>,
    watched: HashSet<PathBuf>,
    watch_tx: Sender<()>,
    /// Documents changed and waiting to be checked, with when.
    due: HashMap<Uri, Instant>,
    glossary_due: Option<Instant>,
    /// Messages already shown (each once per session).
    told: HashSet<String>,
    shutdown: bool,
    next_id: u64,
    pull_config: bool,
}

impl Server {
    fn run(
        &mut self,
        messages: &Receiver<Message>,
        watch: &Receiver<()>,
    ) -> Result<bool, LspError> {
        loop {
            let next = self.due.values().copied().chain(self.glossary_due).min();
            let wait = next.map_or(Duration::from_secs(3600), |t| {
                t.saturating_duration_since(Instant::now())
            });
            select! {
                recv(messages) -> msg => match msg {
                    Ok(msg) => {
                        if let Some(clean) = self.handle(msg) {
                            return Ok(clean);
                        }
                    }
                    Err(_) => return Err(LspError::Disconnected),
                },
                recv(watch) -> _ => {
                    self.glossary_due = Some(Instant::now() + GLOSSARY_DEBOUNCE);
                },
                default(wait) => {},
            }
            self.run_due();
        }
    }

    fn run_due(&mut self) {
        let now = Instant::now();
        if self.glossary_due.is_some_and(|t| t <= now) {
            self.glossary_due = None;
            self.reload_glossaries();
        }
        let ready: Vec<Uri> = self
            .due
            .iter()
            .filter(|(_, &t)| t <= now)
            .map(|(u, _)| u.clone())
            .collect();
        for uri in ready {
            self.due.remove(&uri);
            self.diagnose(&uri);
        }
    }

    /// Handles one message; `Some(clean)` on `exit`.
    fn handle(&mut self, msg: Message) -> Option<bool> {
        match msg {
            Message::Request(req) => self.on_request(req),
            Message::Notification(n) => return self.on_notification(n),
            Message::Response(resp) => self.on_response(resp),
        }
        None
    }

    fn send(&self, msg: impl Into<Message>) {
        // The writer only goes away with the client; nothing is left to tell then.
        let _ = self.sender.send(msg.into());
    }

    fn notify<P: Serialize>(&self, method: &str, params: P) {
        self.send(Notification::new(method.to_string(), params));
    }

    fn show(&self, typ: MessageType, message: String) {
        self.notify("window/showMessage", ShowMessageParams { typ, message });
    }

    /// Shows `message` unless it was shown before.
    fn show_once(&mut self, typ: MessageType, message: String) {
        if self.told.insert(message.clone()) {
            self.show(typ, message);
        }
    }

    fn on_request(&mut self, req: Request) {
        let id = req.id.clone();
        if self.shutdown {
            self.send(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            ));
            return;
        }
        // Answers are about the text as it is now: a change still waiting out its debounce
        // is checked first, so code actions never carry ranges of an older version.
        let waiting: Vec<Uri> = self.due.drain().map(|(uri, _)| uri).collect();
        for uri in waiting {
            self.diagnose(&uri);
        }
        let result: Result<serde_json::Value, (ErrorCode, String)> = match req.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Ok(serde_json::Value::Null)
            }
            "textDocument/hover" => {
                parse::<HoverParams>(req.params).map(|p| to_value(self.hover(&p)))
            }
            "textDocument/codeAction" => {
                parse::<CodeActionRequest>(req.params).map(|p| to_value(self.code_actions(&p)))
            }
            "workspace/executeCommand" => {
                parse::<ExecuteCommandParams>(req.params).and_then(|p| self.execute(p))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("broker lsp does not handle '{other}'"),
            )),
        };
        self.send(match result {
            Ok(v) => Response::new_ok(id, v),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        });
    }

    fn on_notification(&mut self, n: Notification) -> Option<bool> {
        match n.method.as_str() {
            "exit" => return Some(self.shutdown),
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    self.open(p);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    self.change(p);
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    self.docs.remove(&p.text_document.uri);
                    self.due.remove(&p.text_document.uri);
                    self.publish(p.text_document.uri, Vec::new(), None);
                }
            }
            "workspace/didChangeConfiguration" => {
                if let Ok(p) = serde_json::from_value::<DidChangeConfigurationParams>(n.params) {
                    if !p.settings.is_null() {
                        self.apply_settings(&p.settings);
                    }
                    self.request_configuration();
                    self.diagnose_all();
                }
            }
            other => tracing::debug!(method = other, "notification ignored"),
        }
        None
    }

    fn on_response(&mut self, resp: Response) {
        if !resp.id.to_string().contains("broker-configuration") {
            return;
        }
        if let Some(first) = resp
            .response_result
            .as_ref()
            .ok()
            .and_then(|r| r.as_array())
            .and_then(|a| a.first())
        {
            if self.apply_settings(first) {
                self.diagnose_all();
            }
        }
    }

    /// Takes the client's settings; whether they changed anything.
    fn apply_settings(&mut self, value: &serde_json::Value) -> bool {
        match ClientSettings::parse(value, self.root.as_deref()) {
            // Settings without our keys (or none) leave what we had.
            Ok(s) if s == ClientSettings::default() => false,
            Ok(s) => {
                let changed = s != self.client;
                self.client = s;
                changed
            }
            Err(e) => {
                self.show_once(MessageType::ERROR, format!("broker: {e}"));
                false
            }
        }
    }

    fn request_configuration(&mut self) {
        if !self.pull_config {
            return;
        }
        self.next_id += 1;
        let id = RequestId::from(format!("broker-configuration-{}", self.next_id));
        self.send(Request::new(
            id,
            "workspace/configuration".into(),
            ConfigurationParams {
                items: vec![ConfigurationItem {
                    scope_uri: None,
                    section: Some("broker".into()),
                }],
            },
        ));
    }

    fn open(&mut self, p: DidOpenTextDocumentParams) {
        let d = p.text_document;
        let uri = d.uri.clone();
        self.docs.insert(
            d.uri.clone(),
            Document {
                path: path_of(&d.uri),
                uri: d.uri,
                language: d.language_id,
                version: d.version,
                text: d.text,
                encoding: self.encoding,
                findings: Vec::new(),
                checked: None,
            },
        );
        self.diagnose(&uri);
    }

    fn change(&mut self, p: DidChangeTextDocumentParams) {
        let Some(doc) = self.docs.get_mut(&p.text_document.uri) else {
            return;
        };
        for c in p.content_changes {
            match c.range {
                Some(r) => {
                    let positions = doc.positions();
                    let start = floor_boundary(&doc.text, positions.offset(r.start));
                    let end = floor_boundary(&doc.text, positions.offset(r.end)).max(start);
                    doc.text.replace_range(start..end, &c.text);
                }
                None => doc.text = c.text,
            }
        }
        doc.version = p.text_document.version;
        self.due
            .insert(p.text_document.uri, Instant::now() + DEBOUNCE);
    }

    fn diagnose_all(&mut self) {
        let uris: Vec<Uri> = self.docs.keys().cloned().collect();
        for uri in uris {
            self.due.remove(&uri);
            self.diagnose(&uri);
        }
    }

    /// The matcher of glossary `dir`, loading (and watching) it the first time.
    fn matcher(
        &mut self,
        dir: &Option<PathBuf>,
    ) -> Result<Arc<Matcher>, crate::glossary::GlossaryError> {
        if let Some(m) = self.matchers.get(dir) {
            return Ok(m.clone());
        }
        let glossary = match dir {
            None => Glossary::embedded(),
            Some(d) => Glossary::load_dir(d)?,
        };
        let matcher = Arc::new(Matcher::new(Arc::new(glossary)));
        self.matchers.insert(dir.clone(), matcher.clone());
        if let Some(d) = dir {
            self.watch(d);
        }
        Ok(matcher)
    }

    fn watch(&mut self, dir: &Path) {
        use notify::Watcher;
        if self.watched.contains(dir) {
            return;
        }
        if self.watcher.is_none() {
            let tx = self.watch_tx.clone();
            match notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
                if res.is_ok_and(|ev| !ev.kind.is_access()) {
                    let _ = tx.send(());
                }
            }) {
                Ok(w) => self.watcher = Some(w),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot watch glossary files");
                    return;
                }
            }
        }
        if let Some(w) = &mut self.watcher {
            match w.watch(dir, notify::RecursiveMode::NonRecursive) {
                Ok(()) => {
                    self.watched.insert(dir.to_path_buf());
                }
                Err(e) => tracing::warn!(dir = %dir.display(), error = %e, "cannot watch glossary"),
            }
        }
    }

    /// Loads every glossary directory in use again; where one changed, checks every open
    /// document again. A directory that no longer loads keeps its previous glossary.
    fn reload_glossaries(&mut self) {
        let mut changed = false;
        let dirs: Vec<PathBuf> = self.matchers.keys().flatten().cloned().collect();
        for dir in dirs {
            match Glossary::load_dir(&dir) {
                Ok(g) => {
                    let old = self.matchers.get(&Some(dir.clone()));
                    if old.is_some_and(|m| m.glossary().version() == g.version()) {
                        continue;
                    }
                    tracing::info!(dir = %dir.display(), version = g.version(), "glossary reloaded");
                    self.matchers
                        .insert(Some(dir), Arc::new(Matcher::new(Arc::new(g))));
                    changed = true;
                }
                Err(e) => self.show(
                    MessageType::WARNING,
                    format!("broker: glossary not reloaded, still using the previous one: {e}"),
                ),
            }
        }
        if changed {
            self.diagnose_all();
        }
    }

    /// Checks a document and publishes its findings.
    fn diagnose(&mut self, uri: &Uri) {
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let Some(input) = doc.input() else {
            return;
        };
        let shown = doc.shown(self.root.as_deref());
        let resolution = scope::resolve(doc.path.as_deref(), &self.client, self.root.as_deref());
        let scope = match resolution {
            Resolution::Check(s) => s,
            Resolution::Ignored => return self.clear(uri),
            Resolution::NoReader => {
                self.show_once(MessageType::INFO, scope::no_reader_message(&shown));
                return self.clear(uri);
            }
            Resolution::Broken(e) => {
                self.show_once(MessageType::WARNING, format!("broker: {e}"));
                return self.clear(uri);
            }
        };
        let matcher = match self.matcher(&scope.glossary) {
            Ok(m) => m,
            Err(e) => {
                self.show_once(MessageType::ERROR, format!("broker: {e}"));
                return self.clear(uri);
            }
        };
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        let started = Instant::now();
        let findings = check::check_text(
            &matcher,
            &doc.text,
            &CheckOptions {
                reader: scope.reader,
                levels: scope.levels,
                input,
            },
        );
        let positions = doc.positions();
        let diagnostics = findings
            .iter()
            .map(|f| diagnostic(f, &doc.uri, &positions))
            .collect();
        tracing::debug!(
            bytes = doc.text.len(),
            findings = findings.len(),
            micros = started.elapsed().as_micros() as u64,
            "checked"
        );
        doc.findings = findings;
        doc.checked = Some((scope, matcher));
        let version = doc.version;
        self.publish(uri.clone(), diagnostics, Some(version));
    }

    fn clear(&mut self, uri: &Uri) {
        let version = self.docs.get_mut(uri).map(|d| {
            d.findings.clear();
            d.checked = None;
            d.version
        });
        self.publish(uri.clone(), Vec::new(), version);
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        self.notify(
            "textDocument/publishDiagnostics",
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
    }

    fn hover(&self, p: &HoverParams) -> Option<Hover> {
        let doc = self
            .docs
            .get(&p.text_document_position_params.text_document.uri)?;
        let (scope, matcher) = doc.checked.as_ref()?;
        let at = doc
            .positions()
            .offset(p.text_document_position_params.position);
        let mentions = matcher.find(
            &doc.text,
            &MatchOptions {
                input: doc.input()?,
                audience: Some(scope.reader),
                ..MatchOptions::default()
            },
        );
        let annotations = annotate(matcher, mentions);
        // Any mention the reader needs explained, not only its concept's first.
        let under = |a: &Annotation| a.start <= at && at < a.end;
        let (start, end, value) =
            match explained(&annotations, scope.reader, Explain::Every, under).next() {
                Some(a) => (
                    a.start,
                    a.end,
                    format!(
                        "**{}** — for {}: {}",
                        a.text,
                        reader_name(scope.reader),
                        explanation(a)
                    ),
                ),
                None => {
                    let f = doc
                        .findings
                        .iter()
                        .find(|f| f.rule == Rule::Gap && f.start <= at && at < f.end)?;
                    (f.start, f.end, format!("**{}** — {}", f.text, f.message))
                }
            };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: Some(doc.positions().range(start, end)),
        })
    }

    fn code_actions(&self, p: &CodeActionRequest) -> Vec<CodeActionOrCommand> {
        let Some(doc) = self.docs.get(&p.text_document.uri) else {
            return Vec::new();
        };
        let Some((scope, _)) = &doc.checked else {
            return Vec::new();
        };
        let positions = doc.positions();
        let from = positions.offset(p.range.start);
        let to = positions.offset(p.range.end);
        let mut out = Vec::new();
        let mut ignored_lines = Vec::new();
        for f in doc
            .findings
            .iter()
            .filter(|f| f.start <= to && from <= f.end)
        {
            let diag = diagnostic(f, &doc.uri, &positions);
            let range = positions.range(f.start, f.end);
            if let Some(r) = &f.replacement {
                out.push(CodeAction {
                    title: format!(
                        "Write '{r}' for '{}' ({}'s word)",
                        f.text,
                        reader_name(scope.reader)
                    ),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag.clone()]),
                    edit: Some(edit(&doc.uri, range, r.clone())),
                    is_preferred: Some(true),
                    ..CodeAction::default()
                });
            }
            if f.rule == Rule::Gap {
                let drafts = match &scope.root {
                    Some(r) => scope.drafts.strip_prefix(r).unwrap_or(&scope.drafts),
                    None => &scope.drafts,
                };
                let title = format!(
                    "Add a draft concept for '{}' to {}",
                    f.text,
                    drafts.display()
                );
                let args = AddDraftArgs {
                    uri: doc.uri.clone(),
                    text: f.text.clone(),
                };
                out.push(CodeAction {
                    title: title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag.clone()]),
                    command: Some(Command {
                        title,
                        command: ADD_DRAFT.into(),
                        arguments: Some(vec![to_value(args)]),
                    }),
                    ..CodeAction::default()
                });
            }
            let line = positions.position(f.start).line;
            if !ignored_lines.contains(&line) {
                ignored_lines.push(line);
                let line_start = positions.offset(Position::new(line, 0));
                let indent: String = doc.text[line_start..]
                    .chars()
                    .take_while(|c| *c == ' ' || *c == '\t')
                    .collect();
                let eol = if doc.text.contains("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                };
                let at = Position::new(line, 0);
                out.push(CodeAction {
                    title: "Ignore this line for broker (<!-- broker-ignore-next-line -->)".into(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag]),
                    edit: Some(edit(
                        &doc.uri,
                        Range::new(at, at),
                        format!("{indent}{IGNORE_COMMENT}{eol}"),
                    )),
                    ..CodeAction::default()
                });
            }
        }
        out.into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }

    fn execute(
        &mut self,
        p: ExecuteCommandParams,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        if p.command != ADD_DRAFT {
            return Err((
                ErrorCode::InvalidParams,
                format!("unknown command '{}': expected {ADD_DRAFT}", p.command),
            ));
        }
        let args: AddDraftArgs = p
            .arguments
            .into_iter()
            .next()
            .ok_or_else(|| "no arguments".to_string())
            .and_then(|a| serde_json::from_value(a).map_err(|e| e.to_string()))
            .map_err(|e| (ErrorCode::InvalidParams, format!("{ADD_DRAFT}: {e}")))?;
        let doc = self.docs.get(&args.uri).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!("{ADD_DRAFT}: the document is not open"),
            )
        })?;
        let (scope, matcher) = doc.checked.clone().ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!("{ADD_DRAFT}: the document has no reader"),
            )
        })?;
        let input = doc.input().unwrap_or(InputFormat::Plain);
        let shown = doc.shown(scope.root.as_deref());
        match drafts::add(
            &matcher,
            &shown,
            &doc.text,
            input,
            &args.text,
            &scope.drafts,
        ) {
            Ok(id) => {
                tracing::info!(concept = %id, file = %scope.drafts.display(), "draft concept added");
                self.show(
                    MessageType::INFO,
                    format!(
                        "broker: added draft concept '{id}' to {}",
                        scope.drafts.display()
                    ),
                );
                Ok(serde_json::Value::String(id))
            }
            Err(e) => {
                self.show(MessageType::ERROR, format!("broker: {e}"));
                Err((ErrorCode::RequestFailed, e.to_string()))
            }
        }
    }
}

fn parse<P: serde::de::DeserializeOwned>(
    params: serde_json::Value,
) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn to_value<T: Serialize>(v: T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn edit(uri: &Uri, range: Range, new_text: String) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(
            uri.clone(),
            vec![TextEdit { range, new_text }],
        )])),
        ..WorkspaceEdit::default()
    }
}

fn reader_name(side: Side) -> &'static str {
    match side {
        Side::It => "IT",
        Side::Marketing => "marketing",
    }
}

/// A finding as a diagnostic: the rule as `code`, the level as severity, the message
/// `broker check` prints, and the note for the reader as related information and data.
fn diagnostic(f: &Finding, uri: &Uri, positions: &Positions) -> Diagnostic {
    let range = positions.range(f.start, f.end);
    Diagnostic {
        range,
        severity: Some(match f.level {
            Level::Note => DiagnosticSeverity::INFORMATION,
            Level::Warning => DiagnosticSeverity::WARNING,
            Level::Error => DiagnosticSeverity::ERROR,
        }),
        code: Some(NumberOrString::String(f.rule.id().into())),
        source: Some("broker".into()),
        message: f.message.clone(),
        related_information: f.explanation.as_ref().map(|e| {
            vec![DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), range),
                message: e.clone(),
            }]
        }),
        data: Some(to_value(DiagnosticData {
            concept_id: f.concept_id.clone(),
            explanation: f.explanation.clone(),
            replacement: f.replacement.clone(),
        })),
        ..Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_become_paths() {
        let uri: Uri = "file:///tmp/a%20b/caf%C3%A9.md".parse().unwrap();
        assert_eq!(path_of(&uri), Some(PathBuf::from("/tmp/a b/café.md")));
        let other: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(path_of(&other), None);
    }
}
