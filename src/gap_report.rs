//! Gaps over a set of documents (SPEC §8, `broker gaps`): every document is matched, its gaps
//! counted under one key per jargon word, and the keys ranked so that glossary owners see what
//! readers meet most often unexplained; a proposal turns them into draft concepts.

use std::collections::HashMap;

use crate::glossary::write::to_toml_with_header;
use crate::glossary::{Concept, Side, SideEntry, Term};
use crate::matcher::{GapKind, InputFormat, MatchOptions, Matcher};

/// One document to read.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it came from, as shown in reports.
    pub path: String,
    pub text: String,
    pub input: InputFormat,
}

/// Where a gap was seen, for a reader of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub path: String,
    /// 1-based line of the gap.
    pub line: usize,
    /// The sentence around it, on one line.
    pub sentence: String,
}

/// One jargon word the glossary lacks, over all documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedGap {
    /// The form it is counted under ("OKR" for "OKRs").
    pub key: String,
    /// The most frequent form as written.
    pub text: String,
    pub kind: GapKind,
    /// Occurrences in all documents.
    pub count: usize,
    /// Documents it occurs in.
    pub documents: usize,
    /// The side whose jargon the documents it occurs in use most: where a draft term goes.
    pub side: Side,
    /// Its first occurrence.
    pub example: Example,
}

#[derive(Default)]
struct Tally {
    count: usize,
    documents: usize,
    forms: HashMap<String, usize>,
    kind: Option<GapKind>,
    sides: [usize; 2],
    example: Option<Example>,
    /// The documents it was found in, by index.
    in_docs: Vec<usize>,
}

/// The gaps of `docs`, ranked: most occurrences first, then most documents, then by key.
/// Only gaps seen at least `min_count` times are kept. A name that one document shows as a
/// gap (by repeating it) is counted in every document that writes it, even once.
pub fn rank(matcher: &Matcher, docs: &[Document], min_count: usize) -> Vec<RankedGap> {
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    let mut doc_sides: Vec<[usize; 2]> = Vec::with_capacity(docs.len());
    for (index, doc) in docs.iter().enumerate() {
        let opts = MatchOptions {
            input: doc.input,
            ..MatchOptions::default()
        };
        let annotations = matcher.find(&doc.text, &opts);
        let gaps = matcher.gaps(&doc.text, &opts, &annotations);
        // The document's own jargon side: the side of most of its (not shared) mentions.
        let mut sides = [0usize; 2];
        for a in annotations.iter().filter(|a| !a.shared) {
            sides[usize::from(a.side == Side::Marketing)] += 1;
        }
        doc_sides.push(sides);
        let mut seen_here: Vec<String> = Vec::new();
        for g in gaps {
            let key = g.key();
            let t = tallies.entry(key.clone()).or_default();
            t.count += 1;
            *t.forms.entry(g.text.clone()).or_default() += 1;
            // "defined" wins over "acronym": somewhere the text spells it out.
            t.kind = Some(t.kind.map_or(g.kind, |k| k.min(g.kind)));
            if !seen_here.contains(&key) {
                seen_here.push(key);
                t.in_docs.push(index);
                t.documents += 1;
                t.sides[0] += sides[0];
                t.sides[1] += sides[1];
            }
            if t.example.is_none() {
                t.example = Some(example(&doc.path, &doc.text, g.start, g.end));
            }
        }
    }
    count_names_elsewhere(docs, &doc_sides, &mut tallies);
    let mut out: Vec<RankedGap> = tallies
        .into_iter()
        .filter(|(_, t)| t.count >= min_count.max(1))
        .map(|(key, t)| {
            let text = t
                .forms
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(f, _)| f.clone())
                .unwrap_or_else(|| key.clone());
            RankedGap {
                key,
                text,
                kind: t.kind.unwrap_or(GapKind::Acronym),
                count: t.count,
                documents: t.documents,
                side: if t.sides[1] > t.sides[0] {
                    Side::Marketing
                } else {
                    Side::It
                },
                example: t.example.expect("a tally has a first occurrence"),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.documents.cmp(&a.documents))
            .then(a.key.cmp(&b.key))
    });
    out
}

/// Counts each name gap where a document writes it without repeating it: as written (one of
/// its forms, case and whole words kept), in prose (not in code, URLs or tags).
fn count_names_elsewhere(
    docs: &[Document],
    doc_sides: &[[usize; 2]],
    tallies: &mut HashMap<String, Tally>,
) {
    // Each document's code, URLs and tags, worked out once for all names (a Markdown parse).
    let mut excluded: Vec<Option<Vec<std::ops::Range<usize>>>> = vec![None; docs.len()];
    for t in tallies.values_mut() {
        if t.kind != Some(GapKind::Name) {
            continue;
        }
        let forms: Vec<String> = t.forms.keys().cloned().collect();
        for (index, doc) in docs.iter().enumerate() {
            if t.in_docs.contains(&index) {
                continue;
            }
            let excluded = excluded[index]
                .get_or_insert_with(|| crate::matcher::markup::excluded(&doc.text, doc.input));
            let mut found = 0;
            for form in &forms {
                for (at, _) in doc.text.match_indices(form.as_str()) {
                    let end = at + form.len();
                    let whole = !doc.text[..at]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
                        && !doc.text[end..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric);
                    let prose = !excluded.iter().any(|r| r.start < end && at < r.end);
                    if whole && prose {
                        found += 1;
                        *t.forms.entry(form.clone()).or_default() += 1;
                    }
                }
            }
            if found > 0 {
                t.count += found;
                t.documents += 1;
                t.in_docs.push(index);
                t.sides[0] += doc_sides[index][0];
                t.sides[1] += doc_sides[index][1];
            }
        }
    }
}

/// The sentence around `[start, end)` of `text`, on one line and at most about 200 characters.
fn example(path: &str, text: &str, start: usize, end: usize) -> Example {
    let line = crate::lines::line_of(text, start);
    let ends = |c: char| matches!(c, '.' | '!' | '?' | '\n');
    let a = text[..start]
        .char_indices()
        .rev()
        .find(|&(i, c)| ends(c) && (c == '\n' || text[i + 1..].starts_with(char::is_whitespace)))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let b = text[end..]
        .char_indices()
        .find(|&(i, c)| {
            ends(c)
                && (c == '\n'
                    || text[end + i + 1..].starts_with(char::is_whitespace)
                    || end + i + 1 == text.len())
        })
        .map_or(text.len(), |(i, c)| end + i + if c == '\n' { 0 } else { 1 });
    let mut sentence: String = text[a..b].split_whitespace().collect::<Vec<_>>().join(" ");
    if sentence.chars().count() > 200 {
        sentence = sentence.chars().take(199).collect::<String>() + "…";
    }
    Example {
        path: path.to_string(),
        line,
        sentence,
    }
}

/// A glossary file of draft concepts, one per gap: the term on the side it was seen, the
/// definitions left for the glossary's owners, a note saying where it was seen. `existing`
/// are ids already taken.
pub fn proposal(gaps: &[RankedGap], existing: &dyn Fn(&str) -> bool) -> String {
    let mut ids: Vec<String> = Vec::new();
    let concepts: Vec<Concept> = gaps
        .iter()
        .map(|g| {
            let base = slug(&g.key);
            let mut id = base.clone();
            let mut n = 2;
            while existing(&id) || ids.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            ids.push(id.clone());
            let entry = SideEntry {
                terms: vec![Term::new(
                    g.text.trim_end_matches("'s").trim_end_matches("’s"),
                )],
                definition: String::new(),
            };
            let mut c = Concept {
                id,
                tags: vec!["draft".into()],
                note: Some(format!(
                    "Seen {} time(s) in {} document(s) ({}), e.g. {}:{}: \"{}\"",
                    g.count,
                    g.documents,
                    g.kind.as_str(),
                    g.example.path,
                    g.example.line,
                    g.example.sentence
                )),
                draft: true,
                ..Concept::default()
            };
            match g.side {
                Side::It => c.it = Some(entry),
                Side::Marketing => c.marketing = Some(entry),
            }
            c
        })
        .collect();
    to_toml_with_header(
        &concepts,
        Some(
            "Draft concepts proposed by `broker gaps --propose`: jargon readers met that no concept\n\
             covers. For each: keep or delete it, write a definition for each side's reader (and the\n\
             other side's terms), then remove `draft = true`. Drafts are never matched, and\n\
             `broker glossary check` warns about each one until it is done.",
        ),
    )
}

/// An id from a gap's key: lower case, runs of other characters as one `-`.
fn slug(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "gap".into()
    } else {
        out
    }
}

/// The last line of `broker gaps`: how many gaps in how many documents, and what was checked
/// against how much — "0 gaps" alone would read as "everything was covered".
pub fn summary(gaps: usize, documents: usize, matcher: &Matcher) -> String {
    let stats = matcher.glossary().stats();
    let known = format!(
        "the {} terms of {} broker knows",
        stats.it_terms + stats.marketing_terms,
        crate::plural(stats.concepts, "concept")
    );
    let docs = crate::plural(documents, "document");
    if gaps == 0 {
        format!(
            "no gaps in {docs}: no unknown acronym, repeated capitalised name or term the text \
             defines itself outside {known} (ordinary English words are not checked)"
        )
    } else {
        format!(
            "{} in {docs}: jargon-looking words (unknown acronyms, repeated capitalised names, \
             terms the text defines itself) outside {known}",
            crate::plural(gaps, "gap")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_the_sentence_around_the_gap() {
        let text = "First line.\nWe set OKRs each quarter. Then more.";
        let s = text.find("OKRs").unwrap();
        let e = example("a.md", text, s, s + 4);
        assert_eq!(e.line, 2);
        assert_eq!(e.sentence, "We set OKRs each quarter.");
    }

    #[test]
    fn a_name_one_document_repeats_counts_wherever_it_is_written() {
        let matcher = Matcher::new(std::sync::Arc::new(crate::Glossary::embedded()));
        let doc = |path: &str, text: &str| Document {
            path: path.into(),
            text: text.into(),
            input: InputFormat::Markdown,
        };
        let docs = [
            doc(
                "a.md",
                "The pilot reports to the Growth Council.\nThe Growth Council meets on Mondays.\n",
            ),
            doc("b.md", "Send the plan to the Growth Council.\n"),
            doc(
                "c.md",
                "The `Growth Council` in code, and a Growth Councillor.\n",
            ),
        ];
        let ranked = rank(&matcher, &docs, 1);
        let g = ranked
            .iter()
            .find(|g| g.text == "Growth Council")
            .expect("the repeated name is a gap");
        assert_eq!((g.count, g.documents), (3, 2));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("OKR"), "okr");
        assert_eq!(slug("economic buyer"), "economic-buyer");
        assert_eq!(slug("--"), "gap");
    }
}
