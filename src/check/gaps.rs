//! Where `broker gaps`' ranking goes: a text table or JSON, beside [`super::report`] which
//! does the same for `broker check`'s findings. The ranking itself is
//! [`crate::gap_report::rank`]'s.

use std::fmt::Write as _;

use serde::Serialize;

use crate::gap_report::RankedGap;

/// The JSON report: `{"documents": N, "gaps": [...]}`. Fields are in alphabetical order, the
/// order the report has always had.
#[derive(Serialize)]
struct Report<'a> {
    documents: usize,
    gaps: Vec<GapOut<'a>>,
}

#[derive(Serialize)]
struct GapOut<'a> {
    count: usize,
    documents: usize,
    example: ExampleOut<'a>,
    key: &'a str,
    kind: &'static str,
    side: &'static str,
    text: &'a str,
}

#[derive(Serialize)]
struct ExampleOut<'a> {
    line: usize,
    path: &'a str,
    sentence: &'a str,
}

/// The ranking as pretty-printed JSON, ending with a newline; `documents` is how many
/// documents were read.
///
/// # Errors
/// Only if serde_json fails to write strings and numbers.
pub fn json(ranked: &[RankedGap], documents: usize) -> serde_json::Result<String> {
    let report = Report {
        documents,
        gaps: ranked
            .iter()
            .map(|g| GapOut {
                count: g.count,
                documents: g.documents,
                example: ExampleOut {
                    line: g.example.line,
                    path: &g.example.path,
                    sentence: &g.example.sentence,
                },
                key: &g.key,
                kind: g.kind.as_str(),
                side: g.side.as_str(),
                text: &g.text,
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&report)?;
    out.push('\n');
    Ok(out)
}

/// The ranking as a table (count, documents, kind, gap, example) and a summary line.
pub fn text(ranked: &[RankedGap], documents: usize, matcher: &crate::Matcher) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    if !ranked.is_empty() {
        let _ = writeln!(
            out,
            "{:>5} {:>4}  {:<8} {:<24} example",
            "count", "docs", "kind", "gap"
        );
    }
    for g in ranked {
        let _ = writeln!(
            out,
            "{:>5} {:>4}  {:<8} {:<24} {}:{}: {}",
            g.count,
            g.documents,
            g.kind.as_str(),
            g.text,
            g.example.path,
            g.example.line,
            g.example.sentence
        );
    }
    let _ = writeln!(
        out,
        "{}",
        crate::gap_report::summary(ranked.len(), documents, matcher)
    );
    out
}
