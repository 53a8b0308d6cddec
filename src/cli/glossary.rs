//! `broker glossary check|stats|export|import|push`: a glossary directory (or store) checked,
//! counted, or exchanged with TBX/CSV files and PostgreSQL.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::args::{ExportArgs, ImportArgs, PushArgs};
use super::{block_on, open_store};
use broker::glossary::exchange::{self, IntoDirError, LangMap};
use broker::glossary::{Glossary, GlossaryError};

pub(crate) fn check(dir: Option<&Path>) -> Result<ExitCode> {
    // Loaded without `load_or_embedded`, which also logs each warning: here they are the result.
    let loaded = match dir {
        Some(dir) => Glossary::load_dir(dir),
        None => Ok(Glossary::embedded()),
    };
    match loaded {
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

pub(crate) fn stats(dir: Option<&Path>) -> Result<ExitCode> {
    let g = Glossary::load_or_embedded(dir)?;
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

pub(crate) fn export(args: ExportArgs) -> Result<ExitCode> {
    let g = match &args.store {
        Some(url) => block_on(async { Ok(open_store(url, "export").await?.load().await?.1) })?,
        None => Glossary::load_or_embedded(args.glossary.glossary.as_deref())?,
    };
    let mut buf = Vec::new();
    match args.to {
        exchange::Format::Tbx => {
            let description = format!(
                "Exported by broker {} from the {} glossary (version {}).",
                env!("CARGO_PKG_VERSION"),
                g.source(),
                g.version()
            );
            exchange::tbx::export(&mut buf, g.concepts(), &description)?;
        }
        exchange::Format::Csv => exchange::csv::export(&mut buf, g.concepts())?,
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

pub(crate) fn import(args: ImportArgs) -> Result<ExitCode> {
    let shown = args.file.display().to_string();
    let format = match args.from {
        Some(f) => f,
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
            "imported {} into {} (revision {revision}, {} concepts in all, {} warnings)",
            broker::plural(imported.concepts.len(), "concept"),
            broker::store::postgres::redact(url),
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
                "imported {} into {} ({} warnings)",
                broker::plural(imported.concepts.len(), "concept"),
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

pub(crate) fn push(args: PushArgs) -> Result<ExitCode> {
    let glossary = Glossary::load_or_embedded(Some(&args.dir))?;
    let (revision, stored) = block_on(async {
        let store = open_store(&args.store, "push").await?;
        Ok(store.write_all(glossary.concepts(), true).await?)
    })?;
    eprintln!(
        "pushed {} concepts from {} to {} (revision {revision}, version {})",
        stored.concepts().len(),
        args.dir.display(),
        broker::store::postgres::redact(&args.store),
        stored.version()
    );
    Ok(ExitCode::SUCCESS)
}

/// Where `broker glossary import` writes, for messages.
fn import_target(args: &ImportArgs) -> String {
    match (&args.store, &args.into) {
        (Some(url), _) => broker::store::postgres::redact(url),
        (None, Some(dir)) => dir.display().to_string(),
        (None, None) => "anything".into(),
    }
}
