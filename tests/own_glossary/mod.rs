//! A matcher over a glossary a test file writes itself, and what it finds: the shared helpers
//! of the reading tests (`senses.rs`, `forms.rs`, `reading.rs`).
#![allow(dead_code)]

use std::sync::Arc;

use broker::glossary::Source;
use broker::{Glossary, MatchOptions, Matcher};

/// A matcher over `toml`, loaded as the file `name`.
pub fn matcher(name: &str, toml: &str) -> Matcher {
    let g = Glossary::from_files(&[(name.into(), toml.into())], Source::Memory)
        .expect("the test glossary loads");
    Matcher::new(Arc::new(g))
}

/// The spans annotated in `text`, with their concepts.
pub fn found(m: &Matcher, text: &str) -> Vec<(String, String)> {
    m.find(text, &MatchOptions::default())
        .into_iter()
        .map(|a| (a.text, a.concept_id))
        .collect()
}
