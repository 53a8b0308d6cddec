//! `broker check PATH…`: requirement documents checked for their reader, findings printed as
//! text, JSON, SARIF or GitHub workflow commands.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::args::CheckArgs;

/// `broker check`: exit 0 clean, 1 when a finding reaches `--fail-on`, 2 when a path, a
/// configuration or a glossary could not be used (the rest is still checked and reported).
pub(crate) fn check_documents(args: CheckArgs) -> Result<ExitCode> {
    use broker::check::report::write;
    use broker::check::{Level, RunOptions};
    let opts = RunOptions {
        reader: args.reader,
        glossary: args.glossary.clone(),
        fail_on: args.fail_on,
    };
    let outcome = broker::check::run(&args.paths, &opts);
    std::io::stdout()
        .lock()
        .write_all(write(args.output, &outcome.files, &outcome.errors).as_bytes())?;
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
