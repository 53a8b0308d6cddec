//! The `broker` binary: parses arguments, sets up tracing, and calls the library.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use broker::client::{AdminClient, ClientError};
use broker::config::{self, Secret, ServiceConfig};
use broker::glossary::exchange::{self, IntoDirError, LangMap};
use broker::glossary::{Glossary, GlossaryError};
use broker::reload;
use broker::service::AppState;
use broker::store::Store;
use broker::{Format, Matcher, Side, TranslateRequest};

/// mimalloc rather than the system allocator: building the matcher of a large glossary makes
/// and frees millions of small strings and tables, where glibc's malloc spent a fifth of the
/// time (issue 7).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Translates jargon between IT and marketing.
#[derive(Parser)]
#[command(name = "broker", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gRPC + HTTP/JSON service.
    Serve(Box<ServeArgs>),
    /// Annotate a text for a reader, in-process (no server).
    Translate(TranslateArgs),
    /// Explain a term: the concepts it may mean, best first.
    Lookup(LookupArgs),
    /// Check requirement documents for the reader: jargon, false friends, gaps (for CI).
    Check(CheckArgs),
    /// Jargon the glossary lacks, ranked over a set of documents.
    Gaps(GapsArgs),
    /// Check, count, import or export a glossary.
    #[command(subcommand)]
    Glossary(GlossaryCommand),
    /// Read and edit the concepts of a running server (HTTP admin API; token from
    /// BROKER_ADMIN_TOKEN for put and delete, BROKER_READ_TOKEN for reading if the server
    /// needs one). Exit 0 on success, 1 when the server refuses, 2 when it cannot be asked.
    #[command(subcommand)]
    Concept(ConceptCommand),
}

#[derive(Args)]
struct ServerArg {
    /// The broker server's URL.
    #[arg(long, env = "BROKER_SERVER", default_value = "http://127.0.0.1:50051")]
    server: String,
}

#[derive(Subcommand)]
enum ConceptCommand {
    /// Print a concept as JSON (with its etag), or as a glossary TOML file with --toml.
    Get {
        /// The concept's id.
        id: String,
        /// Print the glossary's [[concept]] TOML format (ready to edit and `put`).
        #[arg(long)]
        toml: bool,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Create or replace a concept from a file: TOML ([[concept]], one concept) or JSON
    /// (the shape `get` prints), chosen by the .json suffix or the content.
    Put {
        /// The concept file.
        file: PathBuf,
        /// Only if the stored concept still has this etag (a JSON file's own `etag` is used
        /// when this is absent); the server answers 412 when it changed.
        #[arg(long, value_name = "ETAG")]
        if_match: Option<String>,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Delete a concept.
    Delete {
        /// The concept's id.
        id: String,
        /// Only if the stored concept still has this etag.
        #[arg(long, value_name = "ETAG")]
        if_match: Option<String>,
        #[command(flatten)]
        server: ServerArg,
    },
    /// List concepts (every page): one line per concept, or JSON with --json.
    List {
        /// Only concepts with this tag.
        #[arg(long, default_value = "")]
        tag: String,
        /// Only concepts whose id, a term or a definition contains this (case-insensitive), best match first.
        #[arg(long, default_value = "")]
        query: String,
        /// Print a JSON array of concepts.
        #[arg(long)]
        json: bool,
        /// Concepts asked per request.
        #[arg(long, default_value_t = 200, value_name = "N")]
        page_size: usize,
        #[command(flatten)]
        server: ServerArg,
    },
}

#[derive(Args)]
struct GlossaryArg {
    /// Glossary directory (*.toml); the embedded default when absent.
    #[arg(long, env = "BROKER_GLOSSARY", value_name = "DIR")]
    glossary: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (gRPC and HTTP/JSON share it).
    #[arg(long, env = "BROKER_ADDR", default_value = "127.0.0.1:50051")]
    addr: String,
    #[command(flatten)]
    glossary: GlossaryArg,
    /// Token that admin RPCs (UpsertConcept, DeleteConcept) require as `Bearer <token>`;
    /// without one they are refused.
    #[arg(
        long,
        env = "BROKER_ADMIN_TOKEN",
        value_name = "T",
        hide_env_values = true,
        conflicts_with = "admin_token_file"
    )]
    admin_token: Option<String>,
    /// File holding the admin token (surrounding whitespace is ignored).
    #[arg(long, env = "BROKER_ADMIN_TOKEN_FILE", value_name = "FILE")]
    admin_token_file: Option<PathBuf>,
    /// Token that read RPCs and HTTP routes require as `Bearer <token>`; open when unset.
    #[arg(
        long,
        env = "BROKER_READ_TOKEN",
        value_name = "T",
        hide_env_values = true
    )]
    read_token: Option<String>,
    /// Largest text (or look-up term) accepted, in bytes.
    #[arg(long, env = "BROKER_MAX_TEXT_BYTES", value_name = "N", default_value_t = config::DEFAULT_MAX_TEXT_BYTES)]
    max_text_bytes: usize,
    /// Longest a request (or one message of a stream) may take, e.g. 30s or 500ms; a shorter
    /// grpc-timeout from the client wins.
    #[arg(long, env = "BROKER_REQUEST_TIMEOUT", value_name = "DURATION", default_value = "30s", value_parser = config::parse_duration)]
    request_timeout: Duration,
    /// Requests served at once across all connections; more wait for a slot.
    #[arg(
        long,
        env = "BROKER_MAX_CONCURRENT_REQUESTS",
        value_name = "N",
        default_value_t = 256
    )]
    max_concurrent_requests: usize,
    /// On SIGTERM/Ctrl-C, how long requests in flight may take to finish.
    #[arg(long, env = "BROKER_SHUTDOWN_GRACE", value_name = "DURATION", default_value = "10s", value_parser = config::parse_duration)]
    shutdown_grace: Duration,
    /// Serve gRPC and HTTP over TLS with this PEM certificate chain (leaf first); needs
    /// --tls-key.
    #[arg(
        long,
        env = "BROKER_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(
        long,
        env = "BROKER_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,
    /// Keep the glossary in PostgreSQL (postgres://user@host:port/db), shared by every
    /// replica started with the same URL, instead of --glossary DIR; seed it with
    /// `broker glossary push DIR --store URL`.
    #[arg(
        long,
        env = "BROKER_STORE",
        value_name = "URL",
        conflicts_with = "glossary",
        hide_env_values = true
    )]
    store: Option<String>,
    #[command(flatten)]
    integrations: IntegrationArgs,
}

/// Slack, GitHub and Jira (SPEC §10): each is on when its secret is set, here or in the
/// `--integrations` file (flags and variables win over the file).
#[derive(Args)]
#[command(next_help_heading = "Integrations (Slack, GitHub, Jira)")]
struct IntegrationArgs {
    /// TOML file with [slack], [github] and [jira] sections (readers per user, repository,
    /// project; see the README's "Chat and tickets").
    #[arg(
        long = "integrations",
        env = "BROKER_INTEGRATIONS",
        value_name = "FILE"
    )]
    file: Option<PathBuf>,
    /// Slack app signing secret; turns the Slack integration on.
    #[arg(
        long,
        env = "BROKER_SLACK_SIGNING_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    slack_signing_secret: Option<String>,
    /// Slack bot token (xoxb-…) to answer events with chat.postMessage.
    #[arg(
        long,
        env = "BROKER_SLACK_BOT_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    slack_bot_token: Option<String>,
    /// Slack Web API base URL.
    #[arg(long, env = "BROKER_SLACK_API_BASE", value_name = "URL")]
    slack_api_base: Option<String>,
    /// Reader of Slack users not listed in the file: it or marketing (default marketing).
    #[arg(long, env = "BROKER_SLACK_READER", value_name = "SIDE")]
    slack_reader: Option<String>,
    /// GitHub webhook secret; turns the GitHub integration on.
    #[arg(
        long,
        env = "BROKER_GITHUB_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    github_webhook_secret: Option<String>,
    /// GitHub token allowed to comment on issues and pull requests.
    #[arg(
        long,
        env = "BROKER_GITHUB_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    github_token: Option<String>,
    /// GitHub REST API base URL.
    #[arg(long, env = "BROKER_GITHUB_API_BASE", value_name = "URL")]
    github_api_base: Option<String>,
    /// Reader of repositories not listed in the file (a for:it / for:marketing label wins).
    #[arg(long, env = "BROKER_GITHUB_READER", value_name = "SIDE")]
    github_reader: Option<String>,
    /// Jira webhook secret; turns the Jira integration on.
    #[arg(
        long,
        env = "BROKER_JIRA_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    jira_webhook_secret: Option<String>,
    /// Jira site, e.g. https://your-domain.atlassian.net.
    #[arg(long, env = "BROKER_JIRA_BASE", value_name = "URL")]
    jira_base: Option<String>,
    /// Jira account e-mail (basic authentication with --jira-token).
    #[arg(long, env = "BROKER_JIRA_USER", value_name = "EMAIL")]
    jira_user: Option<String>,
    /// Jira API token.
    #[arg(
        long,
        env = "BROKER_JIRA_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    jira_token: Option<String>,
    /// Reader of Jira projects not listed in the file.
    #[arg(long, env = "BROKER_JIRA_READER", value_name = "SIDE")]
    jira_reader: Option<String>,
    /// Largest webhook body accepted, in bytes (default 1 MiB).
    #[arg(long, env = "BROKER_WEBHOOK_MAX_BYTES", value_name = "N")]
    webhook_max_bytes: Option<usize>,
}

impl IntegrationArgs {
    /// The file's settings with the flags laid over them.
    fn config(self) -> Result<config::IntegrationsConfig> {
        let mut c = match &self.file {
            Some(path) => {
                config::IntegrationsConfig::from_file(path).map_err(anyhow::Error::msg)?
            }
            None => config::IntegrationsConfig::default(),
        };
        let secret = |flag: &str, v: Option<String>| -> Result<Option<Secret>> {
            v.map(|t| Secret::new(t).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
                .transpose()
        };
        fn set<T>(slot: &mut Option<T>, v: Option<T>) {
            if v.is_some() {
                *slot = v;
            }
        }
        set(
            &mut c.slack.signing_secret,
            secret("slack-signing-secret", self.slack_signing_secret)?,
        );
        set(
            &mut c.slack.bot_token,
            secret("slack-bot-token", self.slack_bot_token)?,
        );
        set(&mut c.slack.api_base, self.slack_api_base);
        set(&mut c.slack.reader, self.slack_reader);
        set(
            &mut c.github.webhook_secret,
            secret("github-webhook-secret", self.github_webhook_secret)?,
        );
        set(
            &mut c.github.token,
            secret("github-token", self.github_token)?,
        );
        set(&mut c.github.api_base, self.github_api_base);
        set(&mut c.github.reader, self.github_reader);
        set(
            &mut c.jira.webhook_secret,
            secret("jira-webhook-secret", self.jira_webhook_secret)?,
        );
        set(&mut c.jira.base, self.jira_base);
        set(&mut c.jira.user, self.jira_user);
        set(&mut c.jira.token, secret("jira-token", self.jira_token)?);
        set(&mut c.jira.reader, self.jira_reader);
        set(&mut c.max_body_bytes, self.webhook_max_bytes);
        Ok(c)
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Reader {
    It,
    Marketing,
    Both,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Inline,
    Markdown,
    Html,
    Rewrite,
    None,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainArg {
    First,
    Every,
}

#[derive(Args)]
struct TranslateArgs {
    /// Files or directories to read (directories: .md, .markdown, .html, .htm, .txt, .text,
    /// recursively); `-` or nothing for standard input. Several need `--out`.
    #[arg(value_name = "FILE|DIR")]
    files: Vec<PathBuf>,
    /// Write one annotated file per input under DIR, at the same relative path (a directory's
    /// files below it, a file by its name); with `--json`, as NAME.json.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The reader the text is rendered for.
    #[arg(long = "for", value_enum, default_value = "both")]
    reader: Reader,
    /// Output format; `markdown` and `html` also skip code, URLs and tags in the input.
    /// Default: by suffix with `--out` (.md → markdown, .html → html), else inline.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Print the whole response as JSON instead of the rendering(s).
    #[arg(long)]
    json: bool,
    /// Minimum score of a fuzzy match (0..=1).
    #[arg(long, value_name = "F")]
    min_score: Option<f32>,
    /// Only exact and normalised matches.
    #[arg(long)]
    exact_only: bool,
    /// Explain a concept at its first mention only, or at every mention.
    #[arg(long, value_enum, default_value = "first")]
    explain: ExplainArg,
    /// With --json: `compact` gives each concept's equivalents and definition once, in
    /// `concepts`, instead of in every annotation.
    #[arg(long, value_enum, default_value = "full")]
    view: ViewArg,
    #[command(flatten)]
    glossary: GlossaryArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum ViewArg {
    Full,
    Compact,
}

#[derive(Args)]
struct CheckArgs {
    /// Files or directories to check (directories: .md, .markdown, .html, .htm, .txt, .text,
    /// recursively, hidden ones left out).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Who will read the documents; else the reader `.broker.toml` names for each path.
    #[arg(long = "for", value_enum)]
    reader: Option<CheckReader>,
    /// How findings are printed.
    #[arg(long, value_enum, default_value = "text")]
    output: CheckOutput,
    /// Exit 1 when a finding is at this level or above (`none`: never); else `.broker.toml`'s
    /// `fail_on`, else `warning`.
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOnArg>,
    /// Glossary directory (*.toml); else `.broker.toml`'s, else the embedded default.
    #[arg(long, env = "BROKER_GLOSSARY", value_name = "DIR")]
    glossary: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckReader {
    It,
    Marketing,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckOutput {
    Text,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOnArg {
    Note,
    Warning,
    Error,
    None,
}

#[derive(Args)]
struct GapsArgs {
    /// Files or directories (read recursively: .md, .markdown, .html, .htm, .txt, .text).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print the ranking as JSON.
    #[arg(long)]
    json: bool,
    /// Keep only gaps seen at least this many times.
    #[arg(long, default_value_t = 1, value_name = "N")]
    min_count: usize,
    /// Write DIR/proposed-gaps.toml: one draft concept per gap, for review.
    #[arg(long, value_name = "DIR")]
    propose: Option<PathBuf>,
    #[command(flatten)]
    glossary: GlossaryArg,
}

#[derive(Args)]
struct LookupArgs {
    /// The term to explain.
    term: String,
    /// The reader; decides which side's words explain the term.
    #[arg(long = "for", value_enum, default_value = "both")]
    reader: Reader,
    /// How many concepts at most.
    #[arg(long, default_value_t = 5)]
    limit: usize,
    #[command(flatten)]
    glossary: GlossaryArg,
}

#[derive(Subcommand)]
enum GlossaryCommand {
    /// Validate a glossary; exit 1 with file:line on errors.
    Check(GlossaryArg),
    /// Count concepts, terms and false friends.
    Stats(GlossaryArg),
    /// Write the glossary as TBX-Basic or CSV (see docs/exchange.md).
    Export(ExportArgs),
    /// Read a TBX or CSV file into a glossary directory as TOML, or into a PostgreSQL store
    /// with --store (see docs/exchange.md).
    Import(ImportArgs),
    /// Make a PostgreSQL store hold exactly the glossary of a directory (one transaction).
    Push(PushArgs),
}

#[derive(Args)]
struct PushArgs {
    /// The glossary directory (*.toml) to push.
    dir: PathBuf,
    /// The PostgreSQL store (postgres://user@host:port/db).
    #[arg(long, value_name = "URL")]
    store: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExchangeFormat {
    Tbx,
    Csv,
}

impl From<ExchangeFormat> for exchange::Format {
    fn from(f: ExchangeFormat) -> exchange::Format {
        match f {
            ExchangeFormat::Tbx => exchange::Format::Tbx,
            ExchangeFormat::Csv => exchange::Format::Csv,
        }
    }
}

#[derive(Args)]
struct ExportArgs {
    /// The exchange format.
    #[arg(long, value_enum)]
    to: ExchangeFormat,
    /// File to write (replaced atomically); standard output when absent.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    glossary: GlossaryArg,
    /// Export the glossary of this PostgreSQL store instead of a directory.
    #[arg(long, value_name = "URL", conflicts_with = "glossary")]
    store: Option<String>,
}

#[derive(Args)]
struct ImportArgs {
    /// The TBX (.tbx, .xml) or CSV (.csv) file to import.
    file: PathBuf,
    /// Glossary directory to write the imported concepts into (created if missing).
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "store",
        conflicts_with = "store"
    )]
    into: Option<PathBuf>,
    /// Create or overwrite the imported concepts in this PostgreSQL store instead (the
    /// others are kept; one transaction).
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// The file's format, when its extension does not tell.
    #[arg(long, value_enum)]
    from: Option<ExchangeFormat>,
    /// Replace an existing glossary file of the same name.
    #[arg(long)]
    force: bool,
    /// TBX language tag whose sections hold IT terms (repeatable; en-x-it always does).
    #[arg(long, value_name = "LANG")]
    it_lang: Vec<String>,
    /// TBX language tag whose sections hold marketing terms (repeatable; en-x-marketing
    /// always does).
    #[arg(long, value_name = "LANG")]
    marketing_lang: Vec<String>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Translate(args) => translate(args),
        Command::Lookup(args) => lookup(args),
        Command::Check(args) => check_documents(args),
        Command::Gaps(args) => gaps(args),
        Command::Glossary(GlossaryCommand::Check(args)) => check(args.glossary.as_deref()),
        Command::Glossary(GlossaryCommand::Stats(args)) => stats(args.glossary.as_deref()),
        Command::Glossary(GlossaryCommand::Export(args)) => export(args),
        Command::Glossary(GlossaryCommand::Import(args)) => import(args),
        Command::Glossary(GlossaryCommand::Push(args)) => push(args),
        Command::Concept(cmd) => concept(cmd),
    }
}

/// With the embedded glossary SIGHUP has nothing to reload; without a handler it would
/// terminate the server.
fn ignore_sighup() {
    #[cfg(unix)]
    tokio::spawn(async {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut s) = signal(SignalKind::hangup()) {
            while s.recv().await.is_some() {
                tracing::info!("SIGHUP: the embedded glossary has nothing to reload");
            }
        }
    });
}

fn serve(args: ServeArgs) -> Result<ExitCode> {
    let admin_token = match (&args.admin_token, &args.admin_token_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(path)) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --admin-token-file {}", path.display()))?
                .trim()
                .to_string(),
        ),
        (None, None) => None,
    };
    let secret = |flag: &str, token: Option<String>| -> Result<Option<Secret>> {
        token
            .map(|t| Secret::new(t).map_err(|e| anyhow::anyhow!("{flag}: {e}")))
            .transpose()
    };
    if args.max_text_bytes == 0 {
        bail!("--max-text-bytes: must be at least 1");
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(broker::service::tls::server_config(cert, key).context("--tls-cert/--tls-key")?)
        }
        _ => None,
    };
    let config = ServiceConfig {
        admin_token: secret("--admin-token", admin_token)?,
        read_token: secret("--read-token", args.read_token)?,
        max_text_bytes: args.max_text_bytes,
        request_timeout: args.request_timeout,
        max_concurrent_requests: args.max_concurrent_requests.max(1),
        shutdown_grace: args.shutdown_grace,
        integrations: args.integrations.config()?,
    };
    let dir = args.glossary.glossary.clone();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let database = match &args.store {
        Some(url) => Some(Arc::new(runtime.block_on(
            broker::postgres::PgStore::connect(
                url,
                format!("broker serve@{}:{}", host_name(), std::process::id()),
            ),
        )?)),
        None => None,
    };
    let state = Arc::new(match (&database, &dir) {
        (Some(db), _) => {
            let mut loaded = None;
            let (revision, glossary) = runtime.block_on(db.load())?;
            db.offer(revision, glossary, |g| loaded = Some(g));
            let glossary = loaded.context("the store's glossary")?;
            if glossary.concepts().is_empty() {
                tracing::warn!(
                    store = %db.shown(),
                    "the store holds no concepts yet: seed it with `broker glossary push DIR --store URL`"
                );
            }
            AppState::with_database(Matcher::new(Arc::new(glossary)), db.clone())
        }
        (None, Some(dir)) => AppState::with_store(
            Matcher::new(Arc::new(load_glossary(Some(dir))?)),
            Store::new(dir),
        ),
        (None, None) => AppState::new(Matcher::new(Arc::new(load_glossary(None)?))),
    });
    runtime.block_on(async {
        // Other replicas' edits, through LISTEN/NOTIFY (SIGHUP is only logged).
        let _watch = database.as_ref().map(|db| {
            ignore_sighup();
            let apply = state.clone();
            WatchGuard(db.clone().watch(move |g| apply.publish(g)))
        });
        // Hot reload of the glossary directory (and SIGHUP); with the embedded glossary
        // there is nothing to reload, and SIGHUP is only logged.
        let _reload = match &dir {
            Some(_) if database.is_some() => None,
            Some(dir) => {
                let (current, apply) = (state.clone(), state.clone());
                Some(
                    reload::spawn(
                        dir.clone(),
                        move || current.current().matcher.glossary().version().to_string(),
                        move |g| apply.publish(g),
                    )
                    .with_context(|| format!("cannot watch {}", dir.display()))?,
                )
            }
            None => {
                if database.is_none() {
                    ignore_sighup();
                }
                None
            }
        };
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        match tls {
            Some(tls) => {
                broker::service::serve_tls(listener, state, config, tls, shutdown_signal()).await
            }
            None => broker::service::serve(listener, state, config, shutdown_signal()).await,
        }
        .context("the server failed")
    })?;
    // Matching work cut off by the grace period must not hold the exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(ExitCode::SUCCESS)
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}

fn load_glossary(dir: Option<&Path>) -> Result<Glossary, GlossaryError> {
    let g = match dir {
        Some(dir) => Glossary::load_dir(dir)?,
        None => Glossary::embedded(),
    };
    for w in g.warnings() {
        tracing::warn!("{w}");
    }
    Ok(g)
}

fn audience(r: Reader) -> Option<Side> {
    match r {
        Reader::It => Some(Side::It),
        Reader::Marketing => Some(Side::Marketing),
        Reader::Both => None,
    }
}

fn translate_request(args: &TranslateArgs, text: String, format: Format) -> TranslateRequest {
    TranslateRequest {
        text,
        audience: audience(args.reader),
        format,
        min_score: args.min_score,
        exact_only: args.exact_only,
        request_id: String::new(),
        explain: match args.explain {
            ExplainArg::First => broker::Explain::First,
            ExplainArg::Every => broker::Explain::Every,
        },
        view: match args.view {
            ViewArg::Full => broker::View::Full,
            ViewArg::Compact => broker::View::Compact,
        },
    }
}

fn format_of(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Inline => Format::Inline,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Html => Format::Html,
        FormatArg::Rewrite => Format::Rewrite,
        FormatArg::None => Format::None,
    }
}

fn translate(args: TranslateArgs) -> Result<ExitCode> {
    let stdin = args.files.is_empty() || args.files == [PathBuf::from("-")];
    if stdin && args.out.is_some() {
        eprintln!("error: --out writes one file per input file; standard input goes to stdout");
        return Ok(ExitCode::from(2));
    }
    if !stdin && (args.out.is_some() || args.files.len() > 1 || args.files[0].is_dir()) {
        return translate_files(args);
    }
    let text = match args.files.first() {
        Some(p) if !stdin => {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?
        }
        _ => read_stdin()?,
    };
    let glossary = load_glossary(args.glossary.glossary.as_deref())?;
    let matcher = Matcher::new(Arc::new(glossary));
    let format = format_of(args.format.unwrap_or(FormatArg::Inline));
    let req = translate_request(&args, text, format);
    let resp = broker::translate(&matcher, &req)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &broker::json::translate_response(&resp))?;
        writeln!(out)?;
    } else {
        write_renderings(&mut out, &resp)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_renderings(out: &mut impl Write, resp: &broker::TranslateResponse) -> std::io::Result<()> {
    if resp.renderings.len() == 1 {
        return out.write_all(resp.renderings[0].text.as_bytes());
    }
    for (i, r) in resp.renderings.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "== for {} ==", r.audience)?;
        out.write_all(r.text.as_bytes())?;
        if !r.text.ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(())
}

/// `broker translate FILE…|DIR --out DIR`: every file on all cores, each written under the
/// output directory at its relative path; a file that cannot be read or written is reported
/// and the others still done (exit 2 at the end).
fn translate_files(args: TranslateArgs) -> Result<ExitCode> {
    use rayon::prelude::*;
    let Some(out_dir) = args.out.clone() else {
        eprintln!("error: several inputs (or a directory) need --out DIR to write the results to");
        return Ok(ExitCode::from(2));
    };
    let glossary = load_glossary(args.glossary.glossary.as_deref())?;
    let matcher = Matcher::new(Arc::new(glossary));
    let mut failed = false;
    let mut jobs: Vec<broker::documents::Found> = Vec::new();
    for given in &args.files {
        // The output directory may lie inside an input: its files are no input.
        let w = broker::documents::walk(given, std::slice::from_ref(&out_dir));
        jobs.extend(w.files);
        for e in w.errors {
            eprintln!("error: {e}");
            failed = true;
        }
    }
    // Two inputs must not land on one output file (two README.md of two directories).
    let mut targets: std::collections::HashMap<PathBuf, &Path> = std::collections::HashMap::new();
    for f in &jobs {
        if let Some(first) = targets.insert(f.relative.clone(), &f.path) {
            eprintln!(
                "error: {} and {} would both be written to {}: translate them in separate runs \
                 or name their directory instead",
                first.display(),
                f.path.display(),
                out_dir.join(&f.relative).display()
            );
            return Ok(ExitCode::from(2));
        }
    }
    let results: Vec<Result<PathBuf, String>> = jobs
        .par_iter()
        .map(|f| {
            let text = broker::documents::read(&f.path)?;
            let format = match args.format {
                Some(arg) => format_of(arg),
                None => match broker::documents::input_of(&f.path) {
                    broker::InputFormat::Markdown => Format::Markdown,
                    broker::InputFormat::Html => Format::Html,
                    broker::InputFormat::Plain => Format::Inline,
                },
            };
            let req = translate_request(&args, text, format);
            let resp = broker::translate(&matcher, &req).map_err(|e| e.to_string())?;
            let mut target = out_dir.join(&f.relative);
            let mut body = Vec::new();
            if args.json {
                let mut name = target.file_name().unwrap_or_default().to_os_string();
                name.push(".json");
                target.set_file_name(name);
                serde_json::to_writer(&mut body, &broker::json::translate_response(&resp))
                    .map_err(|e| e.to_string())?;
                body.push(b'\n');
            } else {
                write_renderings(&mut body, &resp).map_err(|e| e.to_string())?;
            }
            let write = || -> std::io::Result<()> {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&target, &body)
            };
            write().map_err(|e| format!("cannot write {}: {e}", target.display()))?;
            Ok(target)
        })
        .collect();
    let mut written = 0;
    for r in results {
        match r {
            Ok(_) => written += 1,
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    tracing::info!("wrote {written} file(s) under {}", out_dir.display());
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// `broker check`: exit 0 clean, 1 when a finding reaches `--fail-on`, 2 when a path, a
/// configuration or a glossary could not be used (the rest is still checked and reported).
fn check_documents(args: CheckArgs) -> Result<ExitCode> {
    use broker::check::config::FailOn;
    use broker::check::report::{write, Output};
    use broker::check::{Level, RunOptions};
    let opts = RunOptions {
        reader: args.reader.map(|r| match r {
            CheckReader::It => Side::It,
            CheckReader::Marketing => Side::Marketing,
        }),
        glossary: args.glossary.clone(),
        fail_on: args.fail_on.map(|f| match f {
            FailOnArg::Note => FailOn::Level(Level::Note),
            FailOnArg::Warning => FailOn::Level(Level::Warning),
            FailOnArg::Error => FailOn::Level(Level::Error),
            FailOnArg::None => FailOn::None,
        }),
    };
    let outcome = broker::check::run(&args.paths, &opts);
    let output = match args.output {
        CheckOutput::Text => Output::Text,
        CheckOutput::Json => Output::Json,
        CheckOutput::Sarif => Output::Sarif,
        CheckOutput::Github => Output::Github,
    };
    std::io::stdout()
        .lock()
        .write_all(write(output, &outcome.files, &outcome.errors).as_bytes())?;
    for e in &outcome.errors {
        eprintln!("error: {e}");
    }
    for s in &outcome.skipped {
        tracing::info!("{s}: no reader in .broker.toml for this path; not checked");
    }
    let count = |l: Level| broker::check::report::count(&outcome.files, l);
    eprintln!(
        "{} file(s) checked: {} error(s), {} warning(s), {} note(s)",
        outcome.files.len(),
        count(Level::Error),
        count(Level::Warning),
        count(Level::Note)
    );
    Ok(if !outcome.errors.is_empty() {
        ExitCode::from(2)
    } else if outcome.failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn gaps(args: GapsArgs) -> Result<ExitCode> {
    use broker::gap_report::{proposal, rank, Document};
    let glossary = load_glossary(args.glossary.glossary.as_deref())?;
    let matcher = Matcher::new(Arc::new(glossary));
    let mut failed = false;
    let mut files = Vec::new();
    for p in &args.paths {
        let w = broker::documents::walk(p, &[]);
        files.extend(w.files.into_iter().map(|f| f.path));
        for e in w.errors {
            eprintln!("error: {e}");
            failed = true;
        }
    }
    let mut docs = Vec::new();
    for f in files {
        match broker::documents::read(&f) {
            Ok(text) => docs.push(Document {
                path: f.display().to_string(),
                input: broker::documents::input_of(&f),
                text,
            }),
            Err(e) => {
                eprintln!("error: {e}; skipped");
                failed = true;
            }
        }
    }
    let ranked = rank(&matcher, &docs, args.min_count);
    let mut out = std::io::stdout().lock();
    if args.json {
        let list: Vec<serde_json::Value> = ranked
            .iter()
            .map(|g| {
                serde_json::json!({
                    "key": g.key,
                    "text": g.text,
                    "kind": g.kind.as_str(),
                    "count": g.count,
                    "documents": g.documents,
                    "side": g.side.as_str(),
                    "example": {
                        "path": g.example.path,
                        "line": g.example.line,
                        "sentence": g.example.sentence,
                    },
                })
            })
            .collect();
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({
                "documents": docs.len(),
                "gaps": list,
            }),
        )?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{:>5} {:>4}  {:<8} {:<24} example",
            "count", "docs", "kind", "gap"
        )?;
        for g in &ranked {
            writeln!(
                out,
                "{:>5} {:>4}  {:<8} {:<24} {}:{}: {}",
                g.count,
                g.documents,
                g.kind.as_str(),
                g.text,
                g.example.path,
                g.example.line,
                g.example.sentence
            )?;
        }
        writeln!(out, "{} gaps in {} documents", ranked.len(), docs.len())?;
    }
    if let Some(dir) = args.propose {
        let file = dir.join("proposed-gaps.toml");
        if file.exists() {
            anyhow::bail!(
                "{} exists: review and merge it (or delete it) before proposing again",
                file.display()
            );
        }
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let text = proposal(&ranked, &|id| matcher.glossary().get(id).is_some());
        broker::glossary::write::write_file_atomically(&file, text.as_bytes(), false)
            .with_context(|| format!("cannot write {}", file.display()))?;
        eprintln!(
            "wrote {} draft concepts to {}",
            ranked.len(),
            file.display()
        );
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn read_stdin() -> Result<String> {
    let mut buf = Vec::new();
    std::io::stdin()
        .read_to_end(&mut buf)
        .context("cannot read standard input")?;
    String::from_utf8(buf).context("standard input is not valid UTF-8")
}

fn lookup(args: LookupArgs) -> Result<ExitCode> {
    let glossary = Arc::new(load_glossary(args.glossary.glossary.as_deref())?);
    let matcher = Matcher::new(glossary.clone());
    let reader = audience(args.reader);
    let hits = matcher.lookup(&args.term, reader, args.limit);
    if hits.is_empty() {
        eprintln!("no concept matches '{}'", args.term);
        return Ok(ExitCode::FAILURE);
    }
    let mut out = std::io::stdout().lock();
    for hit in hits {
        let Some(c) = glossary.get(&hit.concept_id) else {
            continue;
        };
        writeln!(
            out,
            "{} ({} match, score {:.2})",
            c.id,
            hit.kind.as_str(),
            hit.score
        )?;
        for side in Side::BOTH {
            if reader.is_some_and(|r| r != side) && reader.is_some() && c.side(side).is_none() {
                continue;
            }
            if let Some(e) = c.side(side) {
                let terms = e
                    .terms
                    .iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                writeln!(out, "  {side}: {terms}")?;
                writeln!(out, "      {}", e.definition)?;
            }
        }
        if let Some(note) = &c.note {
            writeln!(out, "  note: {note}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(dir: Option<&Path>) -> Result<ExitCode> {
    match load_glossary(dir) {
        Ok(g) => {
            for w in g.warnings() {
                println!("warning: {w}");
            }
            let s = g.stats();
            println!(
                "ok: {} concepts, {} IT terms, {} marketing terms, {} false friends, {} warnings",
                s.concepts,
                s.it_terms,
                s.marketing_terms,
                s.false_friends,
                g.warnings().len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(GlossaryError::Invalid(diags)) => {
            for d in &diags {
                println!("error: {d}");
            }
            eprintln!("{} error(s)", diags.len());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn stats(dir: Option<&Path>) -> Result<ExitCode> {
    let g = load_glossary(dir)?;
    let s = g.stats();
    println!("source          {}", g.source());
    println!("version         {}", g.version());
    println!("concepts        {}", s.concepts);
    println!("two-sided       {}", s.two_sided);
    println!("it_terms        {}", s.it_terms);
    println!("marketing_terms {}", s.marketing_terms);
    println!("false_friends   {}", s.false_friends);
    Ok(ExitCode::SUCCESS)
}

fn export(args: ExportArgs) -> Result<ExitCode> {
    let g = match &args.store {
        Some(url) => block_on(async { Ok(open_store(url, "export").await?.load().await?.1) })?,
        None => load_glossary(args.glossary.glossary.as_deref())?,
    };
    let mut buf = Vec::new();
    match args.to {
        ExchangeFormat::Tbx => {
            let description = format!(
                "Exported by broker {} from the {} glossary (version {}).",
                env!("CARGO_PKG_VERSION"),
                g.source(),
                g.version()
            );
            exchange::tbx::export(&mut buf, g.concepts(), &description)?;
        }
        ExchangeFormat::Csv => exchange::csv::export(&mut buf, g.concepts())?,
    }
    match args.output {
        Some(path) => {
            broker::glossary::write::write_file_atomically(&path, &buf, true)?;
            eprintln!(
                "exported {} concepts to {}",
                g.concepts().len(),
                path.display()
            );
        }
        None => std::io::stdout().lock().write_all(&buf)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn import(args: ImportArgs) -> Result<ExitCode> {
    let shown = args.file.display().to_string();
    let format = match args.from {
        Some(f) => f.into(),
        None => exchange::Format::from_path(&args.file).with_context(|| {
            format!("{shown}: cannot tell the format from the extension; use --from tbx|csv")
        })?,
    };
    let langs = LangMap::with(&args.it_lang, &args.marketing_lang)?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {shown}"))?;
    let imported = match exchange::import(format, &bytes, &langs) {
        Ok(i) => i,
        Err(e) => {
            let messages = e.messages(&shown);
            for m in &messages {
                eprintln!("error: {m}");
            }
            eprintln!(
                "{} error(s); nothing was written to {}",
                messages.len(),
                import_target(&args)
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    for w in &imported.warnings {
        match w.location {
            exchange::Location::Text { .. } => eprintln!("warning: {shown}:{w}"),
            exchange::Location::Row { .. } => eprintln!("warning: {shown}: {w}"),
        }
    }
    if let Some(url) = &args.store {
        let (revision, stored) = block_on(async {
            let store = open_store(url, "import").await?;
            Ok(store.write_all(&imported.concepts, false).await?)
        })?;
        eprintln!(
            "imported {} concepts into {} (revision {revision}, {} concepts in all, {} warnings)",
            imported.concepts.len(),
            broker::postgres::redact(url),
            stored.concepts().len(),
            imported.warnings.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let into = args.into.clone().context("--into DIR or --store URL")?;
    let name = exchange::toml_name_for(&args.file);
    let source_name = args
        .file
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let header = format!(
        "Imported by broker {} from {source_name} ({format}).",
        env!("CARGO_PKG_VERSION")
    );
    match exchange::import_into_dir(&into, &name, &imported.concepts, Some(&header), args.force) {
        Ok((path, glossary)) => {
            for w in glossary.warnings() {
                eprintln!("warning: {w}");
            }
            eprintln!(
                "imported {} concepts into {} ({} warnings)",
                imported.concepts.len(),
                path.display(),
                imported.warnings.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(IntoDirError::Invalid(diags)) => {
            for d in &diags {
                eprintln!("error: {d}");
            }
            eprintln!(
                "{} error(s); nothing was written to {}",
                diags.len(),
                into.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

/// Stops the database watcher when `serve` returns.
struct WatchGuard(tokio::task::JoinHandle<()>);

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// This machine's name, for the audit table.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into())
}

/// Runs one future of a CLI command on a fresh runtime.
fn block_on<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(f)
}

/// The PostgreSQL store of a CLI command; its audit rows name the command and the user.
async fn open_store(url: &str, command: &str) -> Result<broker::postgres::PgStore> {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    Ok(broker::postgres::PgStore::connect(
        url,
        format!("broker glossary {command} by {user}@{}", host_name()),
    )
    .await?)
}

fn push(args: PushArgs) -> Result<ExitCode> {
    let glossary = load_glossary(Some(&args.dir))?;
    let (revision, stored) = block_on(async {
        let store = open_store(&args.store, "push").await?;
        Ok(store.write_all(glossary.concepts(), true).await?)
    })?;
    eprintln!(
        "pushed {} concepts from {} to {} (revision {revision}, version {})",
        stored.concepts().len(),
        args.dir.display(),
        broker::postgres::redact(&args.store),
        stored.version()
    );
    Ok(ExitCode::SUCCESS)
}

/// Where `broker glossary import` writes, for messages.
fn import_target(args: &ImportArgs) -> String {
    match (&args.store, &args.into) {
        (Some(url), _) => broker::postgres::redact(url),
        (None, Some(dir)) => dir.display().to_string(),
        (None, None) => "anything".into(),
    }
}

/// `broker concept …`: exit 0 on success, 1 when the server refuses, 2 when it cannot be
/// asked (no token, unreadable file, server unreachable).
fn concept(cmd: ConceptCommand) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match runtime.block_on(concept_command(cmd)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            let refused = e
                .downcast_ref::<ClientError>()
                .is_some_and(|c| matches!(c, ClientError::Refused { .. }));
            eprintln!("error: {e:#}");
            Ok(ExitCode::from(if refused { 1 } else { 2 }))
        }
    }
}

/// The token in environment variable `name`, if set and not empty.
fn env_token(name: &str) -> Result<Option<Secret>> {
    match std::env::var(name) {
        Ok(t) if !t.trim().is_empty() => Ok(Some(
            Secret::new(t.trim()).map_err(|e| anyhow::anyhow!("{name}: {e}"))?,
        )),
        _ => Ok(None),
    }
}

fn admin_client(server: &ServerArg) -> Result<AdminClient> {
    let Some(token) = env_token("BROKER_ADMIN_TOKEN")? else {
        bail!(
            "BROKER_ADMIN_TOKEN is not set: edits need the server's admin token \
             (export BROKER_ADMIN_TOKEN=...)"
        );
    };
    Ok(AdminClient::new(&server.server, Some(token))?)
}

fn read_client(server: &ServerArg) -> Result<AdminClient> {
    Ok(AdminClient::new(
        &server.server,
        env_token("BROKER_READ_TOKEN")?,
    )?)
}

async fn concept_command(cmd: ConceptCommand) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        ConceptCommand::Get { id, toml, server } => {
            let value = read_client(&server)?.get(&id).await?;
            if toml {
                let c = broker::json::concept_from_json(&value)
                    .map_err(|e| anyhow::anyhow!("the server's concept: {e}"))?;
                let header = format!(
                    "concept '{id}' from {} (etag {})",
                    server.server,
                    value["etag"].as_str().unwrap_or_default()
                );
                write!(
                    out,
                    "{}",
                    broker::glossary::write::to_toml_with_header(&[c], Some(&header))
                )?;
            } else {
                writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
            }
        }
        ConceptCommand::Put {
            file,
            if_match,
            server,
        } => {
            let (c, file_etag) = broker::client::read_concept(&file)?;
            let client = admin_client(&server)?;
            let etag = if_match.or(file_etag);
            let stored = client.put(&c, etag.as_deref()).await?;
            writeln!(out, "{}", serde_json::to_string_pretty(&stored)?)?;
        }
        ConceptCommand::Delete {
            id,
            if_match,
            server,
        } => {
            admin_client(&server)?
                .delete(&id, if_match.as_deref())
                .await?;
            writeln!(out, "deleted {id}")?;
        }
        ConceptCommand::List {
            tag,
            query,
            json,
            page_size,
            server,
        } => {
            let client = read_client(&server)?;
            let mut all = Vec::new();
            let mut token = String::new();
            loop {
                let page = client.list(page_size.max(1), &token, &tag, &query).await?;
                all.extend(page.concepts);
                if page.next_page_token.is_empty() {
                    break;
                }
                token = page.next_page_token;
            }
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
            } else {
                for c in &all {
                    let terms = |side: &str| {
                        c[side]["terms"]
                            .as_array()
                            .map(|t| {
                                t.iter()
                                    .filter_map(|x| x.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            })
                            .unwrap_or_default()
                    };
                    writeln!(
                        out,
                        "{}\tit: {}\tmarketing: {}",
                        c["id"].as_str().unwrap_or_default(),
                        terms("it"),
                        terms("marketing")
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}
