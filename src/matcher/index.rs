//! The compiled index of a glossary: what the matcher consults for every token.
//!
//! - a vocabulary of the folded words of all terms (`WordId`s);
//! - a trie over word sequences (with the separator each step needs; the root's edges are an
//!   array) whose nodes list the terms ending there;
//! - a deletion index (SymSpell, [`super::deletions`]) proposing fuzzy candidates for words not
//!   in the vocabulary, verified by a bounded optimal-string-alignment distance ([`osa_within`]);
//! - joined forms ("clickthrough" for "click through"), cues for ambiguous mentions, tag ids;
//! - a bit filter of split points (prefix hash and next two bytes of fuzzy words and their
//!   plurals) in front of the joined-word look-up of two tokens;
//! - the *wanted* filters: every string a token must be to take a step or play a part in a cue
//!   phrase (the lexicon, every plural form of every vocabulary word, cue words and the forms of
//!   last cue words), and for exact-only matching a smaller one without what only typos and split
//!   or joined words use (joined forms, plurals of words that end no term).
//!
//! The *lexicon* gives an id to every string a token may be: its first ids are the vocabulary (a
//! word's lexicon id is its `WordId`, and the word texts live there), then joined forms and the
//! forms of cues' first words; joined pairs and cue lists are read by lexicon id
//! (`list[at[l]..at[l + 1]]`), computed at build time by the rules `find.rs` would otherwise
//! apply per token. One probe per token answers all three.
//!
//! Sized for 100,000 concepts: texts stored once in buffers, per-node/per-key lists as slices of
//! one `Vec`, tables of ids (`hashbrown::HashTable`), the deletion index built first (before the
//! other tables, which keeps the build's peak memory low).
//!
//! Built once per glossary by the passes of `IndexBuilder` (see [`Index::build`]); read-only
//! afterwards.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};

use super::deletions;
use super::ids::{ConceptId, TermId};
use super::lexicon::{common_words, everyday_words, hash_str, Bloom, StrTable};
use super::normalize::{cue_forms, fold, is_acronym, letters, nfkc_keep_case};
use super::tokens::{tokenize, Sep, Tokens};
use crate::glossary::{Glossary, Side};

pub(crate) use super::ids::WordId;

/// One term of one side of one concept.
#[derive(Debug)]
pub(crate) struct TermInfo {
    /// The concept in the glossary.
    pub concept: ConceptId,
    pub side: Side,
    /// Index of the term within its side (0 = preferred): its text is the glossary's
    /// (see [`Index::term_text`]), not copied here.
    pub index: u16,
    /// For case-sensitive terms (acronyms, overrides), the form the text must show: its
    /// number in [`Index::case_form`]. Kept out of line, as few terms have one.
    case_form: Option<u32>,
    /// May match with edits.
    pub fuzzy: bool,
    /// Letters and digits in the term: the fuzzy score's denominator.
    pub letters: u32,
    /// Index into [`Index::keys`]: the folded term, shared by equal terms of any concept.
    pub key: u32,
    /// What sense resolution needs to know of the term ([`super::senses`]).
    pub sense: super::senses::TermSense,
}

impl std::ops::Index<TermId> for Vec<TermInfo> {
    type Output = TermInfo;

    fn index(&self, t: TermId) -> &TermInfo {
        &self[t.index()]
    }
}

impl std::ops::IndexMut<TermId> for Vec<TermInfo> {
    fn index_mut(&mut self, t: TermId) -> &mut TermInfo {
        &mut self[t.index()]
    }
}

/// What is known of one folded term text across the glossary.
#[derive(Debug, Default)]
pub(crate) struct KeyInfo {
    /// On the IT side of one concept and the marketing side of another.
    pub false_friend: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct WordInfo {
    /// May end a term (so its plural is accepted).
    pub last: bool,
    /// Edits tolerated when the word is matched fuzzily (0, 1 or 2).
    pub max_edits: u8,
}

/// Cue phrases of one concept, keyed by their first folded word.
#[derive(Debug)]
pub(crate) struct Cue {
    pub rest: Vec<Box<str>>,
    pub concept: ConceptId,
    /// A phrase, or a word that is not everyday English ("salesforce", not "stage"): evidence
    /// even far from the mention (see `Evidence::in_text`).
    pub distinct: bool,
}

/// The compiled glossary.
///
/// Sized for 100,000-concept glossaries: strings are stored once (word and key texts in one
/// buffer each), and lists per trie node, key or joined form are slices of one `Vec`
/// (`list[at[i]..at[i + 1]]`) rather than a `Vec` each.
#[derive(Debug)]
pub(crate) struct Index {
    pub terms: Vec<TermInfo>,
    pub keys: Vec<KeyInfo>,
    pub words: Vec<WordInfo>,
    edges: FxHashMap<u64, u32>,
    /// The root's children by word (after a space; 0 = none): the first step of every walk
    /// is an array read.
    root: Vec<u32>,
    /// The *lexicon*: every folded string a token may need to be looked up as. Its first
    /// `words.len()` ids are the vocabulary (a word's id is its `WordId`); then come joined
    /// forms and forms of cue words. What a string stands for is read by its id: its pairs
    /// (`pair_list[pair_at[l]..pair_at[l + 1]]`) and its cue lists (`cue_refs`, likewise).
    lex: StrTable,
    cue_at: Vec<u32>,
    cue_refs: Vec<u32>,
    /// Cue phrases by first word, in the order of `cue_refs`' ids.
    cue_lists: Vec<Vec<Cue>>,
    /// Every folded string a token must be for it to take a step, start a cue phrase or
    /// continue one: the lexicon, the plural forms of vocabulary words, and cue words with
    /// the forms of last cue words. A token it rules out can only matter as a typo or as half
    /// of a split word (see `find::steps`).
    wanted: Bloom,
    /// What exact-only matching looks tokens up as: `wanted` without what only typos and
    /// split or joined words use (the joined forms of term word pairs, the plural forms of
    /// words that end no term), so about half the strings in about half the memory.
    wanted_exact: Bloom,
    /// Tag ids of every concept (equal tags, equal ids).
    concept_tags: Vec<Box<[u32]>>,
    /// What each concept's glossary entry says, for weighing senses (built at first use:
    /// most texts never need it, and a 100,000-concept build need not wait for it).
    profiles: std::sync::OnceLock<super::profile::Profiles>,
    /// Terms ending at trie node `n`: `terminal_list[terminal_at[n]..terminal_at[n + 1]]`.
    terminal_at: Vec<u32>,
    terminal_list: Vec<TermId>,
    /// The deletion index: the words of every deletion variant's hash (one `u32` per
    /// (variant, word), read in one cache line). A hash collision only costs a verification:
    /// every candidate is checked by edit distance.
    deletions: deletions::Table,
    /// Shortest and longest fuzzy word, in chars: a cheap bound before candidate generation.
    fuzzy_len: (usize, usize),
    /// Longest fuzzy word in bytes, a bitset of the first two bytes of fuzzy words, and, for
    /// glossaries of up to [`SPLIT_FILTER_MAX`] split points, a finer filter: a bit per
    /// [`split_bit`] of every (prefix, next two bytes) of every fuzzy word and of the plural
    /// forms of those that end a term. A token pair can only be the split form of a word if
    /// it passes all three.
    split_max: usize,
    split_first: Box<[u64]>,
    split_bits: Box<[u64]>,
    /// Term word pairs by the lexicon id of the form they join to ("clickthrough").
    pair_at: Vec<u32>,
    pair_list: Vec<(WordId, WordId)>,
    /// Keys (indices into [`Index::keys`]) hashed by their folded text, for look-ups.
    by_key_text: HashTable<u32>,
    /// The folded text of key `k`: `key_text[key_text_at[k]..key_text_at[k + 1]]`.
    key_text: String,
    key_text_at: Vec<u32>,
    /// Terms of key `k`, in term order: `key_term_list[key_term_at[k]..key_term_at[k + 1]]`.
    key_term_at: Vec<u32>,
    key_term_list: Vec<TermId>,
    /// Case forms of case-sensitive terms: form `i` is
    /// `case_forms[case_form_at[i]..case_form_at[i + 1]]`.
    case_forms: String,
    case_form_at: Vec<u32>,
    /// How many tokens after its first a walk or a cue phrase may read: a term of `n` words
    /// spans at most `2n` tokens (a word split in two), a cue phrase its words, and the steps
    /// of a token read the next one.
    pub span: usize,
}

/// Groups `(group, item)` records by group, keeping their order within a group (a stable
/// counting sort): `list[at[g]..at[g + 1]]` are the items of group `g`.
fn group<T: Copy>(groups: usize, records: &[(u32, T)]) -> (Vec<u32>, Vec<T>) {
    let mut at = vec![0u32; groups + 1];
    for &(g, _) in records {
        at[g as usize + 1] += 1;
    }
    for g in 0..groups {
        at[g + 1] += at[g];
    }
    let mut fill = at.clone();
    let mut list = Vec::with_capacity(records.len());
    // Every slot is written once below; `records[0]` only fills the vector to length.
    if let Some(&(_, first)) = records.first() {
        list.resize(records.len(), first);
    }
    for &(g, item) in records {
        list[fill[g as usize] as usize] = item;
        fill[g as usize] += 1;
    }
    (at, list)
}

/// Group `g` of the `(at, list)` of [`group`]: `list[at[g]..at[g + 1]]`, empty past the end
/// of `at` (see [`trim_empty_tail`]).
#[inline]
fn grouped<'a, T>(at: &[u32], list: &'a [T], g: u32) -> &'a [T] {
    match (at.get(g as usize), at.get(g as usize + 1)) {
        (Some(&a), Some(&b)) => &list[a as usize..b as usize],
        _ => &[],
    }
}

/// `at` of [`group`] without its trailing empty groups (read with [`grouped`], which treats
/// groups past the end as empty): most lexicon ids have no pairs or cues, and the last ones
/// (cue forms, joined forms) often none of one kind.
fn trim_empty_tail(mut at: Vec<u32>) -> Vec<u32> {
    while at.len() >= 2 && at[at.len() - 2] == at[at.len() - 1] {
        at.pop();
    }
    if at.len() < 2 {
        at.clear();
    }
    at.shrink_to_fit();
    at
}

/// Item `i` of strings stored one after the other in `text`, ending at `at[i + 1]`.
fn slice<'a>(text: &'a str, at: &[u32], i: usize) -> &'a str {
    &text[at[i] as usize..at[i + 1] as usize]
}

/// A word id and the separator before it in one `u32` (word ids stay below 2^30: each is a word
/// of a term, and glossaries are loaded into memory whole).
fn pack_word(id: WordId, sep: Sep) -> u32 {
    id << 2
        | match sep {
            Sep::None => 0,
            Sep::Space => 1,
            Sep::Break => 2,
        }
}

fn unpack_word(w: u32) -> (WordId, Sep) {
    let sep = match w & 3 {
        0 => Sep::None,
        1 => Sep::Space,
        _ => Sep::Break,
    };
    (w >> 2, sep)
}

/// Is the term case-sensitive (set so, or an acronym), and may it match with edits (no
/// `fuzzy = false`, not case-sensitive)?
fn term_flags(term: &crate::glossary::Term) -> (bool, bool) {
    let case_sensitive = term
        .case_sensitive
        .unwrap_or_else(|| is_acronym(&term.text));
    (
        case_sensitive,
        term.fuzzy.unwrap_or(true) && !case_sensitive,
    )
}

fn str_hash(s: &str) -> u64 {
    FxBuildHasher.hash_one(s)
}

/// Multiplier of the polynomial hash of [`hash_bytes`] (odd).
const POLY: u64 = 0x9E37_79B9_7F4A_7C15;

/// The polynomial `Σ (b[k] + 1) · POLY^(len-1-k)` (wrapping): a deletion variant's value is
/// computed from prefix values in O(1), see [`deletion_hashes`].
fn poly(s: &[u8]) -> u64 {
    s.iter().fold(0u64, |h, &b| {
        h.wrapping_mul(POLY).wrapping_add(u64::from(b) + 1)
    })
}

/// Spreads the bits of a polynomial value (the murmur3 finaliser): the directory takes the
/// high bits.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

fn hash_bytes(s: &[u8]) -> u64 {
    mix(poly(s))
}

/// The most deletion hashes [`Index::build`] holds between the two passes of the deletion
/// table's build (8 bytes each: 32 MB); beyond, they are made again in the second pass.
const HELD_HASHES_MAX: usize = 1 << 22;

/// Longest ASCII word whose deletion hashes take the O(1)-per-variant path.
const POLY_MAX: usize = 64;

/// Hashes of all strings made by deleting up to `max` chars of `w` (including `w`), sorted
/// and deduplicated: the same set as [`deletions`] hashed with [`hash_bytes`], without
/// building the variants (each variant's polynomial comes from prefix values).
pub(crate) fn deletion_hashes(w: &str, max: u8, out: &mut Vec<u64>, strings: &mut Vec<String>) {
    deletion_hashes_unsorted(w, max, out, strings);
    out.sort_unstable();
    out.dedup();
}

/// [`deletion_hashes`] in no particular order and possibly repeated (the fuzzy look-up, where
/// a repeat only finds candidates again, which it skips).
fn deletion_hashes_unsorted(w: &str, max: u8, out: &mut Vec<u64>, strings: &mut Vec<String>) {
    out.clear();
    if poly_path(w, max) {
        deletion_hashes_raw(w.as_bytes(), max, out);
    } else {
        deletions(w, max, strings);
        out.extend(strings.iter().map(|v| hash_bytes(v.as_bytes())));
    }
}

/// Whether the deletion hashes of `w` up to `max` edits are computed from prefix polynomials
/// ([`deletion_hashes_raw`]) rather than from the variants themselves.
fn poly_path(w: &str, max: u8) -> bool {
    w.is_ascii() && max <= 2 && w.len() <= POLY_MAX
}

/// The hashes of [`deletion_hashes`] for an ASCII word of at most [`POLY_MAX`] bytes and
/// `max` ≤ 2, unsorted and with repeats (deleting either `t` of "letter" gives one variant).
fn deletion_hashes_raw(b: &[u8], max: u8, out: &mut Vec<u64>) {
    out.clear();
    let n = b.len();
    // pre[k] = poly(b[..k]), pw[k] = POLY^k.
    let mut pre = [0u64; POLY_MAX + 1];
    let mut pw = [1u64; POLY_MAX + 1];
    for k in 0..n {
        pre[k + 1] = pre[k].wrapping_mul(POLY).wrapping_add(u64::from(b[k]) + 1);
        pw[k + 1] = pw[k].wrapping_mul(POLY);
    }
    // poly(b[a..e])
    let part = |a: usize, e: usize| pre[e].wrapping_sub(pre[a].wrapping_mul(pw[e - a]));
    out.push(mix(pre[n]));
    if max >= 1 {
        for i in 0..n {
            let h = pre[i]
                .wrapping_mul(pw[n - 1 - i])
                .wrapping_add(part(i + 1, n));
            out.push(mix(h));
        }
    }
    if max >= 2 {
        for i in 0..n {
            for j in i + 1..n {
                let h = pre[i]
                    .wrapping_mul(pw[j - i - 1])
                    .wrapping_add(part(i + 1, j))
                    .wrapping_mul(pw[n - 1 - j])
                    .wrapping_add(part(j + 1, n));
                out.push(mix(h));
            }
        }
    }
}

/// The set of [`deletion_hashes`] in no particular order, for building the index (where a
/// word's own entries may come in any order): duplicates are dropped with a small table
/// instead of a sort. `seen` is scratch space.
fn deletion_hash_set(w: &str, max: u8, out: &mut Vec<u64>, seen: &mut DedupTable) {
    if !poly_path(w, max) {
        let mut strings = Vec::new();
        deletion_hashes(w, max, out, &mut strings);
        return;
    }
    deletion_hashes_raw(w.as_bytes(), max, out);
    seen.dedup(out);
}

/// Stamped open-addressing set of hashes, cleared in O(1) per use. Kept over
/// `hashbrown::HashTable` (cleared per word, values as their own hash): with it, `Index::build`
/// on g10k took 16% more instructions (callgrind: 940M → 1,088M) and `bench_find`'s `build_s`
/// went 0.11 → 0.15 s (4 alternated runs, shared machine); see BENCHMARKS.md "Hash tables".
pub(crate) struct DedupTable {
    stamp: Vec<u32>,
    value: Vec<u64>,
    now: u32,
}

impl DedupTable {
    pub(crate) fn new() -> DedupTable {
        DedupTable {
            stamp: vec![0; 1 << 12],
            value: vec![0; 1 << 12],
            now: 0,
        }
    }

    /// Keeps the first of equal values, in order.
    fn dedup(&mut self, v: &mut Vec<u64>) {
        let mask = self.stamp.len() - 1;
        if v.len() * 2 > self.stamp.len() {
            v.sort_unstable();
            v.dedup();
            return;
        }
        self.now = self.now.wrapping_add(1);
        if self.now == 0 {
            self.stamp.fill(0);
            self.now = 1;
        }
        let mut kept = 0;
        for i in 0..v.len() {
            let h = v[i];
            let mut at = (h as usize) & mask;
            loop {
                if self.stamp[at] != self.now {
                    self.stamp[at] = self.now;
                    self.value[at] = h;
                    v[kept] = h;
                    kept += 1;
                    break;
                }
                if self.value[at] == h {
                    break;
                }
                at = (at + 1) & mask;
            }
        }
        v.truncate(kept);
    }
}

/// Most split points (bytes of fuzzy words and their plural forms) for which the index has a
/// prefix filter: its bitset stays within 128 KiB and its build cheap (a 100,000-concept
/// glossary has millions, where the filter would cost a tenth of a second of build and mostly
/// let pairs through anyway).
const SPLIT_FILTER_MAX: usize = 1 << 20;

fn split_key(a: u8, b: u8) -> usize {
    (usize::from(a) << 8) | usize::from(b)
}

/// Bit of a split filter of `2^bits` bits for a first part of hash `ha` followed by a part
/// `b` (its first two bytes count).
#[inline]
fn split_bit(ha: u64, b: &[u8], bits: u32) -> usize {
    let next = match b {
        [] => 0,
        [x] => u64::from(*x) | 0x1_0000,
        [x, y, ..] => u64::from(*x) | u64::from(*y) << 8,
    };
    let x = (ha ^ next.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x >> (64 - bits)) as usize
}

/// Calls `f` with `w` and, if `plurals`, every string whose singular (by
/// [`super::normalize::each_singular`]) may be `w`, built in `buf`.
fn each_form(w: &str, plurals: bool, buf: &mut String, mut f: impl FnMut(&str)) {
    f(w);
    if !plurals {
        return;
    }
    for suffix in ["s", "es"] {
        buf.clear();
        buf.push_str(w);
        buf.push_str(suffix);
        f(buf);
    }
    if let Some(b) = w.strip_suffix('y') {
        buf.clear();
        buf.push_str(b);
        buf.push_str("ies");
        f(buf);
    }
}

/// Calls `f` with every string `n` for which `cue_forms(n)` may give `c`: `c`, its plural
/// forms, `c` + "ing"/"ed", `c` without a final "e" + "ing"/"ed", and `c` + "d".
fn each_cue_form(c: &str, buf: &mut String, mut f: impl FnMut(&str)) {
    each_form(c, true, buf, &mut f);
    f(&format!("{c}ing"));
    f(&format!("{c}ed"));
    if let Some(b) = c.strip_suffix('e') {
        f(&format!("{b}ing"));
        f(&format!("{b}ed"));
        f(&format!("{c}d"));
    }
}

/// All strings made by deleting up to `max` chars of `w` (including `w`).
pub(crate) fn deletions(w: &str, max: u8, out: &mut Vec<String>) {
    out.clear();
    out.push(w.to_string());
    let mut frontier = vec![w.to_string()];
    for _ in 0..max {
        let mut next = Vec::new();
        for s in &frontier {
            let idx: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
            for (k, &i) in idx.iter().enumerate() {
                let j = idx.get(k + 1).copied().unwrap_or(s.len());
                let mut v = String::with_capacity(s.len());
                v.push_str(&s[..i]);
                v.push_str(&s[j..]);
                next.push(v);
            }
        }
        next.sort_unstable();
        next.dedup();
        out.extend(next.iter().cloned());
        frontier = next;
    }
    out.sort_unstable();
    out.dedup();
}

/// The optimal string alignment distance of `a` and `b` (`strsim::osa_distance`: edits and
/// swaps of neighbours, no substring edited twice), if it is at most `max`.
///
/// ASCII words, the usual case, lose their common prefix and suffix first (no optimal
/// alignment needs to edit them), so what is left to compare is a few bytes.
pub(crate) fn osa_within(a: &str, b: &str, max: usize) -> Option<usize> {
    const N: usize = 32;
    let (whole_a, whole_b) = (a, b);
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[p..], &b[p..]);
    let s = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - s], &b[..b.len() - s]);
    if !a.is_ascii() || !b.is_ascii() || b.len() >= N {
        // Other characters (the cut may be inside one), or long: the general algorithm.
        let d = strsim::osa_distance(whole_a, whole_b);
        return (d <= max).then_some(d);
    }
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let m = b.len();
    let mut two = [0usize; N];
    let mut prev = [0usize; N];
    let mut cur = [0usize; N];
    for (j, d) in prev.iter_mut().enumerate().take(m + 1) {
        *d = j;
    }
    for i in 0..a.len() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for j in 0..m {
            let cost = usize::from(a[i] != b[j]);
            let mut d = (cur[j] + 1).min(prev[j + 1] + 1).min(prev[j] + cost);
            if i > 0 && j > 0 && a[i] != b[j] && a[i] == b[j - 1] && b[j] == a[i - 1] {
                d = d.min(two[j - 1] + 1);
            }
            cur[j + 1] = d;
            row_min = row_min.min(d);
        }
        // Distances never fall from one row to the next.
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut two, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[m]).filter(|&d| d <= max)
}

/// Edits a term word tolerates: none under 5 letters, one for 5–8, two for 9+.
pub(crate) fn max_edits_for(word: &str) -> u8 {
    match letters(word) {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

fn sep_bit(g: Sep) -> u64 {
    u64::from(g != Sep::None)
}

/// A term split into folded tokens: `(folded, original, separator before)`.
pub(crate) fn term_tokens(text: &str) -> Vec<(String, String, Sep)> {
    let t: Tokens = tokenize(text, &[]);
    (0..t.len())
        .map(|i| {
            let tok = t.list[i];
            (
                t.norm(i).to_string(),
                text[tok.start..tok.end].to_string(),
                tok.sep,
            )
        })
        .collect()
}

/// The case-preserving form of a token sequence: tokens joined by one space where a separator was.
pub(crate) fn case_form<'a>(parts: impl Iterator<Item = (&'a str, Sep)>) -> String {
    let mut s = String::new();
    for (i, (p, g)) in parts.enumerate() {
        if i > 0 && g != Sep::None {
            s.push(' ');
        }
        s.push_str(&nfkc_keep_case(p));
    }
    s
}

/// Whether [`case_form`] of `parts` equals `want`, without building it.
pub(crate) fn case_form_is<'a>(parts: impl Iterator<Item = (&'a str, Sep)>, want: &str) -> bool {
    let mut rest = want;
    for (i, (p, g)) in parts.enumerate() {
        if i > 0 && g != Sep::None {
            let Some(r) = rest.strip_prefix(' ') else {
                return false;
            };
            rest = r;
        }
        let piece = if p.is_ascii() {
            std::borrow::Cow::Borrowed(p)
        } else {
            std::borrow::Cow::Owned(nfkc_keep_case(p))
        };
        let Some(r) = rest.strip_prefix(piece.as_ref()) else {
            return false;
        };
        rest = r;
    }
    rest.is_empty()
}

/// The scratch state of one [`Index::build`]: the index under construction and what its
/// passes hand to each other. Thrown away once the index is complete.
struct IndexBuilder<'g> {
    g: &'g Glossary,
    ix: Index,
    /// Scratch: the forms of one term ([`super::senses::term_forms`]).
    forms: Vec<String>,
    /// Every term's own forms, in lower case: a noun's verb form that is one of them is left
    /// to that term ([`super::senses::term_forms`]'s `taken`).
    taken: rustc_hash::FxHashSet<String>,
    /// From the vocabulary to the terms pass: every form's words, each packed with the separator
    /// before it ([`pack_word`]); form `f`'s are `term_words[term_at[f]..term_at[f + 1]]`.
    /// Forms are numbered in glossary order (concept, side, term, form).
    term_words: Vec<u32>,
    term_at: Vec<u32>,
    /// From the terms pass to the joined pairs: the forms that may match fuzzily.
    fuzzy_forms: Vec<u32>,
    /// The trie node each term ends at, and how many nodes the trie has.
    term_nodes: Vec<(u32, TermId)>,
    nodes: u32,
    /// From the cues pass to the lexicon: cue phrases by first folded word.
    cues: FxHashMap<Box<str>, Vec<Cue>>,
}

impl Index {
    /// Compiles `g`: the passes of [`IndexBuilder`], in order.
    pub(crate) fn build(g: &Glossary) -> Index {
        let mut b = IndexBuilder::new(g);
        b.vocabulary();
        // Built before the other tables exist, the deletion index sets the build's peak memory
        // low.
        b.ix.build_deletions();
        b.terms_and_trie();
        b.joined_pairs();
        b.cues();
        b.key_facts();
        b.tags_and_root();
        let IndexBuilder { mut ix, cues, .. } = b;
        ix.build_lexicon(cues);
        ix.build_wanted();
        common_words(); // built once per process, before the first text needs it
        ix
    }

    /// An index with no terms yet, with room for `n_terms` terms and `n_concepts` concepts.
    fn empty(n_terms: usize, n_concepts: usize) -> Index {
        Index {
            terms: Vec::with_capacity(n_terms),
            keys: Vec::new(),
            words: Vec::new(),
            edges: FxHashMap::default(),
            root: Vec::new(),
            lex: StrTable::with_capacity(n_terms * 2),
            cue_at: Vec::new(),
            cue_refs: Vec::new(),
            cue_lists: Vec::new(),
            wanted: Bloom::with_capacity(0),
            wanted_exact: Bloom::with_capacity(0),
            concept_tags: Vec::with_capacity(n_concepts),
            profiles: std::sync::OnceLock::new(),
            terminal_at: Vec::new(),
            terminal_list: Vec::new(),
            deletions: deletions::Table::default(),
            fuzzy_len: (usize::MAX, 0),
            split_max: 0,
            split_first: vec![0u64; 1024].into_boxed_slice(),
            split_bits: Box::new([]),
            pair_at: Vec::new(),
            pair_list: Vec::new(),
            by_key_text: HashTable::new(),
            key_text: String::new(),
            key_text_at: vec![0],
            key_term_at: Vec::new(),
            key_term_list: Vec::new(),
            case_forms: String::new(),
            case_form_at: vec![0],
            span: 2,
        }
    }
}

impl<'g> IndexBuilder<'g> {
    fn new(g: &'g Glossary) -> IndexBuilder<'g> {
        let n_terms = g
            .concepts()
            .iter()
            .map(|c| matched_terms(c, Side::It).len() + matched_terms(c, Side::Marketing).len())
            .sum();
        let mut term_at = Vec::with_capacity(n_terms + 1);
        term_at.push(0);
        let mut forms = Vec::new();
        let mut taken = rustc_hash::FxHashSet::default();
        for c in g.concepts() {
            for side in Side::BOTH {
                for term in matched_terms(c, side) {
                    let own = super::senses::term_forms(term, |_| true, &mut forms);
                    taken.extend(forms[..own].iter().map(|f| f.to_lowercase()));
                }
            }
        }
        IndexBuilder {
            g,
            ix: Index::empty(n_terms, g.concepts().len()),
            forms,
            taken,
            term_words: Vec::new(),
            term_at,
            fuzzy_forms: Vec::new(),
            term_nodes: Vec::with_capacity(n_terms),
            nodes: 1,
            cues: FxHashMap::default(),
        }
    }

    /// **Vocabulary.** Every word of every form of every term gets a `WordId` (its lexicon id:
    /// only words enter the lexicon in this pass), with whether it ends a term and the edits
    /// it tolerates. Out: `ix.words`, `term_words`/`term_at` (so that the terms pass tokenizes
    /// only case-sensitive terms again), `ix.span`.
    fn vocabulary(&mut self) {
        let ix = &mut self.ix;
        for c in self.g.concepts() {
            for side in Side::BOTH {
                for term in matched_terms(c, side) {
                    let taken = |f: &str| self.taken.contains(f);
                    super::senses::term_forms(term, taken, &mut self.forms);
                    for form in &self.forms {
                        let toks = tokenize(form, &[]);
                        let n = toks.len();
                        ix.span = ix.span.max(2 * n + 2);
                        let (_, fuzzy) = term_flags(term);
                        for i in 0..n {
                            let f = toks.norm(i);
                            let id = ix.word_id(f);
                            let w = &mut ix.words[id as usize];
                            if i + 1 == n {
                                w.last = true;
                            }
                            if fuzzy {
                                w.max_edits = w.max_edits.max(max_edits_for(f));
                            }
                            self.term_words.push(pack_word(id, toks.list[i].sep));
                        }
                        self.term_at.push(self.term_words.len() as u32);
                    }
                }
            }
        }
        ix.words.shrink_to_fit();
    }

    /// The words of form `f` (see [`IndexBuilder::term_words`]), into `out`.
    fn form_words(&self, f: usize, out: &mut Vec<(WordId, Sep)>) {
        out.clear();
        let words = &self.term_words[self.term_at[f] as usize..self.term_at[f + 1] as usize];
        out.extend(words.iter().map(|&w| unpack_word(w)));
    }

    /// **Terms and trie.** One [`TermInfo`] per form with words (a term's inflected forms
    /// after it), its key (equal folded texts share one), its case form, and its path in the
    /// trie. Out: `ix.terms`, `ix.keys`, `ix.by_key_text`, `ix.case_forms`, `ix.edges`, and
    /// the terminal lists. Invariant: a term's id is its place in glossary order.
    fn terms_and_trie(&mut self) {
        let mut key_hashes: Vec<u64> = Vec::new();
        let mut words: Vec<(WordId, Sep)> = Vec::new();
        let mut folded = String::new();
        let mut next_form = 0;
        let g = self.g;
        for (ci, c) in g.concepts().iter().enumerate() {
            for side in Side::BOTH {
                for (ti, term) in matched_terms(c, side).iter().enumerate() {
                    let mut forms = std::mem::take(&mut self.forms);
                    let taken = |f: &str| self.taken.contains(f);
                    let own = super::senses::term_forms(term, taken, &mut forms);
                    for (fi, form) in forms.iter().enumerate() {
                        self.form_words(next_form, &mut words);
                        next_form += 1;
                        if words.is_empty() {
                            continue;
                        }
                        let ix = &mut self.ix;
                        folded.clear();
                        for (i, &(id, sep)) in words.iter().enumerate() {
                            if i > 0 && sep != Sep::None {
                                folded.push(' ');
                            }
                            folded.push_str(ix.word_text(id));
                        }
                        let key = ix.key_of(&folded, &mut key_hashes);
                        let (case_sensitive, fuzzy) = term_flags(term);
                        // An inflected form is matched as written, never fuzzily.
                        let fuzzy = fuzzy && fi == 0;
                        let case_form = case_sensitive.then(|| ix.add_case_form(form));
                        let tid = TermId::new(ix.terms.len());
                        ix.terms.push(TermInfo {
                            concept: ConceptId::new(ci),
                            side,
                            index: ti as u16,
                            case_form,
                            fuzzy,
                            letters: letters(form) as u32,
                            key,
                            sense: super::senses::TermSense::of(
                                term,
                                words.len(),
                                case_sensitive,
                                &folded,
                                fi >= own,
                            ),
                        });
                        let mut node = 0u32;
                        for (i, &(id, sep)) in words.iter().enumerate() {
                            let sep = if i == 0 { Sep::Space } else { sep };
                            let nodes = &mut self.nodes;
                            node = *ix.edges.entry(edge_key(node, id, sep)).or_insert_with(|| {
                                *nodes += 1;
                                *nodes - 1
                            });
                        }
                        self.term_nodes.push((node, tid));
                        if fuzzy {
                            self.fuzzy_forms.push(next_form as u32 - 1);
                        }
                    }
                    self.forms = forms;
                }
            }
        }
        let term_nodes = std::mem::take(&mut self.term_nodes);
        (self.ix.terminal_at, self.ix.terminal_list) = group(self.nodes as usize, &term_nodes);
    }

    /// **Joined pairs.** Every pair of neighbouring words of a fuzzy term, written together
    /// ("clickthrough" for "click through"), enters the lexicon; its lexicon id lists the
    /// pairs it joins. Out: `ix.pair_at`, `ix.pair_list`. Invariant: run after the
    /// vocabulary, so a word's lexicon id stays its `WordId`.
    fn joined_pairs(&mut self) {
        let mut pair_records: Vec<(u32, (WordId, WordId))> = Vec::new();
        // Per group its last record, per record the group's previous one.
        let mut pair_last: Vec<Option<u32>> = Vec::new();
        let mut pair_prev: Vec<Option<u32>> = Vec::new();
        let mut words: Vec<(WordId, Sep)> = Vec::new();
        let mut joined = String::new();
        for f in std::mem::take(&mut self.fuzzy_forms) {
            self.form_words(f as usize, &mut words);
            let ix = &mut self.ix;
            for i in 1..words.len() {
                let ((a, _), (b, sep)) = (words[i - 1], words[i]);
                let (ta, tb) = (ix.word_text(a), ix.word_text(b));
                if sep == Sep::Space
                    && letters(ta) > 0
                    && letters(tb) > 0
                    && letters(ta) + letters(tb) >= 5
                {
                    joined.clear();
                    joined.push_str(ta);
                    joined.push_str(tb);
                    // The group of a joined form is its lexicon id.
                    let g = ix.lex.insert(&joined).0;
                    if pair_last.len() <= g as usize {
                        pair_last.resize(g as usize + 1, None);
                    }
                    let pair = (a, b);
                    // The group's records so far, newest first (few share a joined form).
                    let mut r = pair_last[g as usize];
                    while let Some(at) = r.filter(|&at| pair_records[at as usize].1 != pair) {
                        r = pair_prev[at as usize];
                    }
                    if r.is_none() {
                        pair_prev.push(pair_last[g as usize]);
                        pair_last[g as usize] = Some(pair_records.len() as u32);
                        pair_records.push((g, pair));
                    }
                }
            }
        }
        let ix = &mut self.ix;
        (ix.pair_at, ix.pair_list) = group(ix.lex.len(), &pair_records);
        ix.pair_at = trim_empty_tail(std::mem::take(&mut ix.pair_at));
        self.term_words = Vec::new();
        self.term_at = Vec::new();
    }

    /// **Cues.** Each concept's cue phrases, by first folded word, with whether each is
    /// `distinct` (a phrase, or a word that is not everyday English). Out: `cues` (for the
    /// lexicon), `ix.span`.
    fn cues(&mut self) {
        for (ci, c) in self.g.concepts().iter().enumerate() {
            for cue in &c.cues {
                let toks = term_tokens(cue);
                self.ix.span = self.ix.span.max(toks.len() + 2);
                let distinct =
                    toks.len() > 1 || toks.iter().all(|(w, _, _)| !everyday_words().contains(w));
                if let Some(((first, _, _), rest)) = toks.split_first() {
                    self.cues
                        .entry(first.clone().into_boxed_str())
                        .or_default()
                        .push(Cue {
                            rest: rest
                                .iter()
                                .map(|(f, _, _)| f.clone().into_boxed_str())
                                .collect(),
                            concept: ConceptId::new(ci),
                            distinct,
                        });
                }
            }
        }
    }

    /// **Key facts.** Each key's terms (in term order), whether it is a false friend (on the
    /// IT side of one concept and the marketing side of another), and which everyday-word
    /// terms are generic: a term of several concepts, or of a concept that lists cues, needs
    /// evidence of its jargon sense (SPEC §3 "Senses").
    fn key_facts(&mut self) {
        let ix = &mut self.ix;
        let key_records: Vec<(u32, TermId)> = ix
            .terms
            .iter()
            .enumerate()
            .map(|(t, info)| (info.key, TermId::new(t)))
            .collect();
        (ix.key_term_at, ix.key_term_list) = group(ix.keys.len(), &key_records);
        drop(key_records);
        for k in 0..ix.keys.len() {
            let sides = ix.key_terms(k as u32);
            let of = |t: TermId| (ix.terms[t].concept, ix.terms[t].side);
            ix.keys[k].false_friend = sides.iter().any(|&a| {
                let (a, sa) = of(a);
                sides.iter().any(|&b| {
                    let (b, sb) = of(b);
                    a != b && sa != sb
                })
            });
        }
        for t in 0..ix.terms.len() {
            if !ix.terms[t].sense.everyday {
                continue;
            }
            let concept = ix.terms[t].concept;
            let shared_key = ix
                .key_terms(ix.terms[t].key)
                .iter()
                .any(|&o| ix.terms[o].concept != concept);
            let cued = !self.g.concepts()[concept].cues.is_empty();
            ix.terms[t].sense.generic = shared_key || cued;
        }
        ix.key_text.shrink_to_fit();
        ix.key_text_at.shrink_to_fit();
    }

    /// **Tags and root.** Tag ids per concept (equal tags, equal ids), and the trie root's
    /// children as an array by word.
    fn tags_and_root(&mut self) {
        let ix = &mut self.ix;
        let mut tag_ids: FxHashMap<&str, u32> = FxHashMap::default();
        for c in self.g.concepts() {
            let ids = c.tags.iter().map(|t| {
                let n = tag_ids.len() as u32;
                *tag_ids.entry(t.as_str()).or_insert(n)
            });
            ix.concept_tags.push(ids.collect());
        }
        ix.root = (0..ix.words.len())
            .map(|id| {
                let key = edge_key(0, id as WordId, Sep::Space);
                ix.edges.get(&key).copied().unwrap_or(0)
            })
            .collect();
    }
}

impl Index {
    /// The key of folded term text `folded`, added if new (`hashes`: each key's hash, for
    /// [`Index::by_key_text`]).
    fn key_of(&mut self, folded: &str, hashes: &mut Vec<u64>) -> u32 {
        let hash = str_hash(folded);
        let (kt, ka) = (&self.key_text, &self.key_text_at);
        let same = |&k: &u32| slice(kt, ka, k as usize) == folded;
        if let Some(&k) = self.by_key_text.find(hash, same) {
            return k;
        }
        let k = self.keys.len() as u32;
        self.keys.push(KeyInfo::default());
        self.key_text.push_str(folded);
        self.key_text_at.push(self.key_text.len() as u32);
        hashes.push(hash);
        self.by_key_text
            .insert_unique(hash, k, |&k| hashes[k as usize]);
        k
    }

    /// Adds the case form of case-sensitive term `form` ([`case_form`]); returns its number.
    fn add_case_form(&mut self, form: &str) -> u32 {
        let toks = tokenize(form, &[]);
        self.case_forms.push_str(&case_form(
            toks.list.iter().map(|t| (&form[t.start..t.end], t.sep)),
        ));
        self.case_form_at.push(self.case_forms.len() as u32);
        self.case_form_at.len() as u32 - 2
    }

    /// Completes the lexicon with the forms of cue words, computed here by the rules the
    /// matcher would otherwise apply per token (so a token needs one probe instead of several).
    fn build_lexicon(&mut self, cues: FxHashMap<Box<str>, Vec<Cue>>) {
        // Cue words: `c` is one of `cue_forms(n)` only if `n` is one of `each_cue_form(c)`.
        let mut cues: Vec<(Box<str>, Vec<Cue>)> = cues.into_iter().collect();
        cues.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let index: FxHashMap<&str, u32> = cues
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.as_ref(), i as u32))
            .collect();
        let mut done: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
        let mut records: Vec<(u32, u32)> = Vec::new();
        let mut buf = String::new();
        for (c, _) in &cues {
            let mut forms = Vec::new();
            each_cue_form(c, &mut buf, |f| forms.push(f.to_string()));
            for n in forms {
                if !done.insert(n.clone()) {
                    continue;
                }
                let refs = cue_forms(&n).filter_map(|f| index.get(f.as_ref()).copied());
                let refs: Vec<u32> = refs.collect();
                if refs.is_empty() {
                    continue;
                }
                let l = self.lex.insert(&n).0;
                records.extend(refs.into_iter().map(|r| (l, r)));
            }
        }
        drop(index);
        (self.cue_at, self.cue_refs) = group(self.lex.len(), &records);
        self.cue_at = trim_empty_tail(std::mem::take(&mut self.cue_at));
        self.cue_lists = cues.into_iter().map(|(_, list)| list).collect();
        self.lex.shrink_to_fit();
    }

    /// Fills [`Index::wanted`] and [`Index::wanted_exact`], from the strings the matcher
    /// looks tokens up as (so a token that is none of them can skip the look-ups).
    fn build_wanted(&mut self) {
        let mut buf = String::new();
        // Cue phrases compare the tokens after their first word as folded, and the last one
        // by `cue_forms`: as `build_lexicon`, its forms.
        let mut cue_words = Vec::new();
        for cue in self.cue_lists.iter().flatten() {
            cue_words.extend(cue.rest.iter().map(|w| hash_str(w.as_bytes())));
            if let Some(last) = cue.rest.last() {
                each_cue_form(last, &mut buf, |s| cue_words.push(hash_str(s.as_bytes())));
            }
        }
        let last_words = self.words.iter().filter(|w| w.last).count();
        let mut f = Bloom::with_capacity(self.lex.len() + 3 * self.words.len() + cue_words.len());
        let mut exact = Bloom::with_capacity(self.words.len() + 3 * last_words + cue_words.len());
        for l in 0..self.lex.len() as u32 {
            let h = hash_str(self.lex.key(l).as_bytes());
            f.insert(h);
            // Not the joined forms of word pairs, which only full mode looks up.
            if self.lex_word(l).is_some() || self.cues(l).next().is_some() {
                exact.insert(h);
            }
        }
        // Plurals: a token whose singular is a vocabulary word takes a plural step (the last
        // word of a term) and is no typo (the common-word guard, full mode only).
        for id in 0..self.words.len() {
            let last = self.words[id].last;
            each_form(self.word_text(id as WordId), true, &mut buf, |s| {
                let h = hash_str(s.as_bytes());
                f.insert(h);
                if last {
                    exact.insert(h);
                }
            });
        }
        for &h in &cue_words {
            f.insert(h);
            exact.insert(h);
        }
        self.wanted = f;
        self.wanted_exact = exact;
    }

    /// Whether a token folded to a string of [`hash_str`] `h` may be in the lexicon, a plural
    /// of a vocabulary word or a cue word (false: surely none of them); in `exact_only` mode,
    /// one of those exact-only matching looks up.
    #[inline]
    pub(crate) fn may_want(&self, h: u64, exact_only: bool) -> bool {
        self.wanted(exact_only).may_contain(h)
    }

    /// The filter of [`Index::may_want`].
    pub(crate) fn wanted(&self, exact_only: bool) -> &Bloom {
        if exact_only {
            &self.wanted_exact
        } else {
            &self.wanted
        }
    }

    /// The id of `w`, added to the vocabulary if new. Only words enter the lexicon until the
    /// vocabulary is complete, so a word's lexicon id is its `WordId`.
    fn word_id(&mut self, w: &str) -> WordId {
        let (id, new) = self.lex.insert(w);
        if new {
            self.words.push(WordInfo {
                last: false,
                max_edits: 0,
            });
        }
        id
    }

    /// The folded text of a word.
    pub(crate) fn word_text(&self, id: WordId) -> &str {
        self.lex.key(id)
    }

    /// The folded text of a key.
    pub(crate) fn key_text(&self, key: u32) -> &str {
        slice(&self.key_text, &self.key_text_at, key as usize)
    }

    /// The terms whose folded text is key `key`, in term order.
    pub(crate) fn key_terms(&self, key: u32) -> &[TermId] {
        grouped(&self.key_term_at, &self.key_term_list, key)
    }

    /// The terms whose folded text is `folded`, in term order.
    pub(crate) fn terms_with_key_text(&self, folded: &str) -> Option<&[TermId]> {
        self.by_key_text
            .find(str_hash(folded), |&k| self.key_text(k) == folded)
            .map(|&k| self.key_terms(k))
    }

    /// Every folded term text with its terms, in the look-up table's order (the order a
    /// `FxHashMap` keyed by the texts, filled in term order, iterates in: a test checks it).
    pub(crate) fn key_texts(&self) -> impl Iterator<Item = (&str, &[TermId])> {
        self.by_key_text
            .iter()
            .map(|&k| (self.key_text(k), self.key_terms(k)))
    }

    /// Term ids ordered by folded text, then term order: the prefix index of suggestions.
    pub(crate) fn terms_by_key_text(&self) -> Vec<TermId> {
        // Sorted by the first 8 bytes as a number first (zero-padded, so that number order
        // agrees with text order), the texts compared only on equal prefixes.
        let prefix = |k: u32| {
            let mut b = [0u8; 8];
            let t = self.key_text(k).as_bytes();
            let n = t.len().min(8);
            b[..n].copy_from_slice(&t[..n]);
            u64::from_be_bytes(b)
        };
        let mut keys: Vec<(u64, u32)> = (0..self.keys.len() as u32)
            .map(|k| (prefix(k), k))
            .collect();
        keys.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| self.key_text(a.1).cmp(self.key_text(b.1)))
        });
        keys.iter()
            .flat_map(|&(_, k)| self.key_terms(k).iter().copied())
            .collect()
    }

    /// Calls `f(word, hashes)` with the deletion hash set of every fuzzy word, in word order
    /// (the sets are made again on each call: holding them all would cost more memory than
    /// the index).
    fn each_deletion_set(&self, mut f: impl FnMut(WordId, &[u64])) {
        let (mut hashes, mut seen) = (Vec::new(), DedupTable::new());
        for (id, w) in self.words.iter().enumerate() {
            if w.max_edits == 0 {
                continue;
            }
            deletion_hash_set(
                self.word_text(id as WordId),
                w.max_edits,
                &mut hashes,
                &mut seen,
            );
            f(id as WordId, &hashes);
        }
    }

    fn build_deletions(&mut self) {
        let mut split_points = 0usize;
        for (id, w) in self.words.iter().enumerate() {
            if w.max_edits == 0 {
                continue;
            }
            let text = self.lex.key(id as u32);
            let n = text.chars().count();
            self.fuzzy_len.0 = self.fuzzy_len.0.min(n);
            self.fuzzy_len.1 = self.fuzzy_len.1.max(n);
            self.split_max = self.split_max.max(text.len());
            let b = text.as_bytes();
            if b.len() >= 2 {
                let k = split_key(b[0], b[1]);
                self.split_first[k / 64] |= 1 << (k % 64);
            }
            split_points += text.len() + if w.last { 6 } else { 0 };
        }
        if split_points <= SPLIT_FILTER_MAX {
            // A bit per split point (many are shared): few pairs pass by chance.
            let bits = split_points.max(4096).next_power_of_two();
            let mut split_bits = vec![0u64; bits / 64].into_boxed_slice();
            let bits = bits.trailing_zeros();
            let mut buf = String::new();
            for (id, w) in self.words.iter().enumerate() {
                if w.max_edits == 0 {
                    continue;
                }
                each_form(self.lex.key(id as u32), w.last, &mut buf, |f| {
                    let f = f.as_bytes();
                    for k in 1..f.len() {
                        let i = split_bit(hash_str(&f[..k]), &f[k..], bits);
                        split_bits[i / 64] |= 1 << (i % 64);
                    }
                });
            }
            self.split_bits = split_bits;
        }
        // The table is built in two passes over the entries. Each word's deletion hashes are
        // made (and deduplicated) in the first and held for the second when at most
        // `HELD_HASHES_MAX` of them can be made (a bound from the words' lengths): a glossary
        // of 10,000 concepts, about 2 million (16 MB, freed once the table is built), no longer
        // makes them twice (issue 33: g10k's `Index::build` 974 -> 850 million instructions);
        // a larger one makes them again rather than hold more memory than the table.
        let bound: usize = self
            .words
            .iter()
            .enumerate()
            .filter(|(_, w)| w.max_edits > 0)
            .map(|(id, w)| {
                let n = self.word_text(id as WordId).len();
                1 + n
                    + if w.max_edits > 1 {
                        n * n.saturating_sub(1) / 2
                    } else {
                        0
                    }
            })
            .sum();
        let held = std::cell::RefCell::new((bound <= HELD_HASHES_MAX).then(|| {
            (
                Vec::with_capacity(bound),
                Vec::with_capacity(self.words.len()),
            )
        }));
        let made = std::cell::Cell::new(false);
        let table = deletions::Table::build(self.words.len(), |sink| {
            if made.get() {
                if let Some((hashes, ends)) = held.borrow().as_ref() {
                    let mut at = 0;
                    for &(id, end) in ends {
                        for &h in &hashes[at..end] {
                            sink(h, id);
                        }
                        at = end;
                    }
                    return;
                }
            }
            let mut held = held.borrow_mut();
            self.each_deletion_set(|id, hashes| {
                for &h in hashes {
                    sink(h, id);
                }
                if let Some((all, ends)) = held.as_mut() {
                    all.extend_from_slice(hashes);
                    ends.push((id, all.len()));
                }
            });
            made.set(true);
        });
        drop(held);
        self.deletions = table;
    }

    /// The id of a folded word, if some term has it.
    pub(crate) fn word(&self, w: &str) -> Option<WordId> {
        self.lex_word(self.lex.get(w)?)
    }

    /// [`Index::word`] of the word whose bytes are `w` and whose [`hash_str`] is `h`.
    #[inline]
    pub(crate) fn word_hashed(&self, w: &[u8], h: u64) -> Option<WordId> {
        self.lex_word(self.lex.get_hashed(w, h)?)
    }

    /// The form the text must show for a case-sensitive term, if `t` is one.
    #[inline]
    pub(crate) fn case_form(&self, t: &TermInfo) -> Option<&str> {
        t.case_form
            .map(|i| slice(&self.case_forms, &self.case_form_at, i as usize))
    }

    /// The text of term `t` as written in `g`, the glossary this index was built from.
    pub(crate) fn term_text<'g>(&self, g: &'g Glossary, t: TermId) -> &'g str {
        let info = &self.terms[t];
        &g.concepts()[info.concept].terms(info.side)[usize::from(info.index)].text
    }

    /// The concepts' profiles ([`super::profile`]), built from `g` (this index's glossary)
    /// at first use.
    pub(crate) fn profiles(&self, g: &Glossary) -> &super::profile::Profiles {
        self.profiles
            .get_or_init(|| super::profile::Profiles::build(g))
    }

    /// Tag ids of concept `c`.
    pub(crate) fn tags(&self, c: ConceptId) -> &[u32] {
        &self.concept_tags[c.index()]
    }

    /// The lexicon id of a folded string's bytes, given their [`hash_str`].
    #[inline]
    pub(crate) fn lex_id_hashed(&self, s: &[u8], h: u64) -> Option<u32> {
        self.lex.get_hashed(s, h)
    }

    /// The vocabulary word lexicon entry `l` is, if it is one.
    #[inline]
    pub(crate) fn lex_word(&self, l: u32) -> Option<WordId> {
        ((l as usize) < self.words.len()).then_some(l)
    }

    /// Term word pairs lexicon entry `l` joins ("clickthrough" → click, through).
    pub(crate) fn pairs(&self, l: u32) -> &[(WordId, WordId)] {
        grouped(&self.pair_at, &self.pair_list, l)
    }

    /// Cue lists whose first word is a form of lexicon entry `l`.
    pub(crate) fn cues(&self, l: u32) -> impl Iterator<Item = &[Cue]> {
        grouped(&self.cue_at, &self.cue_refs, l)
            .iter()
            .map(|&i| self.cue_lists[i as usize].as_slice())
    }

    /// The trie node reached from `node` by `word` after `sep`.
    #[inline]
    pub(crate) fn child(&self, node: u32, word: WordId, sep: Sep) -> Option<u32> {
        if node == 0 && sep != Sep::None {
            // Node 0 is the root and never anyone's child, so 0 means none here.
            return Some(self.root[word as usize]).filter(|&c| c != 0);
        }
        self.edges.get(&edge_key(node, word, sep)).copied()
    }

    /// Terms ending at `node`.
    pub(crate) fn terminals(&self, node: u32) -> &[TermId] {
        grouped(&self.terminal_at, &self.terminal_list, node)
    }

    /// Words within their edit budget of `w`, with the number of edits. `w` is folded.
    pub(crate) fn fuzzy_words(&self, w: &str, out: &mut Vec<(WordId, u8)>, sc: &mut FuzzyScratch) {
        out.clear();
        if w.len() < 4 || self.deletions.is_empty() {
            return;
        }
        let n = w.chars().count();
        // A word within two edits differs in length by two at most.
        if n < 4 || n + 2 < self.fuzzy_len.0 || n > self.fuzzy_len.1 + 2 {
            return;
        }
        // Symmetric deletions: a word of 9+ chars (two edits allowed) within two edits of a
        // shorter query is reached with one deletion on the query side (the other edits are
        // deletions on the word's side), so only queries of 9+ chars need two.
        let depth = if n >= 9 { 2 } else { 1 };
        deletion_hashes_unsorted(w, depth, &mut sc.hashes, &mut sc.strings);
        for &h in &sc.hashes {
            self.deletions.prefetch(h);
        }
        for &h in &sc.hashes {
            self.deletions.each_match(h, |id| {
                if out.iter().any(|&(o, _)| o == id) {
                    return;
                }
                let info = &self.words[id as usize];
                let d = osa_within(w, self.word_text(id), usize::from(info.max_edits));
                if let Some(d) = d.filter(|&d| d > 0) {
                    out.push((id, d as u8));
                }
            });
        }
    }

    /// Could `a` (of [`hash_str`] `ha`) followed by `b` be the split form of a fuzzy word
    /// (`a + b` in the vocabulary, possibly as the plural of a term's last word)? A cheap
    /// necessary condition: the length, the first two bytes, and (where the index has the
    /// filter) `a` followed by the first two bytes of `b` is a split point of such a form.
    #[inline]
    pub(crate) fn may_split(&self, a: &[u8], ha: u64, b: &[u8]) -> bool {
        // +2: the plural ending of a split last word ("web hooks").
        if a.len() + b.len() > self.split_max + 2 || a.is_empty() || b.is_empty() {
            return false;
        }
        let (x, y) = if a.len() >= 2 {
            (a[0], a[1])
        } else {
            (a[0], b[0])
        };
        let k = split_key(x, y);
        if self.split_first[k / 64] & (1 << (k % 64)) == 0 {
            return false;
        }
        if self.split_bits.is_empty() {
            return true;
        }
        let bits = (self.split_bits.len() * 64).trailing_zeros();
        let i = split_bit(ha, b, bits);
        self.split_bits
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

/// Reusable buffers of [`Index::fuzzy_words`].
#[derive(Debug, Default)]
pub(crate) struct FuzzyScratch {
    hashes: Vec<u64>,
    strings: Vec<String>,
}

fn edge_key(node: u32, word: WordId, sep: Sep) -> u64 {
    (u64::from(node) << 33) | (u64::from(word) << 1) | sep_bit(sep)
}

/// Folds a phrase the way terms are folded (for look-ups and suggestions).
/// The terms of a concept that are matched: none for a draft (SPEC §8 `--propose`), whose
/// definitions are still to be written.
fn matched_terms(c: &crate::glossary::Concept, side: Side) -> &[crate::glossary::Term] {
    if c.draft {
        &[]
    } else {
        c.terms(side)
    }
}

pub(crate) fn fold_phrase(text: &str) -> String {
    term_tokens(text)
        .iter()
        .enumerate()
        .map(|(i, (f, _, g))| {
            if i > 0 && *g != Sep::None {
                format!(" {f}")
            } else {
                f.clone()
            }
        })
        .collect()
}

#[allow(dead_code)]
pub(crate) fn fold_word(w: &str) -> String {
    fold(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_form_is_agrees_with_case_form() {
        let cases: &[&[(&str, Sep)]] = &[
            &[("CI", Sep::Space), ("/", Sep::None), ("CD", Sep::None)],
            &[("A", Sep::Space), ("B", Sep::Space)],
            &[("Ｂ2Ｂ", Sep::Space)],
            &[],
        ];
        for parts in cases {
            let form = case_form(parts.iter().copied());
            assert!(case_form_is(parts.iter().copied(), &form), "{parts:?}");
            assert!(!case_form_is(parts.iter().copied(), &format!("{form}x")));
            assert!(!case_form_is(parts.iter().copied(), "ci/cd"));
        }
    }

    #[test]
    fn deletion_variants() {
        let mut v = Vec::new();
        deletions("abc", 1, &mut v);
        assert_eq!(v, vec!["ab", "abc", "ac", "bc"]);
        deletions("abcd", 2, &mut v);
        assert!(v.contains(&"ad".to_string()) && v.contains(&"abcd".to_string()));
    }

    #[test]
    fn deletion_hashes_match_deletions() {
        let (mut h, mut strings, mut v) = (Vec::new(), Vec::new(), Vec::new());
        for w in [
            "abc",
            "letter",
            "awareness",
            "aa",
            "café",
            "x",
            "",
            "deduplicationdeduplication",
        ] {
            for max in 0..=3 {
                deletions(w, max, &mut v);
                let mut want: Vec<u64> = v.iter().map(|s| hash_bytes(s.as_bytes())).collect();
                want.sort_unstable();
                want.dedup();
                deletion_hashes(w, max, &mut h, &mut strings);
                assert_eq!(h, want, "{w} {max}");
            }
        }
    }

    #[test]
    fn groups_keep_record_order() {
        let (at, list) = group(3, &[(2, 'a'), (0, 'b'), (2, 'c'), (0, 'd')]);
        assert_eq!(at, vec![0, 2, 2, 4]);
        assert_eq!(list, vec!['b', 'd', 'a', 'c']);
    }

    #[test]
    fn compact_tables_answer_like_maps() {
        let g = Glossary::embedded();
        let ix = Index::build(&g);
        for id in 0..ix.words.len() as WordId {
            assert_eq!(ix.word(ix.word_text(id)), Some(id));
        }
        assert_eq!(ix.word("no such word"), None);
        // Suggestions walk terms sorted by (folded text, term index).
        let mut want: Vec<(String, TermId)> = ix
            .key_texts()
            .flat_map(|(k, ts)| ts.iter().map(move |&t| (k.to_string(), t)))
            .collect();
        want.sort_unstable();
        let got = ix.terms_by_key_text();
        assert_eq!(got, want.iter().map(|&(_, t)| t).collect::<Vec<_>>());
        for (t, info) in ix.terms.iter().enumerate() {
            assert!(ix.key_terms(info.key).contains(&TermId::new(t)));
            assert!(ix
                .terms_with_key_text(ix.key_text(info.key))
                .is_some_and(|ts| ts.contains(&TermId::new(t))));
        }
        // Look-ups that fall back to scanning every key (`Matcher::lookup`) keep the order of
        // the map the keys used to be in.
        let mut map: FxHashMap<Box<str>, u32> = FxHashMap::default();
        for info in &ix.terms {
            map.entry(ix.key_text(info.key).into()).or_insert(info.key);
        }
        let want: Vec<&str> = map.keys().map(|k| k.as_ref()).collect();
        let got: Vec<&str> = ix.key_texts().map(|(k, _)| k).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn deletion_hash_sets_match_deletion_hashes() {
        let (mut want, mut strings, mut got) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen = DedupTable::new();
        for w in [
            "abc",
            "letter",
            "awareness",
            "aaaaaaaaaa",
            "café",
            "x",
            "",
            "abab",
        ] {
            for max in 0..=2 {
                deletion_hashes(w, max, &mut want, &mut strings);
                deletion_hash_set(w, max, &mut got, &mut seen);
                let mut sorted = got.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, want, "{w} {max}");
            }
        }
    }

    proptest::proptest! {
        /// [`osa_within`] is `strsim::osa_distance`, bounded.
        #[test]
        fn osa_within_is_osa_distance(
            a in "[abé]{0,7}",
            b in "[abé]{0,7}",
            long in "[ab]{30,40}",
            max in 0usize..4,
        ) {
            for (a, b) in [(a.as_str(), b.as_str()), (&long, b.as_str()), (a.as_str(), &long)] {
                let d = strsim::osa_distance(a, b);
                proptest::prop_assert_eq!(osa_within(a, b, max), (d <= max).then_some(d));
            }
        }
    }

    #[test]
    fn edit_budget() {
        assert_eq!(max_edits_for("cache"), 1);
        assert_eq!(max_edits_for("data"), 0);
        assert_eq!(max_edits_for("phishing"), 1);
        assert_eq!(max_edits_for("awareness"), 2);
    }
}
