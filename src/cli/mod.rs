//! The `broker` binary's commands: [`args`] holds the flags, and each command's work is in a
//! file of its own, which turns the flags into library calls and prints the results. Helpers
//! that several commands share are here.

pub(crate) mod args;
pub(crate) mod check;
pub(crate) mod concept;
pub(crate) mod gaps;
pub(crate) mod glossary;
pub(crate) mod lookup;
pub(crate) mod serve;
pub(crate) mod translate;

use anyhow::{Context, Result};

/// Runs one future of a CLI command on a fresh runtime.
pub(crate) fn block_on<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(f)
}

/// The PostgreSQL store of a CLI command; its audit rows name the command and the user.
async fn open_store(url: &str, command: &str) -> Result<broker::store::postgres::PgStore> {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    Ok(broker::store::postgres::PgStore::connect(
        url,
        format!(
            "broker glossary {command} by {user}@{}",
            broker::store::postgres::host_name()
        ),
    )
    .await?)
}
