//! The service's settings, in one place: limits, timeouts and tokens.
//!
//! `broker serve` fills a [`ServiceConfig`] from its flags and `BROKER_*` environment
//! variables; tests build one directly. Nothing here reads the environment itself, so the
//! library stays testable.

use std::fmt;
use std::time::Duration;

/// The default of `--max-text-bytes`: 1 MiB.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 1024 * 1024;

/// How the service runs. [`ServiceConfig::default`] is what `broker serve` uses with no flags.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Token that admin RPCs (upsert, delete) require; `None` (and no `admin_tokens`)
    /// refuses them all.
    pub admin_token: Option<Secret>,
    /// Named admin tokens (`--admin-tokens FILE`): any of them may edit, and the edit is
    /// recorded under its name (the PostgreSQL `audit` table, the log).
    pub admin_tokens: Vec<NamedToken>,
    /// Token that read RPCs and HTTP routes require; `None` leaves them open.
    pub read_token: Option<Secret>,
    /// The largest text (or look-up term) accepted, in bytes.
    pub max_text_bytes: usize,
    /// The longest a request may take, unless the client's `grpc-timeout` is shorter.
    /// On a stream it applies to each message.
    pub request_timeout: Duration,
    /// Requests served at once across all connections; more wait for a slot.
    pub max_concurrent_requests: usize,
    /// After the shutdown signal, how long in-flight requests may take before the server
    /// stops anyway.
    pub shutdown_grace: Duration,
    /// Slack, GitHub and Jira (SPEC §10); each is off unless its secret is set.
    pub integrations: IntegrationsConfig,
    /// How long a client may take to send a request's headers (HTTP/1.1).
    pub header_timeout: Duration,
    /// How long a client may take to send a request's body (or, on a gRPC stream, the rest
    /// of a message it has started); the body is read before the request takes a slot.
    pub body_timeout: Duration,
    /// A connection with no request in flight and no bytes either way for this long is closed.
    pub idle_timeout: Duration,
    /// Connections one peer address may hold open at once; more are closed at once.
    pub max_connections_per_peer: usize,
}

/// The default of `--header-timeout`.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of `--body-timeout`.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// The default of `--idle-timeout`: a minute (SPEC §12).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The default of `--max-connections-per-peer`: generous, since every client behind one
/// proxy or NAT is one peer.
pub const DEFAULT_MAX_CONNECTIONS_PER_PEER: usize = 512;

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            admin_token: None,
            admin_tokens: Vec::new(),
            read_token: None,
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
            request_timeout: Duration::from_secs(30),
            max_concurrent_requests: 256,
            shutdown_grace: Duration::from_secs(10),
            integrations: IntegrationsConfig::default(),
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections_per_peer: DEFAULT_MAX_CONNECTIONS_PER_PEER,
        }
    }
}

/// A token that never shows up in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// An admin token with the name of whoever holds it.
#[derive(Debug, Clone)]
pub struct NamedToken {
    /// Who: recorded with each edit made with the token.
    pub name: String,
    /// The token.
    pub token: Secret,
}

/// A line of an admin tokens file that cannot be used (nothing is started).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct AdminTokensError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong (never the token itself).
    pub message: String,
}

/// Reads an admin tokens file: one `name:token` a line; blank lines and `#` comments are
/// skipped. A name is letters, digits and `._@-`, and is unique; the token is the rest of
/// the line, surrounding whitespace removed.
///
/// # Errors
/// The first unusable line, by number (the message never repeats a token).
pub fn parse_admin_tokens(text: &str) -> Result<Vec<NamedToken>, AdminTokensError> {
    let mut out: Vec<NamedToken> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| AdminTokensError {
            line: i + 1,
            message,
        };
        let Some((name, token)) = line.split_once(':') else {
            return Err(err("expected 'name:token'".into()));
        };
        let name = name.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c))
        {
            return Err(err(format!(
                "the name '{name}' must be letters, digits and . _ @ - (it goes into the audit)"
            )));
        }
        if out.iter().any(|t| t.name == name) {
            return Err(err(format!("the name '{name}' is given twice")));
        }
        let token = Secret::new(token.trim()).map_err(|e| err(format!("{name}: {e}")))?;
        out.push(NamedToken {
            name: name.to_string(),
            token,
        });
    }
    Ok(out)
}

impl Secret {
    /// Wraps a token.
    ///
    /// # Errors
    /// A message when the token is empty or only whitespace (a likely mistake that would
    /// otherwise accept `Bearer ` with nothing after it).
    pub fn new(token: impl Into<String>) -> Result<Secret, EmptySecret> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err(EmptySecret);
        }
        Ok(Secret(token))
    }

    /// The token itself, for comparison.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The public Slack Web API.
pub const SLACK_API: &str = "https://slack.com/api";
/// The public GitHub REST API.
pub const GITHUB_API: &str = "https://api.github.com";
/// The largest webhook body accepted by default: 1 MiB (Slack and Jira send a few KB, GitHub
/// issue bodies are at most 65536 characters).
pub const DEFAULT_WEBHOOK_MAX_BYTES: usize = 1024 * 1024;

/// The integrations (SPEC §10), from `broker serve`'s flags, `BROKER_*` variables and the
/// `--integrations FILE` TOML file (flags win). An integration whose secret is `None` is off.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntegrationsConfig {
    /// Slack slash command and Events API.
    pub slack: SlackConfig,
    /// GitHub issues and pull requests.
    pub github: GithubConfig,
    /// Jira issues.
    pub jira: JiraConfig,
    /// The largest webhook body accepted, in bytes.
    pub max_body_bytes: Option<usize>,
}

/// `[slack]` of the integrations file.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlackConfig {
    /// The app's signing secret: requests are verified with it (v0 HMAC-SHA256).
    pub signing_secret: Option<Secret>,
    /// The bot token (`xoxb-…`) for `chat.postMessage`.
    pub bot_token: Option<Secret>,
    /// The Web API base; [`SLACK_API`] when absent.
    pub api_base: Option<String>,
    /// The side of readers not listed in `readers`: `it` or `marketing` (default marketing).
    #[serde(alias = "for")]
    pub reader: Option<String>,
    /// Slack user id → `it` or `marketing`.
    pub readers: std::collections::BTreeMap<String, String>,
}

/// `[github]` of the integrations file.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GithubConfig {
    /// The webhook secret (`X-Hub-Signature-256`).
    pub webhook_secret: Option<Secret>,
    /// A token allowed to comment on issues and pull requests.
    pub token: Option<Secret>,
    /// The REST API base; [`GITHUB_API`] when absent.
    pub api_base: Option<String>,
    /// The reader of repositories not listed in `repos` (default marketing).
    #[serde(alias = "for")]
    pub reader: Option<String>,
    /// `owner/name` → `it` or `marketing`.
    pub repos: std::collections::BTreeMap<String, String>,
}

/// `[jira]` of the integrations file.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JiraConfig {
    /// The webhook secret (`X-Hub-Signature`).
    pub webhook_secret: Option<Secret>,
    /// The site, e.g. `https://your-domain.atlassian.net`.
    pub base: Option<String>,
    /// The account e-mail for basic authentication.
    pub user: Option<String>,
    /// The API token of that account.
    pub token: Option<Secret>,
    /// The reader of projects not listed in `projects` (default marketing).
    #[serde(alias = "for")]
    pub reader: Option<String>,
    /// Project key → `it` or `marketing`.
    pub projects: std::collections::BTreeMap<String, String>,
}

impl IntegrationsConfig {
    /// Reads the TOML integrations file.
    ///
    /// # Errors
    /// A message naming the file, and the line for syntax errors and unknown keys.
    pub fn from_file(path: &std::path::Path) -> Result<IntegrationsConfig, IntegrationsFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| IntegrationsFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| IntegrationsFileError::Invalid {
            path: path.to_path_buf(),
            line: e
                .span()
                .map(|s| format!(":{}", crate::lines::line_of(&text, s.start)))
                .unwrap_or_default(),
            message: e.message().to_string(),
        })
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        let s = String::deserialize(d)?;
        Secret::new(s).map_err(serde::de::Error::custom)
    }
}

/// Parses a duration such as `30s`, `500ms`, `2m` or a bare number of seconds (`1.5`).
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| DurationError::NotADuration(s.to_string()))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        other => {
            return Err(DurationError::Unit {
                unit: other.to_string(),
                given: s.to_string(),
            })
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|source| DurationError::Range {
        given: s.to_string(),
        source,
    })
}

/// A token that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the token is empty")]
pub struct EmptySecret;

/// The `--integrations` file cannot be used; the message names the file (and the line).
#[derive(Debug, thiserror::Error)]
pub enum IntegrationsFileError {
    #[error("{}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// `line` is `:N` when the parser knows it, else empty.
    #[error("{}{line}: {message}", path.display())]
    Invalid {
        path: std::path::PathBuf,
        line: String,
        message: String,
    },
}

/// A duration flag that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DurationError {
    #[error("'{0}' is not a duration: use e.g. 30s, 500ms, 2m")]
    NotADuration(String),
    #[error("unknown unit '{unit}' in '{given}': use ms, s or m")]
    Unit { unit: String, given: String },
    #[error("'{given}': {source}")]
    Range {
        given: String,
        source: std::time::TryFromFloatSecsError,
    },
}

#[cfg(test)]
mod tests {
    #[test]
    fn admin_tokens_files_name_their_line_and_never_the_token() {
        let ok = super::parse_admin_tokens("# editors\n\nalice: t0ken-a \nbob.smith@acme:b:c\n")
            .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(
            (ok[0].name.as_str(), ok[0].token.expose()),
            ("alice", "t0ken-a")
        );
        assert_eq!(
            (ok[1].name.as_str(), ok[1].token.expose()),
            ("bob.smith@acme", "b:c")
        );
        for (text, line, says) in [
            ("alice t0ken\n", 1, "name:token"),
            ("\nal ice:t0ken\n", 2, "letters, digits"),
            ("a:x\na:y\n", 2, "twice"),
            ("a:   \n", 1, "empty"),
        ] {
            let e = super::parse_admin_tokens(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.message.contains(says), "{text:?}: {e}");
            assert!(!e.to_string().contains("t0ken"), "{e}");
        }
    }

    use super::*;

    #[test]
    fn durations() {
        let ok = [
            ("30s", Duration::from_secs(30)),
            ("30", Duration::from_secs(30)),
            ("500ms", Duration::from_millis(500)),
            ("2m", Duration::from_secs(120)),
            ("1.5", Duration::from_millis(1500)),
        ];
        for (text, want) in ok {
            assert_eq!(parse_duration(text).unwrap(), want, "{text}");
        }
        for bad in ["", "s", "10h", "-1s", "abc"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn integrations_file_and_redaction() {
        let dir = std::env::temp_dir().join(format!("broker-int-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("integrations.toml");
        std::fs::write(
            &path,
            "[slack]\nsigning_secret = \"s3cr3t-slack\"\nreader = \"it\"\n[slack.readers]\nU1 = \"marketing\"\n\n[github]\nwebhook_secret = \"gh-s3cr3t\"\n[github.repos]\n\"acme/web\" = \"it\"\n",
        )
        .unwrap();
        let c = IntegrationsConfig::from_file(&path).unwrap();
        assert_eq!(c.slack.reader.as_deref(), Some("it"));
        assert_eq!(c.github.repos["acme/web"], "it");
        assert!(c.jira.webhook_secret.is_none());
        let debug = format!("{c:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        std::fs::write(&path, "[slack]\nsigning_secret = \"x\"\ncolour = 1\n").unwrap();
        let e = IntegrationsConfig::from_file(&path)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("integrations.toml:3") && e.contains("colour"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn secrets_are_not_printed() {
        let s = Secret::new("hunter2").unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(Secret::new("  ").is_err());
    }
}
