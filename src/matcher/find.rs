//! Finding mentions: the passes of [`find`], in order (each a function named below, with its
//! input, output and invariant in its own doc).
//!
//! 1. **Candidates** (`all_candidates`): each token gets its *steps*, the term words it can stand
//!    for (as written, as a plural, as a typo, as two words joined, or joined with the next
//!    token); from every token that starts some term, the trie is walked over those steps; each
//!    term reached is checked (case rules, fuzzy permission, score) and becomes a candidate.
//! 2. **Selection** (`select`): leftmost, then longest, then best score; the candidates of one
//!    span are its options, the best per concept.
//! 3. **Senses** (`choose_senses`): an ambiguous span's concept by [`Evidence`] (cues and other
//!    mentions within two sentences, weighted by distance and counted three times, plus the whole
//!    text's cues and other terms of each sense when it shows at least three: a document about
//!    one sense, tallied once per text) and the glossary profiles; decided or not. A cue of one
//!    sense as the word's modifier ("slack channel", "hotfix release") decides by itself.
//! 4. **Judgement** (`judge_spans`): part of speech, verb forms, idioms, names and generic words
//!    ([`super::senses::judge`]) drop the spans that are not mentions.
//! 5. **Mentions** (`mentions`): the lean [`Mention`]s, offsets in bytes, chars and UTF-16 in one
//!    pass ([`crate::lines::Offsets`]).
//!
//! How it is fast (register level): texts over 32 KiB are tokenized, stepped and walked in pieces
//! (each with a look-ahead of `Index::span` tokens, enough for any walk or cue phrase starting in
//! the piece), so the working set stays in cache; candidates and cue occurrences carry sentence
//! numbers, and selection and evidence run once over the whole text. A direct-mapped memo
//! remembers each recent word's look-ups (lexicon id, singulars, common-word guard) for words up
//! to 15 bytes. A token the wanted filter rules out skips the lexicon and plural look-ups (in
//! full mode a word may still be a typo or half of a split word); two tokens that may be a split
//! word are joined and tested against the wanted filter before the vocabulary look-ups.
//! Candidates come out of the walks sorted by start; only those of one start are sorted. The
//! selected spans (groups) keep their options as ranges of one list. None of this changes what
//! is found: the `tuning_changes_nothing` property holds pieces, memo and filter to the plain
//! walk.

use super::glosses;
use super::ids::{ConceptId, LexId, TermId, WordId};
use super::index::{case_form_is, FuzzyScratch, Index, TermInfo};
use super::lexicon::{common_words, hash_str, inline_key16, LONG};
use super::markup::excluded;
use super::mention::{MatchKind, MatchOptions, Mention};
use super::normalize::{cue_forms, each_singular};
use super::pos;
use super::senses;
use super::tokens::{next_cut, Builder, Sep, Tokens};
use crate::glossary::{Glossary, Side};
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Copy)]
enum Step {
    Word(WordId),
    Plural(WordId),
    Fuzzy(WordId, u8),
    Joined(WordId, WordId),
    Split(WordId),
    /// Joined with the next token, as the plural of a term's last word ("web hooks").
    SplitPlural(WordId),
}

/// A term reached by the walk: tokens `first..=last`.
#[derive(Debug, Clone, Copy)]
struct Raw {
    first: usize,
    last: usize,
    term: TermId,
    edits: u8,
}

/// A checked candidate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub start: usize,
    pub end: usize,
    /// Sentence number of the first token, for the ambiguity window.
    pub sentence: u32,
    pub term: TermId,
    pub kind: MatchKind,
    pub score: f32,
}

/// One occurrence of a cue phrase: (sentence, concept, start byte, distinct: evidence even
/// far from a mention, see [`super::index::Cue`]).
type CueAt = (u32, ConceptId, usize, bool);

/// The most edits a whole mention may carry before the walk gives up.
const MAX_EDITS: u8 = 6;

/// The steps of every token, flat: token `j` has `list[at[j]..at[j + 1]]`. Reused from one
/// piece of a long text to the next, with what it remembers of rare words.
#[derive(Default)]
struct Steps {
    list: Vec<Step>,
    at: Vec<u32>,
    /// Lexicon id of every token's folded form, for cues.
    lex: Vec<Option<LexId>>,
    /// The fuzzy words of every rare word met so far: `fuzzy_found[a..b]`.
    fuzzy_seen: FxHashMap<Box<str>, (u32, u32)>,
    fuzzy_found: Vec<(WordId, u8)>,
    memo: Memo,
    /// The walks' terms, kept for their memory.
    raw: Vec<Raw>,
    /// Whether to skip the look-ups of tokens that [`Index::may_want`] rules out.
    filter: bool,
    /// Whether to use `memo`: from the start (except in the tests that check it changes
    /// nothing), until it proves not to pay ([`Memo::pays`]).
    use_memo: bool,
}

/// What the look-ups of a folded word found, remembered by [`Memo`].
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// [`inline_key16`] of the word (`(LONG, LONG)`: empty entry).
    key: (u64, u64),
    /// Its lexicon id.
    lex: Option<LexId>,
    /// Some singular of it is a vocabulary word (none of them the last word of a term).
    singular_is_word: bool,
    /// Whether it is a known word (common-word guard), once asked.
    known: Option<bool>,
}

/// The look-ups of recent words (up to 15 bytes), direct-mapped by hash: a text repeats its
/// common words over and over, and each would otherwise cost a lexicon probe, the probes of
/// its singulars and one in the common-word list, each a likely cache miss. Words with plural
/// steps are not remembered (they are few).
#[derive(Default)]
struct Memo {
    slots: Vec<Seen>,
    /// Words looked up in the memo, and found.
    tries: u32,
    hits: u32,
}

impl Memo {
    const EMPTY: Seen = Seen {
        key: (LONG, LONG),
        lex: None,
        singular_is_word: false,
        known: None,
    };

    /// Sized for a text of `bytes` bytes (small texts need few slots; a long text meets many
    /// distinct words, and the table, at most 384 KiB, stays within the L2 cache).
    fn prepare(&mut self, bytes: usize) {
        let n = (bytes / 16).clamp(64, 16384).next_power_of_two();
        if self.slots.len() < n {
            self.slots = vec![Self::EMPTY; n];
        }
    }

    /// Whether the memo is worth its upkeep: after a few thousand words, it must answer two
    /// in three. Prose repeats its words (real briefs: four in five); a text of words drawn
    /// evenly from a large list does not, and there the memo's table only crowds the caches.
    fn pays(&self) -> bool {
        self.tries < 4096 || u64::from(self.hits) * 3 >= u64::from(self.tries) * 2
    }

    #[inline]
    fn slot(&mut self, h: u64) -> &mut Seen {
        let mask = self.slots.len() - 1;
        &mut self.slots[(h >> 40) as usize & mask]
    }
}

impl Steps {
    fn of(&self, j: usize) -> &[Step] {
        &self.list[self.at[j] as usize..self.at[j + 1] as usize]
    }
}

struct Walk<'a> {
    ix: &'a Index,
    toks: &'a Tokens<'a>,
    steps: &'a Steps,
    out: Vec<Raw>,
}

impl Walk<'_> {
    fn emit(&mut self, node: u32, first: usize, last: usize, edits: u8) {
        for &term in self.ix.terminals(node) {
            self.out.push(Raw {
                first,
                last,
                term,
                edits,
            });
        }
    }

    fn walk(&mut self, node: u32, first: usize, j: usize, edits: u8) {
        if j >= self.toks.len() || edits > MAX_EDITS {
            return;
        }
        let sep = if j == first {
            Sep::Space
        } else {
            match self.toks.list[j].sep {
                Sep::Break => return,
                g => g,
            }
        };
        for &step in self.steps.of(j) {
            match step {
                Step::Word(id) => {
                    if let Some(c) = self.ix.child(node, id, sep) {
                        self.emit(c, first, j, edits);
                        self.walk(c, first, j + 1, edits);
                    }
                }
                Step::Plural(id) => {
                    if let Some(c) = self.ix.child(node, id, sep) {
                        self.emit(c, first, j, edits);
                    }
                }
                Step::Fuzzy(id, e) => {
                    if let Some(c) = self.ix.child(node, id, sep) {
                        self.emit(c, first, j, edits + e);
                        self.walk(c, first, j + 1, edits + e);
                    }
                }
                Step::Joined(a, b) => {
                    let c = self
                        .ix
                        .child(node, a, sep)
                        .and_then(|c| self.ix.child(c, b, Sep::Space));
                    if let Some(c) = c {
                        self.emit(c, first, j, edits + 1);
                        self.walk(c, first, j + 1, edits + 1);
                    }
                }
                Step::Split(id) => {
                    if let Some(c) = self.ix.child(node, id, sep) {
                        self.emit(c, first, j + 1, edits + 1);
                        self.walk(c, first, j + 2, edits + 1);
                    }
                }
                Step::SplitPlural(id) => {
                    if let Some(c) = self.ix.child(node, id, sep) {
                        self.emit(c, first, j + 1, edits + 1);
                    }
                }
            }
        }
    }
}

/// The steps each token can take, into `out` (emptied first).
fn steps(ix: &Index, toks: &Tokens, opts: &MatchOptions, out: &mut Steps) {
    out.list.clear();
    out.at.clear();
    out.lex.clear();
    out.list.reserve(toks.len());
    out.at.reserve(toks.len() + 1);
    out.lex.reserve(toks.len());
    let st = &mut out.list;
    let (fuzzy_seen, fuzzy_found) = (&mut out.fuzzy_seen, &mut out.fuzzy_found);
    let mut sc = StepScratch::default();
    let filter = out.filter.then(|| ix.wanted(opts.exact_only));
    let common = common_words();
    let memo = &mut out.memo;
    if out.use_memo {
        memo.prepare(toks.text().len());
    }
    for j in 0..toks.len() {
        out.at.push(st.len() as u32);
        let nb = toks.norm_bytes(j);
        let tok = toks.list[j];
        let h = tok.hash;
        // Most words are not in the lexicon nor plurals of vocabulary words: the filter tells
        // so without the look-ups. (With the filter on, the tokenizer left out the other
        // tokens it rules out, so those here are words of full mode: typos or halves of a
        // split word, maybe.)
        let wanted = !out.filter || ix.may_want(h, opts.exact_only);
        // Only words are remembered: a symbol may fold to the letters of a word.
        let key = if tok.word && out.use_memo {
            inline_key16(nb)
        } else {
            None
        };
        let memoize = key.is_some();
        let key = key.unwrap_or((LONG, LONG));
        let hit = memoize && memo.slot(h).key == key;
        if memoize {
            memo.tries += 1;
            memo.hits += u32::from(hit);
        }
        let (lex_id, singular_is_word) = if hit {
            let m = memo.slot(h);
            (m.lex.map(LexId::get), m.singular_is_word)
        } else if wanted {
            (ix.lex_id_hashed(nb, h), false)
        } else {
            (None, false)
        };
        out.lex.push(lex_id.and_then(LexId::new));
        let word = lex_id.and_then(|l| ix.lex_word(l));
        if let Some(id) = word {
            st.push(Step::Word(id));
        }
        if !tok.word {
            continue;
        }
        let mut singular_is_word = singular_is_word;
        if !hit {
            // Whether some singular is a vocabulary word: also half of the common-word guard.
            let plurals = st.len();
            if wanted && nb.last() == Some(&b's') {
                each_singular(toks.norm(j), &mut sc.sing, |s| {
                    if let Some(id) = ix.word(s) {
                        singular_is_word = true;
                        if ix.words[id as usize].last && Some(id) != word {
                            st.push(Step::Plural(id));
                        }
                    }
                    false
                });
            }
            if memoize && st.len() == plurals {
                *memo.slot(h) = Seen {
                    key,
                    lex: lex_id.and_then(LexId::new),
                    singular_is_word,
                    known: None,
                };
            }
        }
        if opts.exact_only {
            continue;
        }
        // The folded text as `str` only where needed (most words need only its bytes).
        let n = || toks.norm(j);
        // Fuzzy candidates need 4+ chars and joined forms 5+ bytes: shorter tokens skip the
        // look-ups (the common-word guard, the deletion index, the pair table).
        if word.is_none() && nb.len() >= 4 {
            // `is_known_word` without the vocabulary look-up already done above.
            let remembered = if hit { memo.slot(h).known } else { None };
            let known = remembered.unwrap_or_else(|| {
                common.contains_hashed(nb, h)
                    || singular_is_word
                    || (nb.ends_with(b"s")
                        && each_singular(n(), &mut sc.sing, |s| common.contains(s)))
            });
            if memoize && memo.slot(h).key == key {
                memo.slot(h).known = Some(known);
            }
            let rare = (!known)
                .then(n)
                .filter(|n| n.chars().any(char::is_alphabetic));
            if let Some(n) = rare {
                fuzzy_steps(ix, n, fuzzy_seen, fuzzy_found, &mut sc, st);
            }
            if let Some(l) = lex_id.filter(|_| nb.len() >= 5) {
                st.extend(ix.pairs(l).iter().map(|&(a, b)| Step::Joined(a, b)));
            }
        }
        if j + 1 < toks.len() {
            joined_steps(ix, toks, j, filter, &mut sc, st);
        }
    }
    out.at.push(st.len() as u32);
    out.use_memo &= out.memo.pays();
}

/// Buffers [`steps`] reuses from token to token.
#[derive(Default)]
struct StepScratch {
    fuzzy: Vec<(WordId, u8)>,
    fuzzy_scratch: FuzzyScratch,
    joined: String,
    sing: String,
}

/// The fuzzy steps of rare word `n` (folded), into `st`. The same rare word recurs in a
/// text: its fuzzy words are looked up once and kept in `seen` (ranges of `found`).
#[inline]
fn fuzzy_steps(
    ix: &Index,
    n: &str,
    seen: &mut FxHashMap<Box<str>, (u32, u32)>,
    found: &mut Vec<(WordId, u8)>,
    sc: &mut StepScratch,
    st: &mut Vec<Step>,
) {
    let (a, b) = match seen.get(n) {
        Some(&r) => r,
        None => {
            ix.fuzzy_words(n, &mut sc.fuzzy, &mut sc.fuzzy_scratch);
            let a = found.len() as u32;
            found.extend_from_slice(&sc.fuzzy);
            let r = (a, found.len() as u32);
            seen.insert(n.into(), r);
            r
        }
    };
    st.extend(
        found[a as usize..b as usize]
            .iter()
            .map(|&(id, e)| Step::Fuzzy(id, e)),
    );
}

/// The steps of token `j` joined with the next one ("click through" → "clickthrough"),
/// into `st`, when the pair may be a split word; `filter`: the wanted filter, when on.
#[inline]
fn joined_steps(
    ix: &Index,
    toks: &Tokens,
    j: usize,
    filter: Option<&super::lexicon::Bloom>,
    sc: &mut StepScratch,
    st: &mut Vec<Step>,
) {
    let (tok, next) = (toks.list[j], toks.list[j + 1]);
    if next.word
        && next.sep == Sep::Space
        && ix.may_split(toks.norm_bytes(j), tok.hash, toks.norm_bytes(j + 1))
    {
        sc.joined.clear();
        sc.joined.push_str(toks.norm(j));
        sc.joined.push_str(toks.norm(j + 1));
        // The filter holds every vocabulary word and its plural forms: most joined
        // pairs that pass `may_split` are ruled out here, before the look-ups.
        let hj = hash_str(sc.joined.as_bytes());
        if filter.is_none_or(|f| f.may_contain(hj)) {
            split_steps(ix, &sc.joined, hj, &mut sc.sing, st);
        }
    }
}

/// The steps of a token that, joined with the next one to `joined` (of [`hash_str`] `h`),
/// is a fuzzy vocabulary word ("click through" → "clickthrough") or the plural of one that
/// ends a term ("web hooks" → "webhook").
fn split_steps(ix: &Index, joined: &str, h: u64, sing: &mut String, st: &mut Vec<Step>) {
    if let Some(id) = ix.word_hashed(joined.as_bytes(), h) {
        if ix.words[id as usize].max_edits > 0 {
            st.push(Step::Split(id));
        }
    } else if joined.ends_with('s') {
        each_singular(joined, sing, |s| {
            let id = ix.word(s).filter(|&id| {
                let w = &ix.words[id as usize];
                w.max_edits > 0 && w.last
            });
            if let Some(id) = id {
                st.push(Step::SplitPlural(id));
            }
            id.is_some()
        });
    }
}

/// What every step of a search reads.
#[derive(Clone, Copy)]
struct Search<'a> {
    ix: &'a Index,
    g: &'a Glossary,
    text: &'a str,
    opts: &'a MatchOptions,
    /// Lifts the capitals rule of acronyms and case-sensitive terms (for look-ups).
    any_case: bool,
}

/// Checks a raw candidate against its term's rules.
fn check(s: &Search, toks: &Tokens, raw: Raw) -> Option<Candidate> {
    let Search {
        ix,
        g,
        text,
        opts,
        any_case,
    } = *s;
    let term: &TermInfo = &ix.terms[raw.term];
    let start = toks.list[raw.first].start;
    let end = toks.list[raw.last].end;
    let score = if raw.edits == 0 {
        1.0
    } else {
        if !term.fuzzy || opts.exact_only {
            return None;
        }
        1.0 - f32::from(raw.edits) / term.letters.max(1) as f32
    };
    if score + 1e-6 < opts.min_score {
        return None;
    }
    if let Some(want) = ix.case_form(term).filter(|_| !any_case) {
        let parts = || {
            (raw.first..=raw.last).map(|k| {
                let t = toks.list[k];
                (&text[t.start..t.end], t.sep)
            })
        };
        let last = &text[toks.list[raw.last].start..end];
        let ok = ["", "'s", "\u{2019}s", "s", "es"].iter().any(|suffix| {
            let Some(base) = last.strip_suffix(suffix) else {
                return false;
            };
            if base.is_empty() {
                return false;
            }
            let n = raw.last - raw.first;
            case_form_is(
                parts()
                    .take(n)
                    .chain(std::iter::once((base, toks.list[raw.last].sep))),
                want,
            )
        });
        if !ok {
            return None;
        }
    }
    let kind = if raw.edits > 0 {
        MatchKind::Fuzzy
    } else if text[start..end] == *ix.term_text(g, raw.term) {
        MatchKind::Exact
    } else {
        MatchKind::Normalized
    };
    Some(Candidate {
        start,
        end,
        sentence: toks.list[raw.first].sentence,
        term: raw.term,
        kind,
        score,
    })
}

/// The checked candidates (unordered) and the cue occurrences of the first `own` tokens of
/// `toks`, appended to `cands` and `cues`. The tokens after `own` are a look-ahead: walks and
/// cue phrases that start before `own` may run into them.
fn candidates(
    s: &Search,
    toks: &Tokens,
    own: usize,
    steps_buf: &mut Steps,
    cands: &mut Vec<Candidate>,
    cues: &mut Vec<CueAt>,
) {
    let ix = s.ix;
    steps(ix, toks, s.opts, steps_buf);
    let raw = std::mem::take(&mut steps_buf.raw);
    let mut w = Walk {
        ix,
        toks,
        steps: steps_buf,
        out: raw,
    };
    w.out.clear();
    for i in 0..own {
        if !steps_buf.of(i).is_empty() {
            w.walk(0, i, i, 0);
        }
    }
    cands.extend(w.out.iter().filter_map(|&raw| check(s, toks, raw)));
    steps_buf.raw = w.out;
    cue_occurrences(ix, toks, &steps_buf.lex[..own], cues);
}

/// (sentence, concept, start byte) of every cue phrase starting at a token with lexicon id
/// `lex[j]`, in text order.
fn cue_occurrences(ix: &Index, toks: &Tokens, lex: &[Option<LexId>], out: &mut Vec<CueAt>) {
    for (j, l) in lex.iter().enumerate() {
        let Some(l) = l else {
            continue;
        };
        for list in ix.cues(l.get()) {
            for cue in list {
                let matches = cue.rest.iter().enumerate().all(|(k, w)| {
                    let t = j + 1 + k;
                    t < toks.len()
                        && toks.list[t].sep != Sep::Break
                        && (toks.norm(t) == w.as_ref()
                            || (k + 1 == cue.rest.len()
                                && cue_forms(toks.norm(t)).any(|s| s == w.as_ref())))
                });
                if matches {
                    out.push((
                        toks.list[j].sentence,
                        cue.concept,
                        toks.list[j].start,
                        cue.distinct,
                    ));
                }
            }
        }
    }
}

/// Texts longer than this are matched piece by piece, cut where tokenizing is unaffected
/// ([`next_cut`]), each piece with a look-ahead of [`Index::span`] tokens: the working set
/// (tokens, steps, walks) stays in cache and bounded whatever the length of the text.
const PIECE: usize = 32 * 1024;

/// One selected span with every concept it may mean.
struct Group {
    start: usize,
    end: usize,
    sentence: u32,
    /// Best candidate per concept, in glossary order: `all[options.0..options.1]` of the
    /// candidates of every group (one list, not one per group: a long text has tens of
    /// thousands of groups, nearly all with one option).
    options: (u32, u32),
    /// Concepts whose term is on both sides (shared vocabulary).
    shared: Vec<ConceptId>,
    /// Concepts with a verb term among this span's candidates (kept or not): the word is
    /// also a form of a verb of theirs ("targeting" of "target").
    verbs: Vec<ConceptId>,
}

impl Group {
    /// The group's options, in `all` (the options of every group).
    fn options<'a>(&self, all: &'a [Candidate]) -> &'a [Candidate] {
        &all[self.options.0 as usize..self.options.1 as usize]
    }
}

/// Finds every mention in `text`.
pub(crate) fn find(
    ix: &Index,
    g: &Glossary,
    text: &str,
    opts: &MatchOptions,
    any_case: bool,
) -> Vec<Mention> {
    let fast = Tuning {
        piece: PIECE,
        memo: true,
        filter: true,
    };
    find_in_pieces(ix, g, text, opts, any_case, fast)
}

/// How [`find_in_pieces`] goes about it; none of it changes the annotations.
#[derive(Debug, Clone, Copy)]
struct Tuning {
    /// Match texts in pieces of about this many bytes.
    piece: usize,
    /// Remember the look-ups of words met before.
    memo: bool,
    /// Skip the look-ups of tokens that [`Index::may_want`] rules out.
    filter: bool,
}

/// [`find`], tuned by `tuning`: the passes in order. Each pass narrows what the one before
/// it left: candidates → selection → senses → judgement (part of speech, forms, idioms,
/// names, generic words) → mentions.
fn find_in_pieces(
    ix: &Index,
    g: &Glossary,
    text: &str,
    opts: &MatchOptions,
    any_case: bool,
    tuning: Tuning,
) -> Vec<Mention> {
    let search = Search {
        ix,
        g,
        text,
        opts,
        any_case,
    };
    let Some((cands, cues)) = all_candidates(&search, tuning) else {
        // Past the deadline: the caller has answered already and will drop what this returns.
        return Vec::new();
    };
    if cands.is_empty() {
        return Vec::new();
    }
    let mut sel = select(ix, cands);
    if sel.needs_reading(&search) {
        let ev = Evidence::new(ix, cues, &sel.groups, &sel.all);
        choose_senses(&search, &ev, &mut sel);
        let defined = text_definitions(&search, &mut sel);
        let keep = judge_spans(&search, &ev, &defined, &mut sel);
        sel.retain(&keep);
    }
    defined_abbreviations(&search, &mut sel);
    mentions(ix, g, text, &sel, opts)
}

/// **Pass 1, candidates.** Tokenizes `s.text` piece by piece (each piece with a look-ahead
/// of [`Index::span`] tokens), gives each token its steps, walks the trie from each token and
/// checks what the walks reach against its term's rules ([`check`]).
///
/// Out: every checked candidate, sorted by start, then longest, best score, term; and the
/// cue occurrences, in text order. `None` once the deadline has passed.
/// Invariant: `tuning` changes how, never what (the `tuning_changes_nothing` property).
fn all_candidates(s: &Search, tuning: Tuning) -> Option<(Vec<Candidate>, Vec<CueAt>)> {
    let (ix, text, opts, piece) = (s.ix, s.text, s.opts, tuning.piece);
    let ex = excluded(text, opts.input);
    let mut tk = Builder::new(text, &ex);
    if tuning.filter {
        // Tokens the filter rules out take no step, unless (full mode) a word: a typo or
        // half of a split word. Left out, they stop walks and cue phrases as they would.
        tk = tk.leaving_out(ix.wanted(opts.exact_only), opts.exact_only);
    }
    // About one token per five bytes of prose: room for a piece without growing.
    tk.out
        .list
        .reserve(text.len().min(piece.saturating_add(256)) / 4);
    let mut steps_buf = Steps {
        use_memo: tuning.memo,
        filter: tuning.filter,
        ..Steps::default()
    };
    // Room for a candidate every 64 bytes (prose has one every few hundred, a dense brief
    // one every 20): growing a long text's list by doubling copies it and touches fresh
    // memory each time, while room never used is never touched.
    let mut cands = Vec::with_capacity(text.len() / 64);
    let mut cues = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        if opts.past_deadline() {
            return None;
        }
        let cut = next_cut(text, pos.saturating_add(piece));
        tk.clear();
        tk.feed(pos, cut);
        let own = tk.out.len();
        if cut < text.len() {
            let back = tk.at();
            let mut end = cut;
            while end < text.len() && tk.out.len() - own < ix.span {
                let next = next_cut(text, end + 1);
                tk.feed(end, next);
                end = next;
            }
            tk.resume(back);
        }
        candidates(s, &tk.out, own, &mut steps_buf, &mut cands, &mut cues);
        pos = cut;
    }
    let order = |a: &Candidate, b: &Candidate| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(b.score.total_cmp(&a.score))
            .then(a.term.cmp(&b.term))
    };
    // Walks run from each token in turn, so candidates come by start already: only those of
    // one start need sorting (the same order as a stable sort of the whole).
    if cands.windows(2).all(|w| w[0].start <= w[1].start) {
        for same in cands.chunk_by_mut(|a, b| a.start == b.start) {
            same.sort_by(order);
        }
    } else {
        cands.sort_by(order);
    }
    Some((cands, cues))
}

/// **Pass 5, abbreviations the text defines** ([`super::defined`]): "Net Promoter Score
/// (NPS)" makes every "NPS" of the text a mention of the concept its long form's head was
/// decided to be. In: the judged selection. Out: the same, with a group per occurrence of a
/// defined abbreviation (replacing one the walk found on exactly that span, and never
/// overlapping another). Invariant: the groups stay sorted and disjoint.
fn defined_abbreviations(s: &Search, sel: &mut Selection) {
    let spans: Vec<std::ops::Range<usize>> = sel.groups.iter().map(|g| g.start..g.end).collect();
    let heads: Vec<bool> = sel.undecided.iter().map(|u| !u).collect();
    let concept = |sel: &Selection, gi: usize| {
        let k = sel.chosen[gi];
        s.ix.terms[sel.groups[gi].options(&sel.all)[k].term].concept
    };
    let defs = super::defined::definitions(s.text, &spans, &heads, |a, b| {
        concept(sel, a) == concept(sel, b)
    });
    if defs.is_empty() {
        return;
    }
    let skip = excluded(s.text, s.opts.input);
    let mut added: Vec<(Group, Candidate)> = Vec::new();
    for d in &defs {
        let long = &sel.groups[d.group];
        let best = long.options(&sel.all)[sel.chosen[d.group]];
        let c = concept(sel, d.group);
        let shared = if long.shared.contains(&c) {
            vec![c]
        } else {
            Vec::new()
        };
        // Sentence numbers are read by the evidence only, which has run: the long form's.
        let sentence = long.sentence;
        for r in super::defined::occurrences(s.text, d.abbreviation, &skip) {
            // A span the walk found with other bounds keeps them.
            let at = sel.groups.partition_point(|g| g.end <= r.start);
            let clash = sel.groups.get(at).filter(|g| g.start < r.end);
            if clash.is_some_and(|g| (g.start, g.end) != (r.start, r.end)) {
                continue;
            }
            let c = Candidate {
                start: r.start,
                end: r.end,
                sentence,
                term: best.term,
                kind: MatchKind::Normalized,
                score: 1.0,
            };
            let group = Group {
                start: r.start,
                end: r.end,
                sentence,
                options: (0, 0),
                shared: shared.clone(),
                verbs: Vec::new(),
            };
            added.push((group, c));
        }
    }
    if added.is_empty() {
        return;
    }
    // Merge: the walk's groups on an added span give way; the rest keep their choices.
    let taken: rustc_hash::FxHashSet<usize> = added.iter().map(|(g, _)| g.start).collect();
    let old_groups = std::mem::take(&mut sel.groups);
    let old_chosen = std::mem::take(&mut sel.chosen);
    let old_undecided = std::mem::take(&mut sel.undecided);
    let mut merged: Vec<(Group, usize, bool)> = old_groups
        .into_iter()
        .zip(old_chosen)
        .zip(old_undecided)
        .filter(|((g, _), _)| !taken.contains(&g.start))
        .map(|((g, k), u)| (g, k, u))
        .collect();
    for (mut g, c) in added {
        let i = sel.all.len() as u32;
        sel.all.push(c);
        g.options = (i, i + 1);
        merged.push((g, 0, false));
    }
    merged.sort_by_key(|(g, _, _)| g.start);
    for (g, k, u) in merged {
        sel.groups.push(g);
        sel.chosen.push(k);
        sel.undecided.push(u);
    }
}

/// The selected spans of a text and, once senses are chosen, the sense of each.
struct Selection {
    groups: Vec<Group>,
    /// The options of every group, one list ([`Group::options`]).
    all: Vec<Candidate>,
    /// Per group, the index of the chosen option (0 until [`choose_senses`]).
    chosen: Vec<usize>,
    /// Per group, whether the evidence left its senses undecided (SPEC §3 "no guessing").
    undecided: Vec<bool>,
}

impl Selection {
    /// Whether any span has senses to choose between or to judge: a group with several
    /// options, or one whose first option [`Selection::is_read`].
    fn needs_reading(&self, s: &Search) -> bool {
        let ambiguous = self.groups.iter().any(|gr| gr.options(&self.all).len() > 1);
        ambiguous || self.groups.iter().any(|gr| self.is_read(s, gr, 0))
    }

    /// Whether sense resolution reads option `k` of `gr`: an everyday word, a case-sensitive
    /// term, or a concept with `not_in` idioms.
    fn is_read(&self, s: &Search, gr: &Group, k: usize) -> bool {
        let t = &s.ix.terms[gr.options(&self.all)[k].term];
        t.sense.everyday
            || s.ix.case_form(t).is_some()
            || !s.g.concepts()[t.concept].not_in.is_empty()
    }

    /// Keeps the groups (with their choices) whose flag in `keep` is set; an empty `keep`
    /// keeps all.
    fn retain(&mut self, keep: &[bool]) {
        if keep.iter().any(|&k| !k) {
            retain_kept(&mut self.groups, keep);
            retain_kept(&mut self.chosen, keep);
            retain_kept(&mut self.undecided, keep);
        }
    }
}

/// **Pass 2, selection.** In: the sorted candidates of [`all_candidates`]. Out: the spans
/// kept, leftmost first, then longest (the first of each start in `cands`' order); each
/// span's candidates of that exact extent become its options, the best per concept, in
/// concept order. Invariant: the groups are sorted and never overlap.
fn select(ix: &Index, cands: Vec<Candidate>) -> Selection {
    let mut groups: Vec<Group> = Vec::with_capacity(cands.len());
    let mut all: Vec<Candidate> = Vec::with_capacity(cands.len());
    let mut cursor = 0;
    let mut i = 0;
    while i < cands.len() {
        let c = cands[i];
        if c.start < cursor {
            i += 1;
            continue;
        }
        let first = all.len();
        let mut shared = Vec::new();
        let mut verbs = Vec::new();
        while i < cands.len() && cands[i].start == c.start && cands[i].end == c.end {
            let k = cands[i];
            let concept = ix.terms[k.term].concept;
            if ix.terms[k.term].sense.verb && !verbs.contains(&concept) {
                verbs.push(concept);
            }
            match all[first..]
                .iter_mut()
                .find(|o| ix.terms[o.term].concept == concept)
            {
                None => all.push(k),
                Some(o) => {
                    let (a, b) = (&ix.terms[o.term], &ix.terms[k.term]);
                    if a.side != b.side && a.key == b.key && !shared.contains(&concept) {
                        shared.push(concept);
                    }
                    if k.score > o.score || (k.score == o.score && k.kind < o.kind) {
                        *o = k;
                    }
                }
            }
            i += 1;
        }
        all[first..].sort_by_key(|o| ix.terms[o.term].concept);
        cursor = c.end;
        groups.push(Group {
            start: c.start,
            end: c.end,
            sentence: c.sentence,
            options: (first as u32, all.len() as u32),
            shared,
            verbs,
        });
    }
    let n = groups.len();
    Selection {
        groups,
        all,
        chosen: vec![0; n],
        undecided: vec![false; n],
    }
}

/// **Pass 3, senses.** For each span with several options, the best concept by the text's
/// evidence ([`Evidence::best`]: cues, other terms, a jargon modifier before the word, the
/// glossary profiles, the reader's side), and whether it is decided. Out: `sel.chosen` and
/// `sel.undecided`. Invariant: spans with one option keep option 0, decided.
fn choose_senses(s: &Search, ev: &Evidence, sel: &mut Selection) {
    let (ix, text) = (s.ix, s.text);
    let (groups, all) = (&sel.groups, &sel.all);
    // The glossary's profiles read against the text: only where a span has several
    // senses to weigh, so texts without one never pay for it.
    let doc = std::cell::OnceCell::new();
    let weigh = |gr: &Group, options: &[Candidate]| {
        let (profiles, doc) = doc.get_or_init(|| {
            let profiles = ix.profiles(s.g);
            (profiles, profiles.document(text))
        });
        let own = profiles.ids_of(&text[gr.start..gr.end]);
        options
            .iter()
            .map(|o| doc.evidence(ix.terms[o.term].concept, gr.start, gr.end, &own))
            .collect::<Vec<f32>>()
    };
    for (gi, gr) in groups.iter().enumerate() {
        if gr.options(all).len() > 1 {
            // A jargon modifier right before the word ("personalized campaigns", "email
            // campaign"): an unambiguous mention of one side says which side's sense.
            let modifier = gi.checked_sub(1).map(|p| &groups[p]).and_then(|p| {
                let between = &text[p.end..gr.start];
                let adjacent = !between.is_empty() && between.bytes().all(|b| b == b' ');
                match p.options(all) {
                    [o] if adjacent && p.shared.is_empty() => Some(ix.terms[o.term].side),
                    _ => None,
                }
            });
            // A cue of one sense as the word's modifier ("slack channel", "sales lead"): the
            // compound names a kind of that sense's thing, whatever the rest of the text is
            // about.
            let compound = ev.compound_modifier(ix, text, gr, gr.options(all));
            let weights = weigh(gr, gr.options(all));
            let (k, margin) = match compound {
                Some(k) => (k, true),
                None => ev.best(
                    ix,
                    gi,
                    gr,
                    gr.options(all),
                    &weights,
                    s.opts.audience,
                    modifier,
                ),
            };
            tracing::trace!(
                target: "broker::senses",
                at = gr.start,
                decided = margin,
                options = ?gr
                    .options(all)
                    .iter()
                    .zip(&weights)
                    .map(|(o, w)| {
                        let c = ix.terms[o.term].concept;
                        (s.g.concepts()[c].id.as_str(), ev.score(gi, gr, c), *w)
                    })
                    .collect::<Vec<_>>(),
                chosen = k,
                "sense"
            );
            sel.chosen[gi] = k;
            sel.undecided[gi] = !margin;
        }
    }
}

/// What the text's own definition of a group's word says ([`text_definitions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defined {
    /// The text defines no word of this group's.
    No,
    /// The text defines the word in the sense now chosen: jargon here, needing no more
    /// evidence.
    AsChosen,
    /// The text defines the word in a sense of its own, none of the glossary's.
    Own,
}

/// How many of its content words a definition the text gives must share with what the
/// glossary says of a sense to fit it ([`text_definitions`]), unless it has fewer: one word in
/// common is often a coincidence ("phone numbers" and a build target "for phones").
const GLOSS_WORDS_IN_COMMON: usize = 2;

/// **Pass 3b, words the text defines** ([`super::glosses`]). For each everyday or ambiguous
/// word the text introduces with a definition ("Targets, which are individual emails, phone
/// numbers and channels"), the sense the definition fits — the same genus (head noun) as the
/// sense's own definition, or else the most content words in common, at least
/// [`GLOSS_WORDS_IN_COMMON`] — becomes the word's sense at every occurrence of it (same term
/// key) in the text, decided. A definition of no sense's kind that shares no word with the
/// sense the evidence chose, and fits no other, makes an everyday word the text's own term:
/// no mention anywhere in the text. A word defined twice with different verdicts, or whose
/// definition fits two senses equally, is left to the evidence.
/// Out: per group, what its word's definition says.
fn text_definitions(s: &Search, sel: &mut Selection) -> Vec<Defined> {
    let ix = s.ix;
    let mut defined = vec![Defined::No; sel.groups.len()];
    // Term key -> Some(the concept the definition fits, or None for none); None: no verdict.
    let mut verdicts: FxHashMap<u32, Option<Option<ConceptId>>> = FxHashMap::default();
    for (gi, gr) in sel.groups.iter().enumerate() {
        let options = gr.options(&sel.all);
        // Everyday words: a definition may make them the text's own term. A specific term
        // ("CI") only has its senses told apart.
        let everyday = options.iter().all(|o| ix.terms[o.term].sense.generic);
        if !everyday && options.len() < 2 {
            continue;
        }
        let Some(gloss) = glosses::gloss(s.text, gr.start, gr.end) else {
            continue;
        };
        let mut words = glosses::content_words(&s.text[gloss.clone()]);
        for own in glosses::content_words(&s.text[gr.start..gr.end]) {
            words.remove(&own);
        }
        let shared: Vec<(ConceptId, usize)> = options
            .iter()
            .map(|o| {
                let c = ix.terms[o.term].concept;
                let known = glosses::concept_words(&s.g.concepts()[c]);
                (c, words.iter().filter(|w| known.contains(*w)).count())
            })
            .collect();
        // The kind of thing the text says the word is, against each sense's.
        let kind = glosses::genus(&s.text[gloss.clone()]);
        let same_kind: Vec<ConceptId> = options
            .iter()
            .map(|o| ix.terms[o.term].concept)
            .filter(|&c| {
                kind.as_ref()
                    .is_some_and(|k| glosses::concept_genera(&s.g.concepts()[c]).contains(k))
            })
            .collect();
        let best = shared.iter().map(|f| f.1).max().unwrap_or(0);
        let top: Vec<ConceptId> = shared.iter().filter(|f| f.1 == best).map(|f| f.0).collect();
        let chosen = shared[sel.chosen[gi]].1;
        let verdict = match (same_kind.as_slice(), top.as_slice()) {
            // The text says it is the kind of thing one sense is.
            ([c], _) => Some(Some(*c)),
            // Its words fit one sense best, with two words in common (a definition of one
            // content word: that one).
            ([], [c]) if best >= words.len().min(GLOSS_WORDS_IN_COMMON) && best > 0 => {
                Some(Some(*c))
            }
            // Not the kind of thing any sense is, not a word in common with the sense the
            // rest of the text suggests, and no other sense it fits: the text's own term.
            ([], _)
                if everyday && chosen == 0 && best < GLOSS_WORDS_IN_COMMON && words.len() >= 2 =>
            {
                Some(None)
            }
            _ => None,
        };
        tracing::debug!(
            span = &s.text[gr.start..gr.end],
            at = gr.start,
            gloss = &s.text[gloss],
            ?verdict,
            ?kind,
            shared = ?shared
                .iter()
                .map(|(c, n)| (s.g.concepts()[*c].id.as_str(), *n))
                .collect::<Vec<_>>(),
            "defined by the text"
        );
        let key = ix.terms[options[0].term].key;
        verdicts
            .entry(key)
            .and_modify(|v| {
                if *v != verdict {
                    *v = None;
                }
            })
            .or_insert(verdict);
    }
    if verdicts.is_empty() {
        return defined;
    }
    for (gi, gr) in sel.groups.iter().enumerate() {
        let options = gr.options(&sel.all);
        let Some(Some(verdict)) = verdicts.get(&ix.terms[options[0].term].key) else {
            continue;
        };
        defined[gi] = match verdict {
            None => Defined::Own,
            Some(c) => match options.iter().position(|o| ix.terms[o.term].concept == *c) {
                Some(k) => {
                    sel.chosen[gi] = k;
                    sel.undecided[gi] = false;
                    Defined::AsChosen
                }
                None => Defined::Own,
            },
        };
    }
    defined
}

/// **Pass 4, judgement: part of speech and forms.** For each span whose chosen option
/// [`Selection::is_read`], whether the text uses the word in the glossary's sense
/// ([`senses::judge`]: idioms, names, part of speech, evidence for generic words). A noun
/// sense where the text has a verb falls back to a verb *form*: the same concept's verb term
/// of this word, or another option's verb term (which then becomes the chosen one).
///
/// Out: one flag per group, whether it stays a mention (empty: all stay).
fn judge_spans(s: &Search, ev: &Evidence, defined: &[Defined], sel: &mut Selection) -> Vec<bool> {
    let ix = s.ix;
    let tags = pos::TagMemo::new(s.text);
    let mut keep = Vec::with_capacity(sel.groups.len());
    // Groups dropped only for want of evidence near them: one sense per discourse may
    // still give them one (below).
    let mut unproven = Vec::new();
    for (gi, gr) in sel.groups.iter().enumerate() {
        let k = sel.chosen[gi];
        if defined[gi] == Defined::Own {
            keep.push(false);
            continue;
        }
        if !sel.is_read(s, gr, k) {
            keep.push(true);
            continue;
        }
        let options = gr.options(&sel.all);
        let judge =
            |k: usize, read: Reading| judge_span(s, ev, &tags, &sel.groups, &sel.all, gi, k, read);
        let kept = match judge(k, Reading::Found) {
            Ok(()) => true,
            // The text defines the word: jargon here whatever is near it.
            Err(senses::NotAMention::NoEvidence) if defined[gi] == Defined::AsChosen => true,
            Err(senses::NotAMention::NoEvidence) => {
                unproven.push(gi);
                false
            }
            // A noun sense where the text has a verb: a verb sense of the same word
            // may fit ("target" the audience: targeting).
            // A noun term of a concept that also has this word as a form of one of
            // its verb terms ("targeting", a noun and a form of "target"): the verb
            // fits the slot.
            Err(senses::NotAMention::Verb)
                if gr.verbs.contains(&ix.terms[options[k].term].concept)
                    && judge(k, Reading::Verb).is_ok() =>
            {
                true
            }
            Err(senses::NotAMention::Verb) => {
                let other = (0..options.len()).find(|&o| {
                    o != k
                        && ix.terms[options[o].term].sense.verb
                        && judge(o, Reading::Found).is_ok()
                });
                if let Some(o) = other {
                    sel.chosen[gi] = o;
                }
                // A noun that is also a verb ("launch", "query"), used as one: the concept's
                // act, judged as a verb form of the noun ("we launch the app").
                other.is_some()
                    || (ix.terms[options[k].term].sense.verb_word
                        && judge(k, Reading::VerbForm).is_ok())
            }
            Err(_) => false,
        };
        keep.push(kept);
    }
    one_sense_per_discourse(s.ix, ev, sel, &unproven, &mut keep);
    keep
}

/// **One sense per discourse** (Gale, Church and Yarowsky 1992): a word a text uses as jargon
/// in a sense its evidence decided keeps that sense through the text. A generic word dropped
/// for want of evidence near it (`unproven`) is a mention after all when the same word (term
/// key) is kept elsewhere in the text, decided, in a sense it can take, with a cue or another
/// term of that sense in its own sentence or the next ([`VERB_FORM_EVIDENCE`]): "cookie" in
/// the ticket's third paragraph is the tracking cookie its first paragraph established. The
/// word must have been established in only one sense in the text; a text that uses it in two
/// senses lends neither, and a mention kept on weaker grounds lends nothing.
fn one_sense_per_discourse(
    ix: &Index,
    ev: &Evidence,
    sel: &mut Selection,
    unproven: &[usize],
    keep: &mut [bool],
) {
    if unproven.is_empty() {
        return;
    }
    // Term key -> the concept it was established in (None: more than one).
    let mut decided: FxHashMap<u32, Option<ConceptId>> = FxHashMap::default();
    for (gi, gr) in sel.groups.iter().enumerate() {
        if !keep[gi] || sel.undecided[gi] {
            continue;
        }
        let t = &ix.terms[gr.options(&sel.all)[sel.chosen[gi]].term];
        if t.sense.verb_form || ev.score(gi, gr, t.concept) < VERB_FORM_EVIDENCE {
            continue;
        }
        decided
            .entry(t.key)
            .and_modify(|c| {
                if *c != Some(t.concept) {
                    *c = None;
                }
            })
            .or_insert(Some(t.concept));
    }
    for &gi in unproven {
        let options = sel.groups[gi].options(&sel.all);
        let key = ix.terms[options[sel.chosen[gi]].term].key;
        let Some(Some(concept)) = decided.get(&key) else {
            continue;
        };
        if let Some(o) = options
            .iter()
            .position(|o| ix.terms[o.term].concept == *concept && !ix.terms[o.term].sense.verb_form)
        {
            sel.chosen[gi] = o;
            sel.undecided[gi] = false;
            keep[gi] = true;
        }
    }
}

/// How [`judge_span`] reads a span's word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// As the form that was found.
    Found,
    /// As a form of a verb term of the same concept.
    Verb,
    /// As a verb form of its noun term ([`senses::TermSense::verb_form`]).
    VerbForm,
}

/// [`senses::judge`] of option `k` of group `gi`, the word read as `read` says. A rejection
/// is logged at debug level with its reason.
#[allow(clippy::too_many_arguments)]
fn judge_span(
    s: &Search,
    ev: &Evidence,
    tags: &pos::TagMemo,
    groups: &[Group],
    all: &[Candidate],
    gi: usize,
    k: usize,
    read: Reading,
) -> Result<(), senses::NotAMention> {
    let (ix, text) = (s.ix, s.text);
    let gr = &groups[gi];
    let t = &ix.terms[gr.options(all)[k].term];
    let concept = &s.g.concepts()[t.concept];
    let mut sense = t.sense;
    match read {
        Reading::Found => {}
        Reading::Verb => sense.verb = true,
        Reading::VerbForm => sense = sense.as_verb_form(),
    }
    let after_term = gi.checked_sub(1).is_some_and(|p| {
        let between = &text[groups[p].end..gr.start];
        !between.is_empty() && between.bytes().all(|b| b == b' ')
    });
    // A noun's verb form needs evidence of its own concept near it: its cues or other terms
    // in its sentence or the next (every verb has everyday uses: "committed to").
    let verdict = senses::judge(
        text,
        gr.start,
        gr.end,
        sense,
        concept,
        after_term,
        tags,
        || {
            if sense.verb_form {
                // The noun it is a form of does not vouch for it ("features" for "featured").
                let term = gr.options(all)[k].term.index();
                let noun = (0..term).rev().find(|&o| !ix.terms[o].sense.verb_form);
                let noun = noun.map(|o| ix.terms[o].key);
                let near = ev.score_but(gi, gr, t.concept, noun);
                u32::from(near >= VERB_FORM_EVIDENCE)
            } else {
                jargon_evidence(ix, ev, groups, all, gi, t.key)
            }
        },
    );
    if let Err(why) = verdict {
        tracing::debug!(
            span = &text[gr.start..gr.end],
            at = gr.start,
            concept = concept.id,
            ?why,
            "not a mention"
        );
    }
    verdict
}

/// Evidence that the word of group `gi` (folded term `key`) is jargon here, for any of its
/// senses (the reader's side may have picked one with less): near the span (cues, other
/// terms, the text's domain), or twice in the text.
fn jargon_evidence(
    ix: &Index,
    ev: &Evidence,
    groups: &[Group],
    all: &[Candidate],
    gi: usize,
    key: u32,
) -> u32 {
    let gr = &groups[gi];
    let concepts = gr.options(all).iter().map(|o| ix.terms[o.term].concept);
    let near: u32 = concepts
        .clone()
        .map(|c| ev.score(gi, gr, c) + ev.coherence(ix, gi, c))
        .sum();
    if near > 0 {
        return near;
    }
    // An everyday cue word that is itself a generic mention ("account" as a cue of
    // "opportunity" and the other way round) proves nothing.
    let generic_at = |at: usize| {
        let k = groups.partition_point(|g| g.start <= at);
        k > 0 && at < groups[k - 1].end && ev.generic[k - 1]
    };
    concepts
        .map(|c| ev.in_text(c, key, generic_at).saturating_sub(1))
        .sum()
}

/// Keeps the items of `v` whose flag in `keep` (one per item) is set.
fn retain_kept<T>(v: &mut Vec<T>, keep: &[bool]) {
    let mut flags = keep.iter();
    v.retain(|_| flags.next().copied().unwrap_or(true));
}

/// How much evidence ([`Evidence::score`]: 3 for a cue or other term of the concept in the same
/// sentence, 2 in the next or previous one, 1 two away) a noun's verb form needs: one cue or
/// term in its sentence or the next ([`senses::TermSense::verb_form`]); mentions of the noun
/// it is a form of do not count. Measured on the real-text set against any evidence within
/// two sentences (1), three (one in the same sentence) and the concept's tags nearby: 2 kept
/// recall and had the least noise.
const VERB_FORM_EVIDENCE: u32 = 2;

/// How many cues and other terms of a concept a whole text must show before they count as
/// evidence for it away from the passage ([`Evidence::document`]).
const DOCUMENT_EVIDENCE: u32 = 3;

/// Evidence for ambiguous mentions: cues and other concepts' mentions, by sentence.
struct Evidence {
    /// (sentence, concept, start byte) of every cue occurrence.
    cues: Vec<CueAt>,
    /// (sentence, range of its concepts in `concepts`, folded key of the term) of every
    /// selected group.
    mentions: Vec<(u32, (u32, u32), u32)>,
    concepts: Vec<ConceptId>,
    /// Per concept, its cue occurrences and mentions in the whole text; per (concept, term
    /// key), the mentions by that key: what [`Evidence::document`] reads.
    in_doc: FxHashMap<ConceptId, u32>,
    in_doc_by_key: FxHashMap<(ConceptId, u32), u32>,
    /// Per selected group, whether all its options are generic words: a mention that needs
    /// evidence itself, so no evidence for others (of the text's domain, nor as a cue).
    generic: Vec<bool>,
}

impl Evidence {
    fn new(ix: &Index, cues: Vec<CueAt>, groups: &[Group], all: &[Candidate]) -> Evidence {
        let mut concepts: Vec<ConceptId> = Vec::with_capacity(groups.len());
        let mentions: Vec<(u32, (u32, u32), u32)> = groups
            .iter()
            .map(|gr| {
                let a = concepts.len() as u32;
                let options = gr.options(all);
                // A noun's verb form ("launched") is evidence for nothing: it needs evidence
                // itself, and two such forms must not vouch for each other.
                concepts.extend(
                    options
                        .iter()
                        .filter(|o| !ix.terms[o.term].sense.verb_form)
                        .map(|o| ix.terms[o.term].concept),
                );
                (
                    gr.sentence,
                    (a, concepts.len() as u32),
                    ix.terms[options[0].term].key,
                )
            })
            .collect();
        let mut in_doc: FxHashMap<ConceptId, u32> = FxHashMap::default();
        let mut in_doc_by_key: FxHashMap<(ConceptId, u32), u32> = FxHashMap::default();
        for c in &cues {
            *in_doc.entry(c.1).or_default() += 1;
        }
        for &(_, r, key) in &mentions {
            for &c in &concepts[r.0 as usize..r.1 as usize] {
                *in_doc.entry(c).or_default() += 1;
                *in_doc_by_key.entry((c, key)).or_default() += 1;
            }
        }
        let generic = groups
            .iter()
            .map(|gr| {
                gr.options(all)
                    .iter()
                    .all(|o| ix.terms[o.term].sense.generic)
            })
            .collect();
        Evidence {
            cues,
            mentions,
            concepts,
            in_doc,
            in_doc_by_key,
            generic,
        }
    }

    /// Evidence for `concept` in the whole text: its cue occurrences and its mentions by a
    /// term other than `key` (the ambiguous word itself proves nothing), when there are at
    /// least [`DOCUMENT_EVIDENCE`] of them: a text about one sense ("release" in a handbook
    /// on deployments) says so throughout, while one or two stray cue words pages away say
    /// little. Tallied once per text, so it costs nothing per mention.
    fn document(&self, concept: ConceptId, key: u32) -> u32 {
        let all = self.in_doc.get(&concept).copied().unwrap_or(0);
        let own = self
            .in_doc_by_key
            .get(&(concept, key))
            .copied()
            .unwrap_or(0);
        let n = all - own;
        if n >= DOCUMENT_EVIDENCE {
            n
        } else {
            0
        }
    }

    /// The option of `options` whose concept has a cue in the word right before the span,
    /// one space away ("slack channel", "sales lead"), when exactly one concept has: a noun
    /// modifier names the kind of thing the compound is.
    fn compound_modifier(
        &self,
        ix: &Index,
        text: &str,
        gr: &Group,
        options: &[Candidate],
    ) -> Option<usize> {
        let before = text[..gr.start].strip_suffix(' ')?;
        let word = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '-'))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        if word == before.len() {
            return None;
        }
        let a = self.cues.partition_point(|c| c.2 < word);
        let at: Vec<ConceptId> = self.cues[a..]
            .iter()
            .take_while(|c| c.2 == word)
            .map(|c| c.1)
            .collect();
        let mut hit =
            (0..options.len()).filter(|&k| at.contains(&ix.terms[options[k].term].concept));
        let k = hit.next()?;
        let concept = ix.terms[options[k].term].concept;
        hit.all(|o| ix.terms[options[o].term].concept == concept)
            .then_some(k)
    }

    /// The concepts of mention `r` (a range from `mentions`).
    fn of(&self, r: (u32, u32)) -> &[ConceptId] {
        &self.concepts[r.0 as usize..r.1 as usize]
    }

    fn weight(a: u32, b: u32) -> u32 {
        match a.abs_diff(b) {
            0 => 3,
            1 => 2,
            2 => 1,
            _ => 0,
        }
    }

    fn score(&self, gi: usize, gr: &Group, concept: ConceptId) -> u32 {
        self.score_but(gi, gr, concept, None)
    }

    /// [`Evidence::score`], mentions by the term key `but` left out too.
    fn score_but(&self, gi: usize, gr: &Group, concept: ConceptId, but: Option<u32>) -> u32 {
        let (sentence, _, key) = &self.mentions[gi];
        let span = gr.start..gr.end;
        // Only sentences within two of this one weigh anything, and both lists are in text
        // order (sentence numbers never decrease): look at that window only.
        let (lo, hi) = (sentence.saturating_sub(2), sentence + 2);
        let cues = {
            let a = self.cues.partition_point(|c| c.0 < lo);
            let b = self.cues.partition_point(|c| c.0 <= hi);
            &self.cues[a..b]
        };
        let a = self.mentions.partition_point(|m| m.0 < lo);
        let b = self.mentions.partition_point(|m| m.0 <= hi);
        let cue_score: u32 = cues
            .iter()
            .filter(|(_, c, at, _)| *c == concept && !span.contains(at))
            .map(|(s, _, _, _)| Self::weight(*s, *sentence))
            .sum();
        let term_score: u32 = self.mentions[a..b]
            .iter()
            .enumerate()
            .map(|(k, m)| (k + a, m))
            .filter(|(k, (_, cs, kk))| {
                *k != gi && kk != key && Some(*kk) != but && self.of(*cs).contains(&concept)
            })
            .map(|(_, (s, _, _))| Self::weight(*s, *sentence))
            .sum();
        cue_score + term_score
    }

    /// How many unambiguous mentions within two sentences belong to a concept that shares a
    /// tag with `concept`: the text's domain, a weak hint used only when cues and terms
    /// (the evidence of SPEC §3) and the reader's side leave a tie. A generic word's mention
    /// needs evidence itself and vouches for nothing (three everyday words far from any cue
    /// would otherwise prove each other).
    fn coherence(&self, ix: &Index, gi: usize, concept: ConceptId) -> u32 {
        let sentence = self.mentions[gi].0;
        let tags = ix.tags(concept);
        let a = self
            .mentions
            .partition_point(|m| m.0 < sentence.saturating_sub(2));
        let b = self.mentions.partition_point(|m| m.0 <= sentence + 2);
        self.mentions[a..b]
            .iter()
            .enumerate()
            .filter(|(k, (_, cs, _))| {
                let cs = self.of(*cs);
                k + a != gi && cs.len() == 1 && cs[0] != concept && !self.generic[k + a]
            })
            .filter(|(_, (_, cs, _))| ix.tags(self.of(*cs)[0]).iter().any(|t| tags.contains(t)))
            .map(|(_, (s, _, _))| Self::weight(*s, sentence))
            .sum()
    }

    /// Evidence for `concept` anywhere in the text: its cues, and its mentions by a term other
    /// than `key`, each counted once. A document is about its subject throughout: a cue three
    /// paragraphs away still says which sense the text is in. A cue that is an everyday word
    /// (not `distinct`) at a span `generic_at` says is itself an unproven generic mention is
    /// left out.
    fn in_text(&self, concept: ConceptId, key: u32, generic_at: impl Fn(usize) -> bool) -> u32 {
        let cues = self
            .cues
            .iter()
            .filter(|c| c.1 == concept && (c.3 || !generic_at(c.2)))
            .count();
        let terms = self
            .mentions
            .iter()
            .filter(|(_, cs, k)| *k != key && self.of(*cs).contains(&concept))
            .count();
        (cues + terms) as u32
    }

    /// Index into `options` (group `gi`'s) of the best concept, and whether the evidence
    /// separates it from the others (SPEC §3 "no guessing"). The evidence of a concept is what
    /// its glossary profile finds in the text (`weights`, [`super::profile`]) plus its cues and
    /// other terms (the passage's weighted three times, the whole text's when it has enough);
    /// ties go to the side of a jargon modifier right before the word, then the side the
    /// reader does not speak, then the text's domain (shared tags), then the better score.
    #[allow(clippy::too_many_arguments)]
    fn best(
        &self,
        ix: &Index,
        gi: usize,
        gr: &Group,
        options: &[Candidate],
        weights: &[f32],
        reader: Option<Side>,
        modifier: Option<Side>,
    ) -> (usize, bool) {
        let total = |k: usize| {
            let t = &ix.terms[options[k].term];
            (3 * self.score(gi, gr, t.concept) + self.document(t.concept, t.key)) as f32
        };
        let totals: Vec<f32> = (0..options.len()).map(total).collect();
        let rank = |k: usize| {
            let t = &ix.terms[options[k].term];
            let modified = modifier == Some(t.side);
            let other_side = reader.is_some_and(|r| t.side != r);
            // Evidence in tenths: a difference below that is no difference. The profiles'
            // evidence breaks ties of cues and terms, before the reader's side does.
            (
                (totals[k] * 10.0) as u32,
                modified,
                (weights[k] * 10.0) as u32,
                other_side,
            )
        };
        let firsts: Vec<_> = (0..options.len()).map(rank).collect();
        let Some(&top) = firsts.iter().max() else {
            return (0, true);
        };
        // The domain hint (a scan of the mentions nearby) only for the options still tied.
        let then = |k: usize| {
            let o = &options[k];
            let coherence = self.coherence(ix, gi, ix.terms[o.term].concept);
            (coherence, (o.score * 1000.0) as u32)
        };
        let tied: Vec<usize> = (0..options.len()).filter(|&k| firsts[k] == top).collect();
        let k = match tied[..] {
            [k] => k,
            _ => tied
                .into_iter()
                .max_by_key(|&k| (then(k), std::cmp::Reverse(k)))
                .unwrap_or(0),
        };
        let concept = ix.terms[options[k].term].concept;
        // A jargon modifier of one side before the word decides ("email campaign").
        let by_modifier = modifier.is_some()
            && (0..options.len())
                .filter(|&o| firsts[o].1)
                .all(|o| ix.terms[options[o].term].concept == concept);
        let lead = |of: &[f32]| {
            let runner_up = (0..options.len())
                .filter(|&o| ix.terms[options[o].term].concept != concept)
                .map(|o| of[o])
                .fold(0.0f32, f32::max);
            of[k] - runner_up
        };
        let decided = by_modifier
            || lead(&totals) >= MIN_MARGIN.max(MARGIN_SHARE * totals[k])
            || lead(weights) >= PROFILE_MARGIN;
        (k, decided)
    }
}

/// The least lead of the best sense over the next one that counts as a decision: about one
/// rare profile word in the passage, or a cue in the same sentence.
const MIN_MARGIN: f32 = 3.0;
/// ... and at least this share of the best sense's evidence.
const MARGIN_SHARE: f32 = 0.2;
/// The least lead in the glossary profiles' evidence that decides by itself: a few words of
/// one sense's entry that the text shows and the other's does not.
const PROFILE_MARGIN: f32 = 8.0;

/// **Pass 5, mentions.** In: the judged selection. Out: one [`Mention`] per group, in text
/// order, with its chosen term first in [`Mention::terms`], its offsets counted once
/// ([`crate::lines::Offsets`]) and `first_mention` set on the first of each concept.
fn mentions(
    ix: &Index,
    g: &Glossary,
    text: &str,
    sel: &Selection,
    opts: &MatchOptions,
) -> Vec<Mention> {
    let (groups, all) = (&sel.groups, &sel.all);
    let (chosen, undecided) = (&sel.chosen, &sel.undecided);
    let mut out = Vec::with_capacity(groups.len());
    let mut offsets = crate::lines::Offsets::new(text);
    let mut seen_concepts = rustc_hash::FxHashSet::default();
    for ((gr, &k), &undecided) in groups.iter().zip(chosen).zip(undecided) {
        let options = gr.options(all);
        let best = options[k];
        let t = &ix.terms[best.term];
        let concept = &g.concepts()[t.concept];
        let shared = gr.shared.contains(&t.concept);
        // Common knowledge took the word from the senses it would otherwise be read as;
        // no reader needs it annotated.
        if shared && options.len() > 1 && concept.is_common_knowledge() {
            continue;
        }
        let side = match (shared, opts.audience) {
            (true, Some(r)) => r,
            (true, None) => Side::It,
            _ => t.side,
        };
        // The chosen option first, then the others in their order.
        let others = options
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != k)
            .map(|(_, o)| o.term);
        let terms: Vec<TermId> = std::iter::once(best.term).chain(others).collect();
        let alternatives = terms[1..]
            .iter()
            .map(|&o| g.concepts()[ix.terms[o].concept].id.clone())
            .collect();
        let (char_start, utf16_start) = offsets.advance(gr.start);
        let (char_end, utf16_end) = offsets.advance(gr.end);
        out.push(Mention {
            start: gr.start,
            end: gr.end,
            char_start,
            char_end,
            utf16_start,
            utf16_end,
            text: text[gr.start..gr.end].to_string(),
            concept_id: concept.id.clone(),
            side,
            term: ix.term_text(g, best.term).to_string(),
            kind: best.kind,
            score: best.score,
            alternatives,
            false_friend: ix.keys[t.key as usize].false_friend,
            shared,
            first_mention: seen_concepts.insert(t.concept),
            undecided,
            generic: t.sense.generic,
            terms,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn fixture() -> &'static (Glossary, Index) {
        static G: OnceLock<(Glossary, Index)> = OnceLock::new();
        G.get_or_init(|| {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/glossary");
            let g = Glossary::load_dir(std::path::Path::new(dir)).unwrap();
            let ix = Index::build(&g);
            (g, ix)
        })
    }

    /// Text of terms (whole, split, joined, misspelt, plural), cues, sentence ends and
    /// markup, so that mentions, walks and cue phrases straddle any cut.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("latency"),
            Just("Latencies"),
            Just("response time"),
            Just("page speed"),
            Just("load-time"),
            Just("web hooks"),
            Just("webhook"),
            Just("phising"),
            Just("build pipeline"),
            Just("application programming interface"),
            Just("application program-ming interfaces"),
            Just("fake email scam"),
            Just("pipeline"),
            Just("deploy"),
            Just("deployed"),
            Just("deploying"),
            Just("merge request"),
            Just("merge requests"),
            Just("merge requested"),
            Just("merges"),
            Just("forecasts"),
            Just("hooks"),
            Just("web"),
            Just("pipe line"),
            Just("latancy"),
            Just("deal"),
            Just("quarter"),
            Just("API's"),
            Just("Go"),
            Just("the"),
            Just(". "),
            Just("\n\n"),
            Just("`code`"),
            Just("é"),
            Just("\u{33b3}"),
            Just("ms"),
            Just("  "),
            Just(" "),
        ];
        prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Matching a text in pieces of any size, remembering words' look-ups and filtering
        /// them, gives the annotations of matching it whole, without memo or filter; so does
        /// any one of the three alone.
        #[test]
        fn tuning_changes_nothing(
            text in text(),
            piece in 1usize..64,
            memo in any::<bool>(),
            filter in any::<bool>(),
            exact_only in any::<bool>(),
            any_case in any::<bool>(),
        ) {
            let (g, ix) = fixture();
            let opts = MatchOptions { exact_only, ..MatchOptions::default() };
            let plain = Tuning { piece: usize::MAX, memo: false, filter: false };
            let whole = find_in_pieces(ix, g, &text, &opts, any_case, plain);
            let tuned = Tuning { piece, memo, filter };
            let tuned = find_in_pieces(ix, g, &text, &opts, any_case, tuned);
            prop_assert_eq!(&tuned, &whole);
            let fast = Tuning { piece, memo: true, filter: true };
            let fast = find_in_pieces(ix, g, &text, &opts, any_case, fast);
            prop_assert_eq!(fast, whole);
        }
    }
}
