//! `broker gaps PATH…`: jargon the glossary lacks, ranked over a set of documents, and
//! optionally written as draft concepts for review.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::args::GapsArgs;
use broker::{Glossary, Matcher};

pub(crate) fn gaps(args: GapsArgs) -> Result<ExitCode> {
    use broker::gap_report::{proposal, rank, Document};
    let glossary = Glossary::load_or_embedded(args.glossary.glossary.as_deref())?;
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
    let report = if args.json {
        broker::check::gaps::json(&ranked, docs.len())?
    } else {
        broker::check::gaps::text(&ranked, docs.len(), &matcher)
    };
    std::io::stdout().lock().write_all(report.as_bytes())?;
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
