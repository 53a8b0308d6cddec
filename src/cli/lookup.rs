//! `broker lookup TERM`: the concepts a term may mean, best first, with both sides' terms and
//! definitions.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use super::args::LookupArgs;
use broker::{Glossary, Matcher, Side};

pub(crate) fn lookup(args: LookupArgs) -> Result<ExitCode> {
    let glossary = Arc::new(Glossary::load_or_embedded(
        args.glossary.glossary.as_deref(),
    )?);
    let matcher = Matcher::new(glossary.clone());
    let reader = args.reader;
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
