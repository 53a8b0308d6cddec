//! The compiled index of a glossary: what the matcher consults for every token.
//!
//! - a vocabulary of the folded words of all terms (`WordId`s);
//! - a trie over word sequences (with the gap each step needs) whose nodes list the terms
//!   ending there;
//! - a deletion index (SymSpell) proposing fuzzy candidates for words not in the vocabulary;
//! - joined forms ("clickthrough" for "click through") and cues for ambiguous mentions.
//!
//! Built once per glossary; read-only afterwards.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::lexicon::StrTable;
use super::normalize::{cue_forms, fold, is_acronym, letters, nfkc_keep_case};
use super::tokens::{tokenize, Gap, Tokens};
use crate::glossary::{Glossary, Side};

pub(crate) type WordId = u32;

/// One term of one side of one concept.
#[derive(Debug)]
pub(crate) struct TermInfo {
    /// Index of the concept in the glossary.
    pub concept: u32,
    pub side: Side,
    /// Index of the term within its side (0 = preferred).
    #[allow(dead_code)]
    pub index: u16,
    /// The term as written in the glossary.
    pub text: String,
    /// For case-sensitive terms (acronyms, overrides): the form the text must show.
    pub case_form: Option<String>,
    /// May match with edits.
    pub fuzzy: bool,
    /// Letters and digits in the term: the fuzzy score's denominator.
    pub letters: u32,
    /// Index into [`Index::keys`]: the folded term, shared by equal terms of any concept.
    pub key: u32,
}

/// What is known of one folded term text across the glossary.
#[derive(Debug, Default)]
pub(crate) struct KeyInfo {
    /// On the IT side of one concept and the marketing side of another.
    pub false_friend: bool,
}

#[derive(Debug)]
pub(crate) struct WordInfo {
    pub text: Box<str>,
    /// May end a term (so its plural is accepted).
    pub last: bool,
    /// Edits tolerated when the word is matched fuzzily (0, 1 or 2).
    pub max_edits: u8,
}

/// What one folded string (a text token's form) stands for: the lexicon record of
/// [`Index::lex`]. Everything the matcher asks of a single token is answered by one probe.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lex {
    /// The vocabulary word, `u32::MAX` for none.
    word: u32,
    /// Term word pairs the string joins ("clickthrough").
    pairs: (u32, u32),
    /// Cue lists whose first word is a form of this string (see [`cue_forms`]), with
    /// repetition when several forms give the same word.
    cues: (u32, u32),
}

impl Lex {
    /// The vocabulary word this string is.
    pub(crate) fn word(&self) -> Option<WordId> {
        (self.word != u32::MAX).then_some(self.word)
    }
}

/// Cue phrases of one concept, keyed by their first folded word.
#[derive(Debug)]
pub(crate) struct Cue {
    pub rest: Vec<Box<str>>,
    pub concept: u32,
}

/// The compiled glossary.
#[derive(Debug)]
pub(crate) struct Index {
    pub terms: Vec<TermInfo>,
    pub keys: Vec<KeyInfo>,
    pub words: Vec<WordInfo>,
    /// Every folded string a token may need: vocabulary words, plurals of words, joined
    /// pairs, forms of cue words; [`Lex`] records by the table's ids.
    lex: StrTable,
    lex_info: Vec<Lex>,
    pair_list: Vec<(WordId, WordId)>,
    cue_refs: Vec<u32>,
    edges: FxHashMap<u64, u32>,
    /// The root's children by word (after a space; 0 = none): the first step of every walk
    /// is an array read.
    root: Vec<u32>,
    terminals: Vec<Vec<u32>>,
    /// The deletion index: one `u32` per (deletion variant, word), bucketed by the top
    /// `dir_bits` of the variant's hash (`deletion_dir[b]..deletion_dir[b + 1]`); an entry
    /// packs the next `32 - id_bits` bits of the hash above the word id. A hash collision only
    /// costs a verification: every candidate is checked by edit distance.
    deletions: Vec<u32>,
    deletion_dir: Vec<u32>,
    dir_bits: u32,
    id_bits: u32,
    /// Shortest and longest fuzzy word, in chars: a cheap bound before candidate generation.
    fuzzy_len: (usize, usize),
    /// Longest fuzzy word in bytes, and a bitset of the first two bytes of fuzzy words:
    /// a token pair can only be the split form of a word that passes both.
    split_max: usize,
    split_first: Box<[u64]>,
    pairs: FxHashMap<Box<str>, Vec<(WordId, WordId)>>,
    /// Cue phrases by first word (the build's map, emptied into `cue_lists`).
    cues: FxHashMap<Box<str>, Vec<Cue>>,
    pub cue_lists: Vec<Vec<Cue>>,
    /// Tag ids of every concept (equal tags, equal ids).
    concept_tags: Vec<Box<[u32]>>,
    /// Folded term text → term indices, for look-ups.
    pub by_key_text: FxHashMap<Box<str>, Vec<u32>>,
}

/// The built-in list of common English words (the fuzzy guard of SPEC §3).
pub(crate) fn common_words() -> &'static StrTable {
    static SET: OnceLock<StrTable> = OnceLock::new();
    SET.get_or_init(|| {
        let words = include_str!("common_words.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty());
        let mut t = StrTable::with_capacity(words.clone().count());
        for w in words {
            t.insert(w);
        }
        t.shrink_to_fit();
        t
    })
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

/// Longest ASCII word whose deletion hashes take the O(1)-per-variant path.
const POLY_MAX: usize = 64;

/// Hashes of all strings made by deleting up to `max` chars of `w` (including `w`), sorted
/// and deduplicated: the same set as [`deletions`] hashed with [`hash_bytes`], without
/// building the variants (each variant's polynomial comes from prefix values).
pub(crate) fn deletion_hashes(w: &str, max: u8, out: &mut Vec<u64>, strings: &mut Vec<String>) {
    out.clear();
    let b = w.as_bytes();
    let n = b.len();
    if !w.is_ascii() || max >= 3 || n > POLY_MAX {
        deletions(w, max, strings);
        out.extend(strings.iter().map(|v| hash_bytes(v.as_bytes())));
        out.sort_unstable();
        out.dedup();
        return;
    }
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
    out.sort_unstable();
    out.dedup();
}

fn split_key(a: u8, b: u8) -> usize {
    (usize::from(a) << 8) | usize::from(b)
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

/// Edits a term word tolerates: none under 5 letters, one for 5–8, two for 9+.
pub(crate) fn max_edits_for(word: &str) -> u8 {
    match letters(word) {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

fn gap_bit(g: Gap) -> u64 {
    u64::from(g != Gap::None)
}

/// A term split into folded tokens: `(folded, original, gap before)`.
pub(crate) fn term_tokens(text: &str) -> Vec<(String, String, Gap)> {
    let t: Tokens = tokenize(text, &[]);
    (0..t.len())
        .map(|i| {
            let tok = t.list[i];
            (
                t.norm(i).to_string(),
                text[tok.start..tok.end].to_string(),
                tok.gap,
            )
        })
        .collect()
}

/// The case-preserving form of a token sequence: tokens joined by one space where a gap was.
pub(crate) fn case_form<'a>(parts: impl Iterator<Item = (&'a str, Gap)>) -> String {
    let mut s = String::new();
    for (i, (p, g)) in parts.enumerate() {
        if i > 0 && g != Gap::None {
            s.push(' ');
        }
        s.push_str(&nfkc_keep_case(p));
    }
    s
}

/// Whether [`case_form`] of `parts` equals `want`, without building it.
pub(crate) fn case_form_is<'a>(parts: impl Iterator<Item = (&'a str, Gap)>, want: &str) -> bool {
    let mut rest = want;
    for (i, (p, g)) in parts.enumerate() {
        if i > 0 && g != Gap::None {
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

impl Index {
    pub(crate) fn build(g: &Glossary) -> Index {
        let mut ix = Index {
            terms: Vec::new(),
            keys: Vec::new(),
            words: Vec::new(),
            lex: StrTable::default(),
            lex_info: Vec::new(),
            pair_list: Vec::new(),
            cue_refs: Vec::new(),
            edges: FxHashMap::default(),
            root: Vec::new(),
            terminals: vec![Vec::new()],
            deletions: Vec::new(),
            deletion_dir: Vec::new(),
            dir_bits: 8,
            id_bits: 0,
            fuzzy_len: (usize::MAX, 0),
            split_max: 0,
            split_first: vec![0u64; 1024].into_boxed_slice(),
            pairs: FxHashMap::default(),
            cues: FxHashMap::default(),
            cue_lists: Vec::new(),
            concept_tags: Vec::with_capacity(g.concepts().len()),
            by_key_text: FxHashMap::default(),
        };
        let mut key_ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut key_sides: Vec<Vec<(u32, Side)>> = Vec::new();
        for (ci, c) in g.concepts().iter().enumerate() {
            for side in Side::BOTH {
                for (ti, term) in c.terms(side).iter().enumerate() {
                    let toks = term_tokens(&term.text);
                    if toks.is_empty() {
                        continue;
                    }
                    let folded = toks
                        .iter()
                        .enumerate()
                        .map(|(i, (f, _, g))| {
                            if i > 0 && *g != Gap::None {
                                format!(" {f}")
                            } else {
                                f.clone()
                            }
                        })
                        .collect::<String>();
                    let key = *key_ids.entry(folded.clone()).or_insert_with(|| {
                        ix.keys.push(KeyInfo::default());
                        key_sides.push(Vec::new());
                        (ix.keys.len() - 1) as u32
                    });
                    key_sides[key as usize].push((ci as u32, side));
                    let case_sensitive = term
                        .case_sensitive
                        .unwrap_or_else(|| is_acronym(&term.text));
                    let fuzzy = term.fuzzy.unwrap_or(true) && !case_sensitive;
                    let tid = ix.terms.len() as u32;
                    ix.terms.push(TermInfo {
                        concept: ci as u32,
                        side,
                        index: ti as u16,
                        text: term.text.clone(),
                        case_form: case_sensitive
                            .then(|| case_form(toks.iter().map(|(_, o, g)| (o.as_str(), *g)))),
                        fuzzy,
                        letters: letters(&term.text) as u32,
                        key,
                    });
                    ix.by_key_text
                        .entry(folded.into_boxed_str())
                        .or_default()
                        .push(tid);
                    let mut node = 0u32;
                    let n = toks.len();
                    let mut ids = Vec::with_capacity(n);
                    for (i, (f, _, g)) in toks.iter().enumerate() {
                        let id = ix.word_id(f);
                        let w = &mut ix.words[id as usize];
                        if i + 1 == n {
                            w.last = true;
                        }
                        if fuzzy {
                            w.max_edits = w.max_edits.max(max_edits_for(f));
                        }
                        ids.push(id);
                        let gap = if i == 0 { Gap::Space } else { *g };
                        node = ix.child_or_insert(node, id, gap);
                    }
                    ix.terminals[node as usize].push(tid);
                    if fuzzy {
                        for i in 1..n {
                            let (a, b) = (&toks[i - 1], &toks[i]);
                            if b.2 == Gap::Space && letters(&a.0) > 0 && letters(&b.0) > 0 {
                                let joined = format!("{}{}", a.0, b.0);
                                if letters(&joined) >= 5 {
                                    let e = ix.pairs.entry(joined.into_boxed_str()).or_default();
                                    if !e.contains(&(ids[i - 1], ids[i])) {
                                        e.push((ids[i - 1], ids[i]));
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for cue in &c.cues {
                let toks = term_tokens(cue);
                if let Some(((first, _, _), rest)) = toks.split_first() {
                    ix.cues
                        .entry(first.clone().into_boxed_str())
                        .or_default()
                        .push(Cue {
                            rest: rest
                                .iter()
                                .map(|(f, _, _)| f.clone().into_boxed_str())
                                .collect(),
                            concept: ci as u32,
                        });
                }
            }
        }
        for (k, sides) in key_sides.iter().enumerate() {
            ix.keys[k].false_friend = sides
                .iter()
                .any(|&(a, sa)| sides.iter().any(|&(b, sb)| a != b && sa != sb));
        }
        let mut tag_ids: FxHashMap<&str, u32> = FxHashMap::default();
        for c in g.concepts() {
            let ids = c.tags.iter().map(|t| {
                let n = tag_ids.len() as u32;
                *tag_ids.entry(t.as_str()).or_insert(n)
            });
            ix.concept_tags.push(ids.collect());
        }
        ix.root = vec![0; ix.words.len()];
        for (id, slot) in ix.root.iter_mut().enumerate() {
            if let Some(&c) = ix.edges.get(&edge_key(0, id as WordId, Gap::Space)) {
                *slot = c;
            }
        }
        ix.build_lexicon();
        ix.build_deletions();
        common_words(); // built once per process, before the first text needs it
        ix
    }

    fn word_id(&mut self, w: &str) -> WordId {
        let l = self.intern(w);
        if let Some(id) = self.lex_info[l as usize].word() {
            return id;
        }
        let id = self.words.len() as WordId;
        self.words.push(WordInfo {
            text: w.into(),
            last: false,
            max_edits: 0,
        });
        self.lex_info[l as usize].word = id;
        id
    }

    /// The lexicon id of `s`, adding an empty record if it is new.
    fn intern(&mut self, s: &str) -> u32 {
        let (l, new) = self.lex.insert(s);
        if new {
            self.lex_info.push(Lex {
                word: u32::MAX,
                ..Lex::default()
            });
        }
        l
    }

    /// Completes the lexicon once every term is in: joined pairs and the forms of cue words,
    /// computed here by the rules the matcher would otherwise apply per token (so a token needs
    /// one probe instead of several). Plurals are not stored: only tokens ending in "s" look
    /// their singulars up.
    fn build_lexicon(&mut self) {
        // Joined pairs.
        let pairs = std::mem::take(&mut self.pairs);
        for (k, v) in pairs {
            let l = self.intern(&k) as usize;
            let a = self.pair_list.len() as u32;
            self.pair_list.extend_from_slice(&v);
            self.lex_info[l].pairs = (a, self.pair_list.len() as u32);
        }
        // Cue words: `c` is one of `cue_forms(n)` only if `n` is `c`, a plural of `c`, `c` +
        // "ing"/"ed", `c` without a final "e" + "ing"/"ed", or `c` + "d".
        let mut cues: Vec<(Box<str>, Vec<Cue>)> =
            std::mem::take(&mut self.cues).into_iter().collect();
        cues.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let index: FxHashMap<&str, u32> = cues
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.as_ref(), i as u32))
            .collect();
        let mut done: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
        for (c, _) in &cues {
            let mut forms = vec![c.to_string(), format!("{c}s"), format!("{c}es")];
            if let Some(b) = c.strip_suffix('y') {
                forms.push(format!("{b}ies"));
            }
            forms.push(format!("{c}ing"));
            forms.push(format!("{c}ed"));
            if let Some(b) = c.strip_suffix('e') {
                forms.push(format!("{b}ing"));
                forms.push(format!("{b}ed"));
                forms.push(format!("{c}d"));
            }
            for n in forms {
                if !done.insert(n.clone()) {
                    continue;
                }
                let refs: Vec<u32> = cue_forms(&n)
                    .filter_map(|f| index.get(f.as_ref()).copied())
                    .collect();
                if refs.is_empty() {
                    continue;
                }
                let l = self.intern(&n) as usize;
                let a = self.cue_refs.len() as u32;
                self.cue_refs.extend_from_slice(&refs);
                self.lex_info[l].cues = (a, self.cue_refs.len() as u32);
            }
        }
        drop(index);
        self.cue_lists = cues.into_iter().map(|(_, list)| list).collect();
        self.lex.shrink_to_fit();
        self.lex_info.shrink_to_fit();
    }

    fn child_or_insert(&mut self, node: u32, word: WordId, gap: Gap) -> u32 {
        let key = edge_key(node, word, gap);
        if let Some(&c) = self.edges.get(&key) {
            return c;
        }
        let c = self.terminals.len() as u32;
        self.terminals.push(Vec::new());
        self.edges.insert(key, c);
        c
    }

    fn build_deletions(&mut self) {
        // Size the directory from the number of variants (at most `1 + n + n(n-1)/2` per
        // word), then fill it in two passes (count, place) so that no list of (hash, word)
        // pairs is ever held: the index is 4 bytes per entry.
        let mut estimate = 0usize;
        for w in &self.words {
            let n = w.text.chars().count();
            match w.max_edits {
                0 => continue,
                1 => estimate += 1 + n,
                _ => estimate += 1 + n + n * n.saturating_sub(1) / 2,
            }
            self.fuzzy_len.0 = self.fuzzy_len.0.min(n);
            self.fuzzy_len.1 = self.fuzzy_len.1.max(n);
            self.split_max = self.split_max.max(w.text.len());
            let b = w.text.as_bytes();
            if b.len() >= 2 {
                let k = split_key(b[0], b[1]);
                self.split_first[k / 64] |= 1 << (k % 64);
            }
        }
        self.dir_bits = (estimate / 4)
            .max(256)
            .next_power_of_two()
            .trailing_zeros()
            .min(24);
        self.id_bits = (usize::BITS - self.words.len().leading_zeros()).max(1);
        let buckets = 1usize << self.dir_bits;
        let mut counts = vec![0u32; buckets + 1];
        let (mut hashes, mut strings) = (Vec::new(), Vec::new());
        for w in &self.words {
            if w.max_edits == 0 {
                continue;
            }
            deletion_hashes(&w.text, w.max_edits, &mut hashes, &mut strings);
            for &h in &hashes {
                counts[(h >> (64 - self.dir_bits)) as usize + 1] += 1;
            }
        }
        for b in 1..=buckets {
            counts[b] += counts[b - 1];
        }
        let total = counts[buckets] as usize;
        let mut fill = counts.clone();
        let mut entries = vec![0u32; total];
        for (id, w) in self.words.iter().enumerate() {
            if w.max_edits == 0 {
                continue;
            }
            deletion_hashes(&w.text, w.max_edits, &mut hashes, &mut strings);
            for &h in &hashes {
                let b = (h >> (64 - self.dir_bits)) as usize;
                entries[fill[b] as usize] = self.pack(h, id as WordId);
                fill[b] += 1;
            }
        }
        self.deletions = entries;
        self.deletion_dir = counts;
    }

    /// The hash fragment stored with a word id in a deletion entry.
    fn fragment(&self, h: u64) -> u64 {
        let frag_bits = 32 - self.id_bits;
        if frag_bits == 0 {
            return 0;
        }
        (h >> (64 - self.dir_bits - frag_bits)) & ((1u64 << frag_bits) - 1)
    }

    fn pack(&self, h: u64, id: WordId) -> u32 {
        ((self.fragment(h) << self.id_bits) | u64::from(id)) as u32
    }

    /// The id of a folded word, if some term has it.
    pub(crate) fn word(&self, w: &str) -> Option<WordId> {
        self.lex(w).and_then(Lex::word)
    }

    /// Tag ids of concept `c`.
    pub(crate) fn tags(&self, c: u32) -> &[u32] {
        &self.concept_tags[c as usize]
    }

    /// The lexicon record of a folded string.
    #[inline]
    pub(crate) fn lex(&self, s: &str) -> Option<&Lex> {
        self.lex_id(s).map(|l| self.lex_at(l))
    }

    /// The lexicon id of a folded string.
    #[inline]
    pub(crate) fn lex_id(&self, s: &str) -> Option<u32> {
        self.lex.get(s)
    }

    /// [`Index::lex_id`] of a folded string's bytes and their [`hash_str`].
    #[inline]
    pub(crate) fn lex_id_hashed(&self, s: &[u8], h: u64) -> Option<u32> {
        self.lex.get_hashed(s, h)
    }

    /// The lexicon record of an id from [`Index::lex_id`].
    #[inline]
    pub(crate) fn lex_at(&self, l: u32) -> &Lex {
        &self.lex_info[l as usize]
    }

    /// Term word pairs `l`'s string joins ("clickthrough" → click, through).
    pub(crate) fn pairs(&self, l: &Lex) -> &[(WordId, WordId)] {
        &self.pair_list[l.pairs.0 as usize..l.pairs.1 as usize]
    }

    /// Cue lists whose first word is a form of `l`'s string.
    pub(crate) fn cues(&self, l: &Lex) -> impl Iterator<Item = &[Cue]> {
        self.cue_refs[l.cues.0 as usize..l.cues.1 as usize]
            .iter()
            .map(|&i| self.cue_lists[i as usize].as_slice())
    }

    /// The trie node reached from `node` by `word` after `gap`.
    #[inline]
    pub(crate) fn child(&self, node: u32, word: WordId, gap: Gap) -> Option<u32> {
        if node == 0 && gap != Gap::None {
            // Node 0 is the root and never anyone's child, so 0 means none here.
            return Some(self.root[word as usize]).filter(|&c| c != 0);
        }
        self.edges.get(&edge_key(node, word, gap)).copied()
    }

    /// Terms ending at `node`.
    pub(crate) fn terminals(&self, node: u32) -> &[u32] {
        &self.terminals[node as usize]
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
        deletion_hashes(w, depth, &mut sc.hashes, &mut sc.strings);
        let id_mask = (1u64 << self.id_bits) - 1;
        for &h in &sc.hashes {
            let b = (h >> (64 - self.dir_bits)) as usize;
            let (lo, hi) = (
                self.deletion_dir[b] as usize,
                self.deletion_dir[b + 1] as usize,
            );
            let frag = self.fragment(h);
            for &e in &self.deletions[lo..hi] {
                let e = u64::from(e);
                if e >> self.id_bits != frag {
                    continue;
                }
                let id = (e & id_mask) as WordId;
                if out.iter().any(|&(o, _)| o == id) {
                    continue;
                }
                let info = &self.words[id as usize];
                let d = strsim::osa_distance(w, &info.text);
                if d > 0 && d <= usize::from(info.max_edits) {
                    out.push((id, d as u8));
                }
            }
        }
    }

    /// Could `a` followed by `b` be the split form of a fuzzy word (`a + b` in the
    /// vocabulary, possibly as a plural)? A cheap necessary condition: length and first
    /// two bytes.
    pub(crate) fn may_split(&self, a: &str, b: &str) -> bool {
        // +2: the plural ending of a split last word ("web hooks").
        if a.len() + b.len() > self.split_max + 2 || a.is_empty() || b.is_empty() {
            return false;
        }
        let (x, y) = if a.len() >= 2 {
            (a.as_bytes()[0], a.as_bytes()[1])
        } else {
            (a.as_bytes()[0], b.as_bytes()[0])
        };
        let k = split_key(x, y);
        self.split_first[k / 64] & (1 << (k % 64)) != 0
    }
}

/// Reusable buffers of [`Index::fuzzy_words`].
#[derive(Debug, Default)]
pub(crate) struct FuzzyScratch {
    hashes: Vec<u64>,
    strings: Vec<String>,
}

fn edge_key(node: u32, word: WordId, gap: Gap) -> u64 {
    (u64::from(node) << 33) | (u64::from(word) << 1) | gap_bit(gap)
}

/// Folds a phrase the way terms are folded (for look-ups and suggestions).
pub(crate) fn fold_phrase(text: &str) -> String {
    term_tokens(text)
        .iter()
        .enumerate()
        .map(|(i, (f, _, g))| {
            if i > 0 && *g != Gap::None {
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
        let cases: &[&[(&str, Gap)]] = &[
            &[("CI", Gap::Space), ("/", Gap::None), ("CD", Gap::None)],
            &[("A", Gap::Space), ("B", Gap::Space)],
            &[("Ｂ2Ｂ", Gap::Space)],
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
    fn edit_budget() {
        assert_eq!(max_edits_for("cache"), 1);
        assert_eq!(max_edits_for("data"), 0);
        assert_eq!(max_edits_for("phishing"), 1);
        assert_eq!(max_edits_for("awareness"), 2);
    }
}
