//! `broker serve`: the flags turned into a [`ServiceConfig`] and a [`Server`], which runs
//! until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::args::ServeArgs;
use broker::config::{Secret, ServiceConfig};
use broker::service::server::Source;
use broker::service::Server;

pub(crate) fn serve(args: ServeArgs) -> Result<ExitCode> {
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
    let admin_tokens = match &args.admin_tokens {
        Some(path) => broker::config::parse_admin_tokens(
            &std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --admin-tokens {}", path.display()))?,
        )
        .with_context(|| format!("--admin-tokens {}", path.display()))?,
        None => Vec::new(),
    };
    let config = ServiceConfig {
        admin_token: secret("--admin-token", admin_token)?,
        admin_tokens,
        read_token: secret("--read-token", args.read_token)?,
        max_text_bytes: args.max_text_bytes,
        request_timeout: args.request_timeout,
        max_concurrent_requests: args.max_concurrent_requests.max(1),
        shutdown_grace: args.shutdown_grace,
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        idle_timeout: args.idle_timeout,
        max_connections_per_peer: args.max_connections_per_peer.max(1),
        integrations: args.integrations.config()?,
    };
    let source = match (args.store, args.glossary.glossary) {
        (Some(url), _) => Source::Postgres(url),
        (None, Some(dir)) => Source::Dir(dir),
        (None, None) => Source::Embedded,
    };
    Server::new(args.addr, config)
        .source(source)
        .tls(tls)
        .run()?;
    Ok(ExitCode::SUCCESS)
}
