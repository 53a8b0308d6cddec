//! Evidence that carries (SPEC §3): which sense of an ambiguous or generic word a text is in,
//! read from what the glossary already says about each sense.
//!
//! Every concept gets a *profile*: the content words of its definitions (both sides), its
//! terms, tags, cues and note, reduced to a base form (verb forms to the verb from
//! lemminflect's table, plurals to the singular; closed-class words dropped by the tagger's
//! lexicon). A word weighs by how few concepts' profiles hold it (inverse document frequency
//! over the glossary): "journalist" says more about a press release than "customer" does.
//!
//! A text's evidence for a concept is the weight of the distinct profile words it shows: in
//! the passage around the mention (counted [`PASSAGE_WEIGHT`] times) and anywhere in the
//! document, the word of the mention itself left out. A release-process page shows
//! "version", "deploy", "production" throughout; a telemetry RFC shows "data", "collect",
//! "consent". Nothing here names a phrase of any document: it is the glossary read against
//! the text.

use super::ids::ConceptId;
use super::pos;
use crate::glossary::Glossary;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

/// Bytes either side of a mention that make its passage.
const PASSAGE_BYTES: usize = 400;
/// How much more a profile word in the passage weighs than one elsewhere in the document.
const PASSAGE_WEIGHT: f32 = 2.0;
/// A word in more than this share of the glossary's concepts says nothing about a sense.
const MAX_SHARE: f32 = 0.06;

/// The profiles of a glossary's concepts, built once with the index.
#[derive(Debug, Default)]
pub(crate) struct Profiles {
    /// Base form → word id.
    ids: FxHashMap<Box<str>, u32>,
    /// Per word id, its weight: ln(concepts / concepts whose profile holds it).
    weight: Vec<f32>,
    /// Per concept, its distinct word ids, sorted.
    of: Vec<Box<[u32]>>,
}

/// English verbs (`data/verb_forms.txt`, parsed once): each verb's forms, and each form's verb.
struct Verbs {
    /// Verb → past, past participle, -ing, third person.
    forms: FxHashMap<&'static str, [&'static str; 4]>,
    /// Any form → its verb ("deployed" → "deploy").
    lemmas: FxHashMap<&'static str, &'static str>,
}

fn verbs() -> &'static Verbs {
    static V: OnceLock<Verbs> = OnceLock::new();
    V.get_or_init(|| {
        let mut v = Verbs {
            forms: FxHashMap::default(),
            lemmas: FxHashMap::default(),
        };
        for line in include_str!("data/verb_forms.txt").lines() {
            if line.starts_with('#') {
                continue;
            }
            let f: Vec<&'static str> = line.split(' ').collect();
            if let [l, a, b, c, d] = f[..] {
                v.forms.insert(l, [a, b, c, d]);
                for form in [a, b, c, d] {
                    v.lemmas.entry(form).or_insert(l);
                }
            }
        }
        v
    })
}

/// The forms of a verb (`data/verb_forms.txt`): past, past participle, -ing, third person.
pub(crate) fn verb_forms(lemma: &str) -> Option<[&'static str; 4]> {
    verbs().forms.get(lemma).copied()
}

/// A verb of `data/verb_forms.txt` as the table spells it, with its forms.
pub(crate) fn verb_entry(lemma: &str) -> Option<(&'static str, [&'static str; 4])> {
    verbs().forms.get_key_value(lemma).map(|(l, f)| (*l, *f))
}

/// The verb a form belongs to ("deployed": "deploy").
pub(crate) fn verb_of(form: &str) -> Option<&'static str> {
    verbs().lemmas.get(form).copied()
}

/// The base form of a lower-case word, or `None` for a word that carries no sense: shorter
/// than three letters, a number, or of a closed class.
pub(crate) fn base_form(w: &str) -> Option<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    if w.len() < 3 || !w.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    if pos::is_function_word(w) {
        return None;
    }
    if let Some(l) = verbs().lemmas.get(w) {
        return Some(Cow::Borrowed(*l));
    }
    let b = w.as_bytes();
    let n = b.len();
    if n > 4 && w.ends_with("ies") {
        return Some(Cow::Owned(format!("{}y", &w[..n - 3])));
    }
    if n > 3 && b[n - 1] == b's' && !matches!(b[n - 2], b's' | b'u' | b'i') {
        return Some(Cow::Borrowed(&w[..n - 1]));
    }
    Some(Cow::Borrowed(w))
}

/// The lower-case ASCII words of `s` with their byte offsets.
fn words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
}

impl Profiles {
    pub(crate) fn build(g: &Glossary) -> Profiles {
        let mut ids: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut of: Vec<Box<[u32]>> = Vec::with_capacity(g.concepts().len());
        let mut df: Vec<u32> = Vec::new();
        let mut seen = FxHashSet::default();
        for c in g.concepts() {
            seen.clear();
            let mut add = |s: &str| {
                for (_, w) in words(s) {
                    let lower = w.to_ascii_lowercase();
                    let Some(b) = base_form(&lower) else {
                        continue;
                    };
                    let next = ids.len() as u32;
                    let id = *ids.entry(Box::<str>::from(b)).or_insert(next);
                    if id as usize == df.len() {
                        df.push(0);
                    }
                    seen.insert(id);
                }
            };
            for side in [&c.it, &c.marketing].into_iter().flatten() {
                add(&side.definition);
                for t in &side.terms {
                    add(&t.text);
                }
            }
            for t in c.tags.iter().chain(&c.cues) {
                add(t);
            }
            if let Some(n) = &c.note {
                add(n);
            }
            let mut v: Vec<u32> = seen.iter().copied().collect();
            v.sort_unstable();
            for &id in &v {
                df[id as usize] += 1;
            }
            of.push(v.into_boxed_slice());
        }
        let n = g.concepts().len().max(1) as f32;
        let weight: Vec<f32> = df
            .iter()
            .map(|&d| {
                if d as f32 > (n * MAX_SHARE).max(2.0) {
                    0.0
                } else {
                    (n / d as f32).ln()
                }
            })
            .collect();
        Profiles { ids, weight, of }
    }

    /// The profile words `text` shows, ready to weigh evidence for any concept.
    pub(crate) fn document<'p>(&'p self, text: &str) -> Document<'p> {
        let mut words_at = Vec::new();
        let mut buf = String::new();
        for (at, w) in words(text) {
            if w.len() < 3 || w.len() > 24 {
                continue;
            }
            buf.clear();
            buf.extend(w.chars().map(|c| c.to_ascii_lowercase()));
            let Some(b) = base_form(&buf) else { continue };
            if let Some(&id) = self.ids.get(&*b) {
                if self.weight[id as usize] > 0.0 {
                    words_at.push((at, id));
                }
            }
        }
        let present = words_at.iter().map(|&(_, id)| id).collect();
        Document {
            profiles: self,
            words: words_at,
            present,
            whole: std::cell::RefCell::default(),
        }
    }

    /// The word ids of `s`'s words (a mention's own words, left out of its evidence).
    pub(crate) fn ids_of(&self, s: &str) -> Vec<u32> {
        words(s)
            .filter_map(|(_, w)| {
                let lower = w.to_ascii_lowercase();
                base_form(&lower).and_then(|b| self.ids.get(&*b).copied())
            })
            .collect()
    }
}

/// A text read against the profiles: its profile words in text order, the set of them, and
/// each concept's whole-text evidence once computed.
pub(crate) struct Document<'p> {
    profiles: &'p Profiles,
    /// (byte offset, word id), in text order.
    words: Vec<(usize, u32)>,
    present: FxHashSet<u32>,
    whole: std::cell::RefCell<FxHashMap<ConceptId, f32>>,
}

impl Document<'_> {
    /// The evidence the text gives for `concept` at the span `[start, end)`: the weight of each
    /// distinct profile word the text shows, and [`PASSAGE_WEIGHT`] times that for those within
    /// the passage; `own` (the mention's own words) left out. Linear in the profile and the
    /// passage, whatever the text's length.
    pub(crate) fn evidence(
        &self,
        concept: ConceptId,
        start: usize,
        end: usize,
        own: &[u32],
    ) -> f32 {
        let p = self.profiles;
        let profile = &p.of[concept.index()];
        let present = &self.present;
        let whole = *self.whole.borrow_mut().entry(concept).or_insert_with(|| {
            profile
                .iter()
                .filter(|id| present.contains(id))
                .map(|&id| p.weight[id as usize])
                .sum()
        });
        let mine: f32 = own
            .iter()
            .filter(|id| profile.binary_search(id).is_ok() && present.contains(id))
            .map(|&id| p.weight[id as usize])
            .sum();
        let lo = self
            .words
            .partition_point(|&(at, _)| at < start.saturating_sub(PASSAGE_BYTES));
        let hi = self
            .words
            .partition_point(|&(at, _)| at < end + PASSAGE_BYTES);
        let mut near: Vec<u32> = self.words[lo..hi]
            .iter()
            .filter(|&&(at, id)| {
                !(start..end).contains(&at)
                    && !own.contains(&id)
                    && profile.binary_search(&id).is_ok()
            })
            .map(|&(_, id)| id)
            .collect();
        near.sort_unstable();
        near.dedup();
        let passage: f32 = near.iter().map(|&id| p.weight[id as usize]).sum();
        (whole - mine).max(0.0) + (PASSAGE_WEIGHT - 1.0) * passage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_forms() {
        assert_eq!(base_form("deployed").as_deref(), Some("deploy"));
        assert_eq!(base_form("journalists").as_deref(), Some("journalist"));
        assert_eq!(base_form("companies").as_deref(), Some("company"));
        assert_eq!(base_form("the"), None);
        assert_eq!(base_form("with"), None);
        assert_eq!(base_form("status").as_deref(), Some("status"));
    }
}
