//! The command line: clap's structs for every command and flag, parsing straight into the
//! library's types (`Side`, `Format`, `Explain`, `View`, `FailOn`, `Output`,
//! `exchange::Format`) with their own `FromStr`. Each command's work is in its own file beside
//! this one.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Result;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};

use broker::check::config::FailOn;
use broker::check::report::Output;
use broker::config::{self, Secret};
use broker::glossary::exchange;
use broker::{Explain, Format, Side, View};

/// A value parser offering `names` (listed in help and errors, as a `ValueEnum` would) and
/// turning the chosen one into `T` with the library's `FromStr`.
fn one_of<T>(names: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = broker::UnknownValue> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(names).try_map(|s| s.parse::<T>())
}

/// `--for it|marketing|both`: the reader's side, `None` for both.
fn reader() -> impl TypedValueParser<Value = Option<Side>> {
    PossibleValuesParser::new(["it", "marketing", "both"]).try_map(|s| match s.as_str() {
        "both" => Ok(None),
        side => side.parse::<Side>().map(Some),
    })
}

/// Translates jargon between IT and marketing.
#[derive(Parser)]
#[command(name = "broker", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    /// A language server on stdio (LSP 3.17) for editors: diagnostics, hover, quick fixes.
    Lsp,
}

#[derive(Args)]
pub(crate) struct ServerArg {
    /// The broker server's URL.
    #[arg(long, env = "BROKER_SERVER", default_value = "http://127.0.0.1:50051")]
    pub(crate) server: String,
}

#[derive(Subcommand)]
pub(crate) enum ConceptCommand {
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
        #[arg(long, value_name = "ETAG", conflicts_with = "create")]
        if_match: Option<String>,
        /// Only create: refuse (exit 1) when a concept already has this id, instead of
        /// replacing it (HTTP `If-None-Match: *`).
        #[arg(long)]
        create: bool,
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
        /// Only concepts with this tag (all concepts when absent).
        #[arg(long, value_name = "TAG")]
        tag: Option<String>,
        /// Only concepts whose id, a term or a definition contains this (case-insensitive), best
        /// match first.
        #[arg(long, value_name = "TEXT")]
        query: Option<String>,
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
pub(crate) struct GlossaryArg {
    /// Glossary directory (*.toml); the embedded default when absent.
    #[arg(long, env = "BROKER_GLOSSARY", value_name = "DIR")]
    pub(crate) glossary: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (gRPC and HTTP/JSON share it).
    #[arg(long, env = "BROKER_ADDR", default_value = "127.0.0.1:50051")]
    pub(crate) addr: String,
    #[command(flatten)]
    pub(crate) glossary: GlossaryArg,
    /// Token that admin RPCs (UpsertConcept, DeleteConcept) require as `Bearer <token>`;
    /// without one they are refused.
    #[arg(
        long,
        env = "BROKER_ADMIN_TOKEN",
        value_name = "T",
        hide_env_values = true,
        conflicts_with = "admin_token_file"
    )]
    pub(crate) admin_token: Option<String>,
    /// File holding the admin token (surrounding whitespace is ignored).
    #[arg(long, env = "BROKER_ADMIN_TOKEN_FILE", value_name = "FILE")]
    pub(crate) admin_token_file: Option<PathBuf>,
    /// File of named admin tokens, one `name:token` a line (`#` comments): each may edit,
    /// and the audit and the log record the edit under its name. Combines with --admin-token.
    #[arg(long, env = "BROKER_ADMIN_TOKENS", value_name = "FILE")]
    pub(crate) admin_tokens: Option<PathBuf>,
    /// Token that read RPCs and HTTP routes require as `Bearer <token>`; open when unset.
    #[arg(
        long,
        env = "BROKER_READ_TOKEN",
        value_name = "T",
        hide_env_values = true
    )]
    pub(crate) read_token: Option<String>,
    /// Largest text (or look-up term) accepted, in bytes.
    #[arg(long, env = "BROKER_MAX_TEXT_BYTES", value_name = "N", default_value_t = config::DEFAULT_MAX_TEXT_BYTES)]
    pub(crate) max_text_bytes: usize,
    /// Longest a request (or one message of a stream) may take, e.g. 30s or 500ms; a shorter
    /// grpc-timeout from the client wins.
    #[arg(long, env = "BROKER_REQUEST_TIMEOUT", value_name = "DURATION", default_value = "30s", value_parser = config::parse_duration)]
    pub(crate) request_timeout: Duration,
    /// Requests served at once across all connections; more wait for a slot.
    #[arg(
        long,
        env = "BROKER_MAX_CONCURRENT_REQUESTS",
        value_name = "N",
        default_value_t = 256
    )]
    pub(crate) max_concurrent_requests: usize,
    /// On SIGTERM/Ctrl-C, how long requests in flight may take to finish.
    #[arg(long, env = "BROKER_SHUTDOWN_GRACE", value_name = "DURATION", default_value = "10s", value_parser = config::parse_duration)]
    pub(crate) shutdown_grace: Duration,
    /// How long a client may take to send a request's headers.
    #[arg(long, env = "BROKER_HEADER_TIMEOUT", value_name = "DURATION", default_value = "10s", value_parser = config::parse_duration)]
    pub(crate) header_timeout: Duration,
    /// How long a client may take to send a request's body (read before it takes a slot).
    #[arg(long, env = "BROKER_BODY_TIMEOUT", value_name = "DURATION", default_value = "30s", value_parser = config::parse_duration)]
    pub(crate) body_timeout: Duration,
    /// A connection with nothing in flight and no traffic for this long is closed.
    #[arg(long, env = "BROKER_IDLE_TIMEOUT", value_name = "DURATION", default_value = "60s", value_parser = config::parse_duration)]
    pub(crate) idle_timeout: Duration,
    /// Connections one peer address may hold open at once.
    #[arg(long, env = "BROKER_MAX_CONNECTIONS_PER_PEER", value_name = "N", default_value_t = config::DEFAULT_MAX_CONNECTIONS_PER_PEER)]
    pub(crate) max_connections_per_peer: usize,
    /// Serve gRPC and HTTP over TLS with this PEM certificate chain (leaf first); needs
    /// --tls-key.
    #[arg(
        long,
        env = "BROKER_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(
        long,
        env = "BROKER_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub(crate) tls_key: Option<PathBuf>,
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
    pub(crate) store: Option<String>,
    #[command(flatten)]
    pub(crate) integrations: IntegrationArgs,
}

/// Slack, GitHub and Jira (SPEC §10): each is on when its secret is set, here or in the
/// `--integrations` file (flags and variables win over the file).
#[derive(Args)]
#[command(next_help_heading = "Integrations (Slack, GitHub, Jira)")]
pub(crate) struct IntegrationArgs {
    /// TOML file with [slack], [github] and [jira] sections (readers per user, repository,
    /// project; see the README's "Chat and tickets").
    #[arg(
        long = "integrations",
        env = "BROKER_INTEGRATIONS",
        value_name = "FILE"
    )]
    pub(crate) file: Option<PathBuf>,
    /// Slack app signing secret; turns the Slack integration on.
    #[arg(
        long,
        env = "BROKER_SLACK_SIGNING_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub(crate) slack_signing_secret: Option<String>,
    /// Slack bot token (xoxb-…) to answer events with chat.postMessage.
    #[arg(
        long,
        env = "BROKER_SLACK_BOT_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub(crate) slack_bot_token: Option<String>,
    /// Slack Web API base URL.
    #[arg(long, env = "BROKER_SLACK_API_BASE", value_name = "URL")]
    pub(crate) slack_api_base: Option<String>,
    /// Reader of Slack users not listed in the file: it or marketing; else the file's
    /// `[slack] reader`, else marketing.
    #[arg(long, env = "BROKER_SLACK_READER", value_name = "SIDE")]
    pub(crate) slack_reader: Option<String>,
    /// GitHub webhook secret; turns the GitHub integration on.
    #[arg(
        long,
        env = "BROKER_GITHUB_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub(crate) github_webhook_secret: Option<String>,
    /// GitHub token allowed to comment on issues and pull requests.
    #[arg(
        long,
        env = "BROKER_GITHUB_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub(crate) github_token: Option<String>,
    /// GitHub REST API base URL.
    #[arg(long, env = "BROKER_GITHUB_API_BASE", value_name = "URL")]
    pub(crate) github_api_base: Option<String>,
    /// Reader of repositories not listed in the file (a for:it / for:marketing label wins);
    /// else the file's `[github] reader`, else marketing.
    #[arg(long, env = "BROKER_GITHUB_READER", value_name = "SIDE")]
    pub(crate) github_reader: Option<String>,
    /// Jira webhook secret; turns the Jira integration on.
    #[arg(
        long,
        env = "BROKER_JIRA_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub(crate) jira_webhook_secret: Option<String>,
    /// Jira site, e.g. https://your-domain.atlassian.net.
    #[arg(long, env = "BROKER_JIRA_BASE", value_name = "URL")]
    pub(crate) jira_base: Option<String>,
    /// Jira account e-mail (basic authentication with --jira-token).
    #[arg(long, env = "BROKER_JIRA_USER", value_name = "EMAIL")]
    pub(crate) jira_user: Option<String>,
    /// Jira API token.
    #[arg(
        long,
        env = "BROKER_JIRA_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub(crate) jira_token: Option<String>,
    /// Reader of Jira projects not listed in the file; else the file's `[jira] reader`, else
    /// marketing.
    #[arg(long, env = "BROKER_JIRA_READER", value_name = "SIDE")]
    pub(crate) jira_reader: Option<String>,
    /// Largest webhook body accepted, in bytes; else the file's `max_body_bytes`, else 1048576
    /// (1 MiB).
    #[arg(long, env = "BROKER_WEBHOOK_MAX_BYTES", value_name = "N")]
    pub(crate) webhook_max_bytes: Option<usize>,
}

impl IntegrationArgs {
    /// The file's settings with the flags laid over them.
    pub(crate) fn config(self) -> Result<config::IntegrationsConfig> {
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

#[derive(Args)]
pub(crate) struct TranslateArgs {
    /// Files or directories to read (directories: .md, .markdown, .html, .htm, .txt, .text,
    /// recursively); `-` or nothing for standard input. Several without `--out` are printed one
    /// after the other, each under a `==> path <==` header.
    #[arg(value_name = "FILE|DIR")]
    pub(crate) files: Vec<PathBuf>,
    /// Write one annotated file per input under DIR, at the same relative path (a directory's
    /// files below it, a file by its name); with `--json`, as NAME.json.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// The reader the text is rendered for.
    #[arg(long = "for", alias = "audience", default_value = "both", value_parser = reader())]
    pub(crate) reader: ::std::option::Option<Side>,
    /// Output format; `markdown` and `html` also skip code, URLs and tags in the input.
    /// Default: by suffix with `--out` (.md → markdown, .html → html), else inline.
    #[arg(long, value_parser = one_of::<Format>(&["inline", "markdown", "html", "rewrite", "none"]))]
    pub(crate) format: Option<Format>,
    /// Print the whole response as JSON instead of the rendering(s).
    #[arg(long)]
    pub(crate) json: bool,
    /// Minimum score of a fuzzy match (0..=1): 1 − edits / letters of the term.
    #[arg(long, value_name = "F", default_value_t = broker::matcher::DEFAULT_MIN_SCORE)]
    pub(crate) min_score: f32,
    /// Only exact and normalised matches.
    #[arg(long)]
    pub(crate) exact_only: bool,
    /// Explain a concept at its first mention only, or at every mention.
    #[arg(long, default_value = "first", value_parser = one_of::<Explain>(&["first", "every"]))]
    pub(crate) explain: Explain,
    /// With --json: `compact` gives each concept's equivalents and definition once, in
    /// `concepts`, instead of in every annotation.
    #[arg(long, default_value = "full", value_parser = one_of::<View>(&["full", "compact"]))]
    pub(crate) view: View,
    /// Largest input accepted, in bytes (each file, or standard input); a larger one is an
    /// error naming this limit.
    #[arg(long, env = "BROKER_MAX_TEXT_BYTES", value_name = "N", default_value_t = config::DEFAULT_MAX_TEXT_BYTES)]
    pub(crate) max_text_bytes: usize,
    #[command(flatten)]
    pub(crate) glossary: GlossaryArg,
}

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// Files or directories to check (directories: .md, .markdown, .html, .htm, .txt, .text,
    /// recursively, hidden ones left out).
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Who will read the documents; else the reader `.broker.toml` names for each path.
    #[arg(long = "for", alias = "audience", value_parser = one_of::<Side>(&["it", "marketing"]))]
    pub(crate) reader: Option<Side>,
    /// How findings are printed.
    #[arg(long, default_value = "text", value_parser = one_of::<Output>(&["text", "json", "sarif", "github"]))]
    pub(crate) output: Output,
    /// Exit 1 when a finding is at this level or above (`none`: never); else `.broker.toml`'s
    /// `fail_on`, else `warning`.
    #[arg(long, value_name = "LEVEL", value_parser = one_of::<FailOn>(&["note", "warning", "error", "none"]))]
    pub(crate) fail_on: Option<FailOn>,
    /// Glossary directory (*.toml); else `.broker.toml`'s, else the embedded default.
    #[arg(long, env = "BROKER_GLOSSARY", value_name = "DIR")]
    pub(crate) glossary: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct GapsArgs {
    /// Files or directories (read recursively: .md, .markdown, .html, .htm, .txt, .text).
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Print the ranking as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Keep only gaps seen at least this many times.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub(crate) min_count: usize,
    /// Write DIR/proposed-gaps.toml: one draft concept per gap, for review.
    #[arg(long, value_name = "DIR")]
    pub(crate) propose: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) glossary: GlossaryArg,
}

#[derive(Args)]
pub(crate) struct LookupArgs {
    /// The term to explain.
    pub(crate) term: String,
    /// The reader; decides which side's words explain the term.
    #[arg(long = "for", alias = "audience", default_value = "both", value_parser = reader())]
    pub(crate) reader: ::std::option::Option<Side>,
    /// How many concepts at most.
    #[arg(long, default_value_t = 5)]
    pub(crate) limit: usize,
    #[command(flatten)]
    pub(crate) glossary: GlossaryArg,
}

#[derive(Subcommand)]
pub(crate) enum GlossaryCommand {
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
pub(crate) struct PushArgs {
    /// The glossary directory (*.toml) to push.
    pub(crate) dir: PathBuf,
    /// The PostgreSQL store (postgres://user@host:port/db).
    #[arg(long, value_name = "URL")]
    pub(crate) store: String,
}

#[derive(Args)]
pub(crate) struct ExportArgs {
    /// The exchange format.
    #[arg(long, value_parser = one_of::<exchange::Format>(&["tbx", "csv"]))]
    pub(crate) to: exchange::Format,
    /// File to write (replaced atomically); standard output when absent.
    /// `--out` as in `broker translate` (`--output` is accepted too; in `broker check` it
    /// names a format).
    #[arg(long = "out", short, alias = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) glossary: GlossaryArg,
    /// Export the glossary of this PostgreSQL store instead of a directory.
    #[arg(long, value_name = "URL", conflicts_with = "glossary")]
    pub(crate) store: Option<String>,
}

#[derive(Args)]
pub(crate) struct ImportArgs {
    /// The TBX (.tbx, .xml) or CSV (.csv) file to import.
    pub(crate) file: PathBuf,
    /// Glossary directory to write the imported concepts into (created if missing).
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "store",
        conflicts_with = "store"
    )]
    pub(crate) into: Option<PathBuf>,
    /// Create or overwrite the imported concepts in this PostgreSQL store instead (the
    /// others are kept; one transaction).
    #[arg(long, value_name = "URL")]
    pub(crate) store: Option<String>,
    /// The file's format, when its extension does not tell.
    #[arg(long, value_parser = one_of::<exchange::Format>(&["tbx", "csv"]))]
    pub(crate) from: Option<exchange::Format>,
    /// Replace an existing glossary file of the same name.
    #[arg(long)]
    pub(crate) force: bool,
    /// TBX language tag whose sections hold IT terms (repeatable; en-x-it always does).
    #[arg(long, value_name = "LANG")]
    pub(crate) it_lang: Vec<String>,
    /// TBX language tag whose sections hold marketing terms (repeatable; en-x-marketing
    /// always does).
    #[arg(long, value_name = "LANG")]
    pub(crate) marketing_lang: Vec<String>,
}
