//! `broker concept get|put|delete|list`: a running server's concepts through its HTTP admin
//! API. Exit 0 on success, 1 when the server refuses, 2 when it cannot be asked.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::args::{ConceptCommand, ServerArg};
use broker::client::{AdminClient, ClientError};
use broker::config::Secret;

/// `broker concept …`: exit 0 on success, 1 when the server refuses, 2 when it cannot be
/// asked (no token, unreadable file, server unreachable).
pub(crate) fn concept(cmd: ConceptCommand) -> Result<ExitCode> {
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
            create,
            server,
        } => {
            let (c, file_etag) = broker::client::read_concept(&file)?;
            let client = admin_client(&server)?;
            let stored = if create {
                client.create(&c).await?
            } else {
                client.put(&c, if_match.or(file_etag).as_deref()).await?
            };
            for w in stored["warnings"].as_array().into_iter().flatten() {
                eprintln!("warning: {}", w.as_str().unwrap_or_default());
            }
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
                let page = client
                    .list(
                        page_size.max(1),
                        &token,
                        tag.as_deref().unwrap_or(""),
                        query.as_deref().unwrap_or(""),
                    )
                    .await?;
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
