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
use super::lexicon::{hash_str, StrTable};
use super::pos;
pub(crate) use super::verbs::{verb_entry, verb_forms, verb_of};
use crate::glossary::{Concept, Glossary};
use rustc_hash::FxHashMap;

/// Bytes either side of a mention that make its passage.
const PASSAGE_BYTES: usize = 400;
/// How much more a profile word in the passage weighs than one elsewhere in the document.
const PASSAGE_WEIGHT: f32 = 2.0;
/// A word in more than this share of the glossary's concepts says nothing about a sense.
const MAX_SHARE: f32 = 0.06;

/// The profiles of a glossary's concepts, built once with the index.
#[derive(Debug)]
pub(crate) struct Profiles {
    /// Per word id, its weight: ln(concepts / concepts whose profile holds it).
    weight: Vec<f32>,
    /// Per concept, its distinct word ids, sorted.
    of: Vec<Box<[u32]>>,
    /// Lower-case word as written → the id of its base form, for every written form whose
    /// base form ([`base_form`]) is a profile word of weight above zero: the verb forms,
    /// plurals and the word itself. [`Profiles::document`] reads a text's words with one probe
    /// each instead of a closed-class probe, a verb probe and an id probe (issue 33).
    /// (A table of strings in one arena, [`StrTable`]: a few bytes a form, where a map of boxed
    /// strings took about 60; the map from base forms to ids is not kept once this is built.)
    surface: StrTable,
    /// Per key of `surface`, the word id.
    surface_ids: Vec<u32>,
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
    if let Some(l) = verb_of(w) {
        return Some(Cow::Borrowed(l));
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

/// Every lower-case written form whose [`base_form`] is a word of `ids` with a weight above
/// zero, with that word's id (the table of [`Profiles::document`]). The forms that
/// [`base_form`] maps to a word `p` are `p` itself, `p` + "s", "…ies" for a `p` in "…y", and
/// the verb forms whose verb is `p`; each candidate is kept only when [`base_form`] gives
/// back `p`, so that a text's word is found here exactly when `base_form` then `ids` would
/// find it.
fn surface_forms(ids: &FxHashMap<Box<str>, u32>, weight: &[f32]) -> (StrTable, Vec<u32>) {
    let mut surface = StrTable::with_capacity(ids.len() * 2);
    let mut surface_ids = Vec::with_capacity(ids.len() * 2);
    let mut keep = |form: &str, word: &str, id: u32| {
        if base_form(form).is_some_and(|b| b == word) && surface.insert(form).1 {
            surface_ids.push(id);
        }
    };
    // The plural forms made in one buffer (a `format!` each before, issue 33).
    let mut form = String::new();
    for (word, &id) in ids {
        if weight[id as usize] <= 0.0 {
            continue;
        }
        keep(word, word, id);
        form.clear();
        form.push_str(word);
        form.push('s');
        keep(&form, word, id);
        if let Some(stem) = word.strip_suffix('y') {
            form.clear();
            form.push_str(stem);
            form.push_str("ies");
            keep(&form, word, id);
        }
    }
    for (form, verb) in super::verbs::every_form() {
        if let Some(&id) = ids.get(verb).filter(|&&id| weight[id as usize] > 0.0) {
            keep(form, verb, id);
        }
    }
    surface.shrink_to_fit();
    (surface, surface_ids)
}

/// The words of `s` ([`word_ranges`]), as written, with their byte offsets.
fn words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    word_ranges(s).map(move |(at, end)| (at, &s[at..end]))
}

/// The byte ranges of `s`'s words: runs of ASCII letters and digits, found on the bytes: every byte of a non-ASCII character is ≥ 0x80, so it separates words
/// as the character does.
fn word_ranges(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let at = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        (i > at).then_some((at, i))
    })
}

/// The words of `s` ([`word_ranges`]), each lowered into `lower` and handed to `f`.
pub(crate) fn each_lower_word(s: &str, lower: &mut String, mut f: impl FnMut(&str)) {
    for (at, end) in word_ranges(s) {
        lower.clear();
        lower.push_str(&s[at..end]);
        lower.make_ascii_lowercase();
        f(lower);
    }
}

/// The texts of what the glossary says about `c` that make its profile: its definitions and
/// terms on both sides, its tags, cues and note.
pub(crate) fn concept_texts(c: &Concept) -> impl Iterator<Item = &str> {
    [&c.it, &c.marketing]
        .into_iter()
        .flatten()
        .flat_map(|side| {
            std::iter::once(side.definition.as_str())
                .chain(side.terms.iter().map(|t| t.text.as_str()))
        })
        .chain(
            c.tags
                .iter()
                .chain(&c.cues)
                .chain(&c.note)
                .map(String::as_str),
        )
}

impl Profiles {
    /// The profiles of `g`'s concepts. Built at the first text with a word of several senses
    /// (in `broker translate` of a long text, within its time: issue 33). Words are read as
    /// bytes, and a concept's words collected, sorted and deduplicated in a vector (a hash
    /// set each before). (Arena tables, [`StrTable`], for the written and base forms were
    /// tried: their inserts cost more than the maps' look-ups, 232 → 259 million
    /// instructions on g10k.)
    pub(crate) fn build(g: &Glossary) -> Profiles {
        let mut ids: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut of: Vec<Box<[u32]>> = Vec::with_capacity(g.concepts().len());
        let mut df: Vec<u32> = Vec::new();
        let mut seen: Vec<u32> = Vec::new();
        let mut lower = String::new();
        // Lower-case written form → the id of its base form (`None`: no sense-bearing word),
        // each worked out once (a tagger and a verb look-up), boxed only when new.
        let mut known: FxHashMap<Box<str>, Option<u32>> = FxHashMap::default();
        for c in g.concepts() {
            seen.clear();
            let mut add = |s: &str| {
                each_lower_word(s, &mut lower, |w| {
                    let id = match known.get(w) {
                        Some(&id) => id,
                        None => {
                            let id = base_form(w).map(|b| match ids.get(b.as_ref()) {
                                Some(&id) => id,
                                None => {
                                    let next = ids.len() as u32;
                                    ids.insert(Box::<str>::from(b), next);
                                    next
                                }
                            });
                            known.insert(Box::from(w), id);
                            id
                        }
                    };
                    let Some(id) = id else {
                        return;
                    };
                    if id as usize == df.len() {
                        df.push(0);
                    }
                    seen.push(id);
                });
            };
            concept_texts(c).for_each(&mut add);
            seen.sort_unstable();
            seen.dedup();
            for &id in &seen {
                df[id as usize] += 1;
            }
            of.push(seen.as_slice().into());
        }
        drop(known);
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
        let (surface, surface_ids) = surface_forms(&ids, &weight);
        Profiles {
            weight,
            of,
            surface,
            surface_ids,
        }
    }

    /// The profile words `text` shows, ready to weigh evidence for any concept.
    pub(crate) fn document<'p>(&'p self, text: &str) -> Document<'p> {
        let mut words_at = Vec::new();
        let mut buf = [0u8; 24];
        let b = text.as_bytes();
        for (at, i) in word_ranges(text) {
            let n = i - at;
            if !(3..=24).contains(&n) {
                continue;
            }
            let lower = &mut buf[..n];
            lower.copy_from_slice(&b[at..i]);
            lower.make_ascii_lowercase();
            if let Some(id) = self.word_id(lower) {
                words_at.push((at, id));
            }
        }
        // A bit per profile word: a text's set of words is read once per concept weighed,
        // and a bit test costs less than a hash probe (issue 33).
        let mut present = vec![0u64; self.weight.len().div_ceil(64)];
        for &(_, id) in &words_at {
            present[id as usize / 64] |= 1 << (id % 64);
        }
        Document {
            profiles: self,
            words: words_at,
            present,
            whole: std::cell::RefCell::default(),
        }
    }

    /// The word ids of `s`'s words (a mention's own words, left out of its evidence). Words
    /// of weight zero are left out too: no text's evidence holds them
    /// ([`Profiles::document`] keeps only words that weigh), so leaving them out of a
    /// mention's own words changes no evidence.
    pub(crate) fn ids_of(&self, s: &str) -> Vec<u32> {
        words(s)
            .filter_map(|(_, w)| {
                let lower = w.to_ascii_lowercase();
                self.word_id(lower.as_bytes())
            })
            .collect()
    }

    /// The id of the profile word (of weight above zero) whose written form, in lower case,
    /// is `lower`.
    fn word_id(&self, lower: &[u8]) -> Option<u32> {
        let k = self.surface.get_hashed(lower, hash_str(lower))?;
        Some(self.surface_ids[k as usize])
    }
}

/// A text read against the profiles: its profile words in text order, the set of them, and
/// each concept's whole-text evidence once computed.
pub(crate) struct Document<'p> {
    profiles: &'p Profiles,
    /// (byte offset, word id), in text order.
    words: Vec<(usize, u32)>,
    /// The profile words the text shows, one bit per word id.
    present: Vec<u64>,
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
        let present = |id: &&u32| self.present[**id as usize / 64] & (1 << (**id % 64)) != 0;
        let whole = *self.whole.borrow_mut().entry(concept).or_insert_with(|| {
            profile
                .iter()
                .filter(present)
                .map(|&id| p.weight[id as usize])
                .sum()
        });
        let mine: f32 = own
            .iter()
            .filter(|id| profile.binary_search(id).is_ok() && present(id))
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
