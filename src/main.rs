//! The `broker` binary: sets up tracing, parses arguments ([`cli::args`]) and hands each
//! command to its file in [`cli`], which calls the library. No logic of its own.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

use cli::args::{Cli, Command, GlossaryCommand};

/// mimalloc rather than the system allocator: building the matcher of a large glossary makes
/// and frees millions of small strings and tables, where glibc's malloc spent a fifth of the
/// time (issue 7).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `serve` writes one access-log line per request: a writer thread takes the write(2) off
    // the request path (issue 33), and writes the lines that queued up while it wrote the last
    // ones in one go (it flushes its buffer whenever the queue is empty, so a line is never
    // held back). It blocks rather than drop lines when it falls behind, and flushes when
    // `_log` is dropped at the end of `main`. The other commands write to stderr directly, so
    // their log lines and `error:` stay in order.
    let (writer, _log) = if matches!(cli.command, Command::Serve(_)) {
        let (w, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
            .lossy(false)
            .thread_name("broker-log")
            .finish(std::io::BufWriter::with_capacity(
                64 * 1024,
                std::io::stderr(),
            ));
        (BoxMakeWriter::new(w), Some(guard))
    } else {
        (BoxMakeWriter::new(std::io::stderr), None)
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(writer)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One rule (src/input.rs): a broken pipe ends quietly with 0, any other error is 2.
            let (code, quiet) = broker::input::exit_code(e.chain());
            if !quiet {
                eprintln!("error: {}", broker::input::message(e.chain()));
            }
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => cli::serve::serve(*args),
        Command::Translate(args) => cli::translate::translate(args),
        Command::Lookup(args) => cli::lookup::lookup(args),
        Command::Check(args) => cli::check::check_documents(args),
        Command::Gaps(args) => cli::gaps::gaps(args),
        Command::Glossary(GlossaryCommand::Check(args)) => {
            cli::glossary::check(args.glossary.as_deref())
        }
        Command::Glossary(GlossaryCommand::Stats(args)) => {
            cli::glossary::stats(args.glossary.as_deref())
        }
        Command::Glossary(GlossaryCommand::Export(args)) => cli::glossary::export(args),
        Command::Glossary(GlossaryCommand::Import(args)) => cli::glossary::import(args),
        Command::Glossary(GlossaryCommand::Push(args)) => cli::glossary::push(args),
        Command::Concept(cmd) => cli::concept::concept(cmd),
        // Exit 0 after `shutdown` then `exit`, 1 on `exit` alone (LSP).
        Command::Lsp => Ok(ExitCode::from(u8::from(!broker::lsp::run_stdio()?))),
    }
}
