//! Gaps (SPEC §8): jargon-looking spans of a text that no concept covers, so that glossary
//! owners learn what their readers keep meeting unexplained.
//!
//! Four kinds, each read from the text itself:
//!
//! - **acronyms** and initialisms, with plurals ("OKRs"; a possessive is read past but is not
//!   part of the gap: "SAE's" is "SAE"): two to six
//!   capitals, not a well-known abbreviation (`abbreviations.txt`, the all-capital words of
//!   SCOWL), not an English word in capitals ("NOTE", "DO NOT"), not a Roman numeral, not glued
//!   into an identifier ("utm_source", "TL;DR", "v2.AB"), not a word of a proper name
//!   ("Informa PLC", "IWK Social Business"), not a writing marker ([`PLACEHOLDERS`]: "TODO");
//!   and, unless the text spells the letters out somewhere, not known elsewhere: two letters
//!   the tagger's lexicon holds ("BT"), a word of a glossary term ("SMS" of "SMS marketing"),
//!   an organisation acting ("IDC recommends"), letters on a line that names a person (a job
//!   title, a team, a region: "Marci Geisler - Manager, EMEA");
//! - **defined** acronyms: the text spells them out, "Incident Manager On Call (IMOC)" or
//!   "IMOC (Incident Manager On Call)"; the other occurrences of the letters are gaps too;
//! - **names** of processes and roles: two to four capitalised words, the first an English
//!   word, repeated in the text outside headings and tables ("Economic Buyer", "Meeting
//!   Setting"), with no glossary term inside, no word the lexicon knows only as a proper noun
//!   ("Matt Bertrand"), not the start of a glossary term ("First Touch" of "first-touch
//!   attribution"); once in title case inside a sentence is enough when the text also
//!   introduces the name in another case, opening a list item or in quotation marks ("types of
//!   Content Tracks" ... "- Content tracks: ..."), and those places are gaps too; and a
//!   glossary word numbered as a rank ("Tier 1"), which the sense rules leave out as a
//!   compound of its own;
//! - **words** no dictionary holds, in lower case, that the text uses as its own vocabulary
//!   ([`vocabulary`]: "nack", "nacked", "nacks"), not English formed from English
//!   ("codebase"), not a misspelling, a name or a user handle; or such a word as a modifier
//!   with its noun.
//!
//! Nothing a concept covers is a gap: no span overlapping an annotation, no text that is a term
//! (even where the sense rules did not take it). A new kind goes here, as a [`GapKind`] and a
//! function over the text's words, with a test in `tests/gaps.rs`.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::index::{fold_phrase, fold_word, Index};
use super::lexicon::{common_words, hash_str, Bloom, WordSet};
use super::mention::Mention;
use super::pos;

/// A span of jargon the glossary lacks. Offsets as in [`Mention`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// UTF-8 byte offsets `[start, end)`.
    pub start: usize,
    pub end: usize,
    /// The span in Unicode scalar values.
    pub char_start: usize,
    pub char_end: usize,
    /// The span in UTF-16 code units.
    pub utf16_start: usize,
    pub utf16_end: usize,
    /// The text as written.
    pub text: String,
    pub kind: GapKind,
}

/// Why a span looks like jargon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GapKind {
    /// An unknown acronym or initialism.
    Acronym,
    /// An acronym the text spells out beside it.
    Defined,
    /// A capitalised multi-word name repeated in the text.
    Name,
    /// A lower-case word no dictionary holds, used as a word of the text's own vocabulary:
    /// several times, inside sentences ("nack", "nacked"); or an unknown modifier with its
    /// noun ("firmographic data").
    Word,
}

impl GapKind {
    /// The name used on the wire and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Acronym => "acronym",
            GapKind::Defined => "defined",
            GapKind::Name => "name",
            GapKind::Word => "word",
        }
    }
}

impl Gap {
    /// The form gaps are counted under: an acronym without its plural or possessive, a name
    /// folded ("OKRs" and "OKR's" are "OKR"; "Economic buyers" is "economic buyer").
    pub fn key(&self) -> String {
        match self.kind {
            GapKind::Acronym | GapKind::Defined => acronym_core(&self.text).0.to_string(),
            GapKind::Word => family(&self.text.to_ascii_lowercase()).to_string(),
            GapKind::Name => {
                let folded = fold_phrase(&self.text);
                folded
                    .strip_suffix('s')
                    .filter(|s| !s.ends_with('s'))
                    .map_or(folded.clone(), str::to_string)
            }
        }
    }
}

/// Markers writers leave in drafts and chat: all-capital, in no dictionary list (SCOWL's
/// abbreviations lack them), never domain jargon. The one hand list of this module, kept to
/// writing conventions of this kind; a term never goes here.
const PLACEHOLDERS: &[&str] = &["TODO", "TBD", "TBA", "TBC", "WIP", "FIXME", "TLDR", "XXX"];

fn abbreviations() -> &'static WordSet {
    static SET: OnceLock<WordSet> = OnceLock::new();
    SET.get_or_init(|| WordSet::new(data(include_str!("abbreviations.txt"))))
}

fn short_words() -> &'static WordSet {
    static SET: OnceLock<WordSet> = OnceLock::new();
    SET.get_or_init(|| WordSet::new(data(include_str!("short_words.txt"))))
}

fn data(text: &str) -> impl Iterator<Item = &str> {
    super::lexicon::data_lines(text).filter(|l| !l.starts_with('#') && !l.is_empty())
}

/// Whether `lower` (lower case) is an English word: 2-3 letters from the short list, longer
/// ones from the common-word list.
fn is_english(lower: &str) -> bool {
    if lower.len() <= 3 {
        short_words().contains(lower)
    } else {
        common_words().contains(lower)
    }
}

/// A run of alphanumeric characters.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Word { start: s, end: i });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word {
            start: s,
            end: text.len(),
        });
    }
    out
}

/// The words that start with an ASCII capital, in order (a word: a run of alphanumeric
/// characters; bytes of other scripts count as word bytes, so such words fail the ASCII rules).
fn capital_words(text: &str) -> Vec<Word> {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c >= 0x80;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // Eight bytes at a time past text without an ASCII capital (most of it).
        if let Some(chunk) = b.get(i..i + 8) {
            if !has_capital(u64::from_le_bytes(chunk.try_into().expect("8 bytes"))) {
                i += 8;
                continue;
            }
        }
        if b[i].is_ascii_uppercase() && (i == 0 || !word(b[i - 1])) {
            let start = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i == b.len() || b[i] < 0x80 {
                out.push(Word { start, end: i });
                continue;
            }
            // Another script: letters of it go on the word, anything else ("DRI—") ends it.
            while i < b.len() && word(b[i]) {
                i += 1;
            }
            let mut end = i;
            while end > start && !text.is_char_boundary(end) {
                end -= 1;
            }
            let end = text[start..end]
                .char_indices()
                .find(|&(_, c)| !c.is_alphanumeric())
                .map_or(end, |(k, _)| start + k);
            out.push(Word { start, end });
            i = end.max(start + 1);
            while i < b.len() && !text.is_char_boundary(i) {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Whether one of the eight bytes of `x` is an ASCII capital (0x41..=0x5A): bytes under
/// 0x80 with their high bit cleared are compared by adding what carries them past 0x7F,
/// without carries between bytes.
fn has_capital(x: u64) -> bool {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let y = x & LOW;
    let at_least_a = y + 0x3f3f_3f3f_3f3f_3f3f; // high bit set where y >= 0x41
    let past_z = y + 0x2525_2525_2525_2525; // high bit set where y >= 0x5b
    at_least_a & !past_z & !x & HIGH != 0
}

/// The word right before `at`, one space away ("Informa" before "PLC").
fn word_before(text: &str, at: usize) -> Option<&str> {
    let t = text[..at].strip_suffix(' ')?;
    let start = t
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric())
        .last()
        .map(|(k, _)| k)?;
    Some(&t[start..])
}

/// The word right after `at`, one space away.
fn word_after(text: &str, at: usize) -> Option<&str> {
    let t = text[at..].strip_prefix(' ')?;
    let len = t
        .char_indices()
        .find(|&(_, c)| !c.is_alphanumeric())
        .map_or(t.len(), |(k, _)| k);
    (len > 0).then(|| &t[..len])
}

/// `w` without a plural `s` ("OKRs"), and whether it had one.
fn acronym_core(w: &str) -> (&str, bool) {
    let w = w
        .strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .unwrap_or(w);
    match w.strip_suffix('s') {
        Some(core) if core.len() >= 2 && core.bytes().all(|b| b.is_ascii_uppercase()) => {
            (core, true)
        }
        _ => (w, false),
    }
}

fn all_caps(w: &str) -> bool {
    w.len() >= 2 && w.bytes().all(|b| b.is_ascii_uppercase())
}

fn title_case(w: &str) -> bool {
    let mut b = w.bytes();
    w.len() >= 2
        && b.next().is_some_and(|c| c.is_ascii_uppercase())
        && b.all(|c| c.is_ascii_lowercase())
}

/// A capitalised word that is not English: a name ("Informa", "Syda").
fn is_name_word(w: &str) -> bool {
    title_case(w) && w.len() >= 4 && !is_english(&w.to_ascii_lowercase())
}

/// Punctuation that glues a word into an identifier, a path or an address when a letter or
/// digit is on its other side.
const GLUE: &[char] = &[
    '-', '_', '/', '.', '@', '#', ';', ':', '=', '\\', '&', '+', '$', '%',
];

fn glued_before(text: &str, at: usize) -> bool {
    let mut back = text[..at].chars().rev();
    matches!((back.next(), back.next()), (Some(g), Some(c)) if GLUE.contains(&g) && c.is_alphanumeric())
}

fn glued_after(text: &str, at: usize) -> bool {
    let mut fwd = text[at..].chars();
    matches!((fwd.next(), fwd.next()), (Some(g), Some(c)) if GLUE.contains(&g) && c.is_alphanumeric())
}

/// Whether the word at `start` begins a sentence (or a line, a list item, a heading).
fn sentence_start(text: &str, start: usize) -> bool {
    let before = text[..start]
        .trim_end_matches(|c: char| c == ' ' || c == '\t' || "*_>#-+`\"'“‘([|".contains(c));
    before.is_empty() || before.ends_with(['.', '!', '?', ':', '\n', '\r'])
}

/// The lines of a text, found once, and whether each is a [`title_line`], decided at most
/// once per line: with a per-name scan, a text of one long line costs the square of its length.
struct Lines<'t> {
    text: &'t str,
    /// The byte after each line break.
    starts: Vec<usize>,
    title: Vec<Option<bool>>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let title = vec![None; starts.len()];
        Lines {
            text,
            starts,
            title,
        }
    }

    /// Whether the line holding byte `at` is a title line.
    fn title_at(&mut self, at: usize) -> bool {
        let k = self.starts.partition_point(|&s| s <= at) - 1;
        if let Some(known) = self.title[k] {
            return known;
        }
        let a = self.starts[k];
        let b = self.starts.get(k + 1).map_or(self.text.len(), |&s| s - 1);
        let title = title_line(&self.text[a..b]);
        self.title[k] = Some(title);
        title
    }
}

/// A heading, a table row or a line in title case (most of its words capitalised): names
/// there are typography, not evidence.
fn title_line(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with('|') {
        return true;
    }
    let ws = words(t);
    let long: Vec<&str> = ws
        .iter()
        .map(|w| &t[w.start..w.end])
        .filter(|w| w.len() > 3)
        .collect();
    long.len() >= 2
        && long
            .iter()
            .filter(|w| w.starts_with(|c: char| c.is_uppercase()))
            .count()
            * 10
            >= long.len() * 8
}

/// The gaps of `text`, in order. `excluded` are the byte ranges that are not prose (code,
/// URLs, tags), sorted; `annotations` the text's mentions.
pub(crate) fn find(
    ix: &Index,
    text: &str,
    excluded: &[Range<usize>],
    annotations: &[impl AsRef<Mention>],
) -> Vec<Gap> {
    // Every rule starts at a capitalised word; the rest of the text is only looked at around
    // them, so a text costs one pass over its bytes.
    let ws: Vec<Word> = capital_words(text)
        .into_iter()
        .filter(|w| !inside(excluded, w.start, w.end))
        .collect();
    let overlaps = |s: usize, e: usize| {
        let k = annotations.partition_point(|a| a.as_ref().end <= s);
        annotations.get(k).is_some_and(|a| a.as_ref().start < e)
    };
    let is_term = |t: &str| ix.terms_with_key_text(&fold_phrase(t)).is_some();
    let mut chunks = Chunks::default();
    let mut out: Vec<(usize, usize, GapKind)> = Vec::new();
    // Acronyms the text spells out, and those other sources know (kept if the text spells
    // them out elsewhere).
    let mut defined: Vec<&str> = Vec::new();
    let mut known: Vec<(usize, usize, &str)> = Vec::new();
    let people = people(text, &ws);
    for (i, w) in ws.iter().enumerate() {
        let mut end = w.end;
        let word = &text[w.start..w.end];
        let (core, plural) = acronym_core(word);
        if !all_caps(core) || core.len() > 6 {
            continue;
        }
        // The gap is the acronym without its possessive ("the BT's date" lacks "BT"); the
        // words around it are read past the possessive.
        let span_end = end;
        if !plural {
            for p in ["'s", "’s"] {
                if text[end..].starts_with(p) && !glued_after(text, end + p.len() - 1) {
                    end += p.len();
                }
            }
        }
        let prev = word_before(text, w.start);
        let next = word_after(text, end);
        let shouting =
            |n: Option<&str>| n.is_some_and(|n| all_caps(n) && is_english(&n.to_ascii_lowercase()));
        // Cheapest first: most capitals in a text are mentions already.
        let rejected = overlaps(w.start, span_end)
            || abbreviations().contains(core)
            || is_english(&core.to_ascii_lowercase())
            || core.bytes().all(|b| b"IVX".contains(&b))
            || glued_before(text, w.start)
            || glued_after(text, end)
            || shouting(prev)
            || shouting(next)
            || prev.is_some_and(is_name_word)
            || next.is_some_and(is_name_word)
            || chunks.is_address(text, w.start)
            || PLACEHOLDERS.contains(&core)
            || is_term(core);
        if rejected {
            continue;
        }
        if spelled_out(text, &ws, i, core) {
            defined.push(core);
            out.push((w.start, span_end, GapKind::Defined));
        } else if known_acronym(ix, text, core, end, next)
            || acts_as_name(text, w.start, core, plural, next)
            || near_person(text, &people, w.start)
        {
            known.push((w.start, span_end, core));
        } else {
            out.push((w.start, span_end, GapKind::Acronym));
        }
    }
    // What the text spells out is a gap wherever it is written, even where another source
    // knows the letters ("BT" is a company to the tagger's lexicon).
    out.extend(
        known
            .iter()
            .filter(|k| defined.contains(&k.2))
            .map(|&(s, e, _)| (s, e, GapKind::Acronym)),
    );
    names(ix, text, &ws, excluded, &overlaps, &is_term, &mut out);
    vocabulary(ix, text, excluded, &overlaps, &mut out);
    // A glossary word numbered as a rank ("Tier 1"): the sense rules leave it out as a
    // compound of its own; the compound is what the glossary lacks.
    for w in &ws {
        let word = &text[w.start..w.end];
        if title_case(word)
            && super::senses::numbered(text, w.end)
            && is_term(word)
            && !overlaps(w.start, w.end)
            && !glued_before(text, w.start)
        {
            let digits = text[w.end + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            out.push((w.start, w.end + 1 + digits, GapKind::Name));
        }
    }
    out.sort_unstable();
    out.dedup_by(|b, a| b.0 < a.1);
    with_offsets(text, out)
}

/// Whether `[s, e)` lies inside one of the sorted `ranges`.
fn inside(ranges: &[Range<usize>], s: usize, e: usize) -> bool {
    let k = ranges.partition_point(|r| r.end <= s);
    ranges.get(k).is_some_and(|r| r.start < e)
}

/// Whether the whitespace-delimited chunk around a byte is a URL, an e-mail address or code;
/// the last chunk is remembered, so that many words of one long chunk cost one scan of it.
#[derive(Default)]
struct Chunks {
    last: Option<(Range<usize>, bool)>,
}

impl Chunks {
    /// Bytes at or after the last chunk's start must be asked in order (words are).
    fn is_address(&mut self, text: &str, at: usize) -> bool {
        if let Some((range, answer)) = &self.last {
            if range.contains(&at) {
                return *answer;
            }
        }
        let a = text[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let b = text[at..]
            .find(char::is_whitespace)
            .map_or(text.len(), |i| at + i);
        let chunk = &text[a..b];
        let answer = chunk.contains("://")
            || chunk.contains("www.")
            || chunk.contains('@')
            || chunk.contains('`');
        self.last = Some((a..b, answer));
        answer
    }
}

/// The longest spelled-out form looked for after an acronym, in bytes.
const SPELLED_OUT_MAX: usize = 200;

/// Whether the text spells out acronym `ws[i]` next to it: capitalised words whose initials
/// are its letters, right before "(ACR)" or in parentheses right after it.
fn spelled_out(text: &str, ws: &[Word], i: usize, core: &str) -> bool {
    let w = ws[i];
    let initials = |range: &[Word]| -> String {
        range
            .iter()
            .map(|x| &text[x.start..x.end])
            .filter(|x| x.starts_with(|c: char| c.is_uppercase()))
            .filter_map(|x| x.chars().next())
            .collect()
    };
    let n = core.len();
    // "Incident Manager On Call (IMOC)"
    if text[..w.start].ends_with('(') && text[w.end..].starts_with([')', 's']) {
        let lo = i.saturating_sub(n + 2);
        let before: Vec<Word> = ws[lo..i]
            .iter()
            .filter(|x| x.start + 160 >= w.start)
            .copied()
            .collect();
        if initials(&before).ends_with(core) {
            return true;
        }
    }
    // "IMOC (Incident Manager On Call)"
    if text[w.end..].starts_with(" (") {
        // A spelled-out name is short: look that far only, so that a text of many "ACR ("
        // costs no more than its length.
        let window = &text.as_bytes()[w.end..text.len().min(w.end + SPELLED_OUT_MAX)];
        let close = memchr::memchr(b')', window).map(|k| w.end + k);
        if let Some(close) = close {
            let inner: Vec<Word> = ws[i + 1..]
                .iter()
                .take_while(|x| x.end <= close)
                .copied()
                .collect();
            if initials(&inner).starts_with(core) {
                return true;
            }
        }
    }
    false
}

/// Capitalised multi-word names repeated in the text (outside headings and tables), added to
/// `out` at each place.
fn names(
    ix: &Index,
    text: &str,
    ws: &[Word],
    excluded: &[Range<usize>],
    overlaps: &dyn Fn(usize, usize) -> bool,
    is_term: &dyn Fn(&str) -> bool,
    out: &mut Vec<(usize, usize, GapKind)>,
) {
    // Each name's places, and whether one of them is inside a sentence (not after a sentence
    // start: "title: Email Best Practices" capitalises a title).
    let mut seen: HashMap<String, (Vec<(usize, usize)>, bool)> = HashMap::new();
    let mut lines = Lines::new(text);
    let mut i = 0;
    while i < ws.len() {
        let mut j = i;
        while j < ws.len()
            && title_case(&text[ws[j].start..ws[j].end])
            && (j == i || &text[ws[j - 1].end..ws[j].start] == " ")
        {
            j += 1;
        }
        if j < i + 2 {
            // A lone capitalised word (most of them: sentence starts) is no name.
            i = j.max(i + 1);
            continue;
        }
        let mut a = i;
        // A sentence's first word is capitalised anyway: only a name if the rest is one too.
        let after_start = sentence_start(text, ws[a].start);
        if after_start {
            a += 1;
        }
        let run = &ws[a..j];
        i = j;
        if !(2..=4).contains(&run.len()) {
            continue;
        }
        let (s, e) = (run[0].start, run[run.len() - 1].end);
        let first = text[run[0].start..run[0].end].to_ascii_lowercase();
        if overlaps(s, e)
            || !is_english(&first)
            || glued_before(text, s)
            || glued_after(text, e)
            || run.iter().any(|w| {
                is_term(&text[w.start..w.end])
                    || is_name_word(&text[w.start..w.end]) && w.start == s
                    || proper_only(&text[w.start..w.end])
            })
            || starts_a_term(ix, text, run)
            || lines.title_at(s)
        {
            continue;
        }
        let phrase = &text[s..e];
        let key = fold_phrase(phrase);
        let key = key.strip_suffix('s').map_or(key.clone(), str::to_string);
        let entry = seen.entry(key).or_default();
        entry.0.push((s, e));
        entry.1 |= !after_start;
    }
    // A name the text writes in title case inside a sentence, and also defines in another
    // case, is its own wherever it is written: a list item that introduces it ("- Content
    // tracks: ...") or a quotation of it ("a \"content track\""). Those places count as
    // repeats too; a phrase that is only written again in lower case ("the Sales Team" ...
    // "the sales team") is English the writer capitalised, not a name.
    // The introductions are looked for at the few places one can start (list items,
    // quotation marks), so a text costs one pass; only an introduced name is then looked for
    // in the whole text.
    let candidates: rustc_hash::FxHashSet<&str> = seen
        .iter()
        .filter(|(_, (_, inside))| *inside)
        .map(|(key, _)| key.as_str())
        .collect();
    let mut keys: Vec<String> = Vec::new();
    if !candidates.is_empty() {
        let mut buf = String::new();
        for site in introduction_sites(text) {
            if let Some(key) = introduced_at(text, site, &candidates, &mut buf) {
                if !keys.iter().any(|k| k == key) {
                    keys.push(key.to_string());
                }
            }
        }
    }
    for key in keys.iter().take(NAME_CANDIDATES) {
        let places: Vec<(usize, usize)> = other_cases(text, key)
            .into_iter()
            .filter(|&(s, e)| {
                !inside(excluded, s, e)
                    && !overlaps(s, e)
                    && !glued_before(text, s)
                    && !glued_after(text, e)
                    && !lines.title_at(s)
            })
            .collect();
        if let Some((spans, _)) = seen.get_mut(key.as_str()) {
            spans.extend(places);
        }
    }
    for (spans, _) in seen.into_values() {
        if spans.len() >= 2 {
            out.extend(spans.into_iter().map(|(s, e)| (s, e, GapKind::Name)));
        }
    }
}

/// Whether the phrase `[s, e)` is introduced as a term: it opens a list item and a colon or a
/// dash follows ("- Content tracks: bundles of ..."), or it stands in quotation marks.
fn introduced(text: &str, s: usize, e: usize) -> bool {
    let line_start = text[..s].rfind('\n').map_or(0, |k| k + 1);
    // Bold or italic around the phrase does not change what introduces it.
    let lead = text[line_start..s]
        .trim_start()
        .trim_end_matches(['*', '_']);
    let item = matches!(lead, "- " | "* " | "+ ")
        || lead
            .strip_suffix(". ")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
    let after = text[e..].trim_start_matches(['*', '_']);
    let opens = item
        && (after.starts_with(':')
            || after.starts_with(" -")
            || after.starts_with(" –")
            || after.starts_with(" —"));
    let quoted =
        |open: char, close: char| text[..s].ends_with(open) && text[e..].starts_with(close);
    opens || quoted('"', '"') || quoted('“', '”') || quoted('\'', '\'') || quoted('‘', '’')
}

/// Where a phrase may be introduced: after a list item's marker (and bold or italic marks),
/// and after an opening quotation mark. Byte offsets, in no particular order.
fn introduction_sites(text: &str) -> impl Iterator<Item = usize> + '_ {
    let b = text.as_bytes();
    let items = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', b).map(|i| i + 1))
        .filter_map(move |ls| {
            let mut i = ls;
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let marker = if digits > 0 {
                (b.get(i + digits) == Some(&b'.')).then_some(i + digits + 1)
            } else {
                matches!(b.get(i), Some(b'-' | b'*' | b'+')).then_some(i + 1)
            }?;
            (b.get(marker) == Some(&b' ')).then(|| {
                let mut k = marker + 1;
                while k < b.len() && (b[k] == b'*' || b[k] == b'_') {
                    k += 1;
                }
                k
            })
        });
    // An opening mark follows no letter or digit (an apostrophe inside "it's" opens nothing).
    let quotes = memchr::memchr3_iter(b'"', b'\'', 0xE2, b)
        .filter(move |&i| i == 0 || !b[i - 1].is_ascii_alphanumeric())
        .filter_map(move |i| match b[i] {
            0xE2 => matches!(b.get(i + 1..i + 3), Some([0x80, 0x9C | 0x98])).then_some(i + 3),
            _ => Some(i + 1),
        });
    items.chain(quotes)
}

/// The name of `candidates` (folded, without a plural) that two to four words at `site` write
/// and [`introduced`] there. `buf` is scratch space.
fn introduced_at<'c>(
    text: &str,
    site: usize,
    candidates: &rustc_hash::FxHashSet<&'c str>,
    buf: &mut String,
) -> Option<&'c str> {
    let b = text.as_bytes();
    buf.clear();
    let mut i = site;
    for n in 1..=4 {
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == start {
            return None;
        }
        if n > 1 {
            buf.push(' ');
        }
        buf.extend(
            b[start..i]
                .iter()
                .map(|c| char::from(c.to_ascii_lowercase())),
        );
        if n >= 2 {
            // Folded as the names are ("content tracks" is "content track").
            let key = buf.strip_suffix('s').unwrap_or(buf);
            if let Some(&found) = candidates.get(key) {
                if introduced(text, site, i) {
                    return Some(found);
                }
            }
        }
        if b.get(i) != Some(&b' ') {
            return None;
        }
        i += 1;
    }
    None
}

/// How many introduced names are looked for in other cases (each costs two scans of the text;
/// a text introduces a handful).
const NAME_CANDIDATES: usize = 32;

/// Where `key` (a folded name without its plural, "content track") is written in lower case
/// or with only its first letter capitalised, as whole words, with or without a plural "s".
fn other_cases(text: &str, key: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut capital = key.to_string();
    capital[..1].make_ascii_uppercase();
    let mut out = Vec::new();
    for needle in [key, capital.as_str()] {
        for s in memchr::memmem::find_iter(b, needle.as_bytes()) {
            let mut e = s + needle.len();
            if b.get(e) == Some(&b's') {
                e += 1;
            }
            let word = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c >= 0x80);
            if !word(s.checked_sub(1).and_then(|k| b.get(k))) && !word(b.get(e)) {
                out.push((s, e));
            }
        }
    }
    out
}

/// A word the tagger's lexicon knows only as a proper noun, as written ("Bertrand", not
/// "Buyer", which it also knows in lower case).
fn proper_only(w: &str) -> bool {
    pos::lexicon_tag_as_written(w).is_some_and(|t| matches!(t.name(), "NNP" | "NNPS"))
        && pos::lexicon_tag_as_written(&w.to_ascii_lowercase()).is_none()
}

/// Whether the words of `run` begin a glossary term ("First Touch" of "first-touch
/// attribution"): the text shortens a term the glossary has, so no gap.
fn starts_a_term(ix: &Index, text: &str, run: &[Word]) -> bool {
    let mut node = 0;
    for w in run {
        let Some(id) = ix.word(&fold_word(&text[w.start..w.end])) else {
            return false;
        };
        match ix.child(node, id, super::tokens::Sep::Space) {
            Some(c) => node = c,
            None => return false,
        }
    }
    true
}

/// Whether other sources know acronym `core` (ending at `end`, followed by `next`): a pair of
/// letters the tagger's lexicon holds as written ("BT", "FT": companies and papers; longer
/// ones there, "DRI" among them, are as often jargon as names), a word of a glossary term
/// ("SMS" of "SMS marketing": the glossary uses it as known), or the first word of a
/// capitalised name ("IWK Social Business").
fn known_acronym(ix: &Index, text: &str, core: &str, end: usize, next: Option<&str>) -> bool {
    core.len() == 2 && pos::lexicon_tag_as_written(core).is_some()
        || ix.word(&fold_word(core)).is_some()
        || next.is_some_and(|n| {
            title_case(n)
                && word_after(text, end + 1 + n.len())
                    .is_some_and(|m| m.starts_with(|c: char| c.is_ascii_uppercase()))
        })
}

/// Whether acronym `core` at `start` is the bare subject of a verb in the past or the third
/// person, at the start of a sentence or clause, with no determiner: an organisation acting
/// ("IDC recommends", "IBM announced"), where jargon takes an article ("the DRI owns").
fn acts_as_name(text: &str, start: usize, core: &str, plural: bool, next: Option<&str>) -> bool {
    let clause = sentence_start(text, start) || text[..start].trim_end().ends_with(',');
    !plural
        && core.len() >= 2
        && clause
        && next.is_some_and(|n| {
            n.bytes().all(|c| c.is_ascii_lowercase())
                && !matches!(n, "is" | "was" | "has" | "does")
                && pos::lexicon_tag_as_written(n).is_some_and(|t| matches!(t.name(), "VBZ" | "VBD"))
        })
}

/// Where the text names a person: a capitalised word that is a given name (known only as a
/// proper noun, or in no dictionary) followed by a capitalised surname ("Marci Geisler",
/// "Megan O'Dowd"). Byte offsets, in order.
fn people(text: &str, ws: &[Word]) -> Vec<usize> {
    let given = |w: &str| {
        title_case(w) && w.len() >= 3 && (proper_only(w) || !known_word(&w.to_ascii_lowercase()))
    };
    let surname = |w: &str, end: usize| {
        title_case(w) && !known_word(&w.to_ascii_lowercase())
            || w.len() == 1 && text[end..].starts_with(['\'', '’'])
    };
    ws.windows(2)
        .filter(|p| &text[p[0].end..p[1].start] == " ")
        .filter(|p| {
            given(&text[p[0].start..p[0].end]) && surname(&text[p[1].start..p[1].end], p[1].end)
        })
        .map(|p| p[0].start)
        .collect()
}

/// How far from a person's name, on the same line, an acronym is read as part of what the
/// text says about the person (a title, a team, a region: "Marci Geisler - Senior Manager,
/// ENT for APAC").
const PERSON_REACH: usize = 160;

/// Whether a person's name (of `people`) is within [`PERSON_REACH`] of `at` on its line.
fn near_person(text: &str, people: &[usize], at: usize) -> bool {
    let lo = at.saturating_sub(PERSON_REACH);
    let k = people.partition_point(|&p| p < lo);
    people[k..]
        .iter()
        .take_while(|&&p| p <= at + PERSON_REACH)
        .any(|&p| {
            let (a, b) = if p < at { (p, at) } else { (at, p) };
            memchr::memchr(b'\n', &text.as_bytes()[a..b]).is_none()
        })
}

/// Prefixes that make an English word of an English word ("unhandled", "reindex").
const PREFIXES: &[&str] = &[
    "un", "re", "sub", "pre", "non", "multi", "co", "inter", "over", "under", "self", "anti", "de",
    "dis", "mis", "out", "post", "super", "micro", "auto", "cross", "semi", "mid", "counter",
    "hyper", "meta", "mega", "ex", "in", "im",
];

/// Suffixes that derive an English word from an English word ("reputational", "spammy").
const SUFFIXES: &[&str] = &[
    "ization", "isation", "ation", "ities", "ity", "ness", "izes", "ized", "ize", "ises", "ised",
    "ise", "able", "ible", "ally", "al", "ly", "ship", "less", "ful", "ist", "ism", "ic", "ive",
    "ment", "ish", "wise", "ers", "er", "ors", "or", "y",
];

/// Particles that close an English compound ("signup", "popup", "rollout").
const PARTICLES: &[&str] = &["up", "in", "on", "out", "off", "down", "over", "back"];

/// Whether lower-case `w` is in a dictionary: the short or common word lists, or the
/// tagger's lexicon (its 94,000 words hold inflected forms and chat words).
fn known_word(w: &str) -> bool {
    // The filter first: it rules out most strings at one read of a table in cache.
    dictionary().may_contain(hash_str(w.as_bytes()))
        && (is_english(w) || pos::lexicon_tag_as_written(w).is_some())
}

/// Every word of the dictionaries ([`known_word`]), in lower case, as a Bloom filter of about
/// 16 bits a word (256 KB): most words of a text are known, and each is told so by one read
/// of a table that stays in cache; about one unknown word in a hundred is taken for known.
fn dictionary() -> &'static Bloom {
    static SET: OnceLock<Bloom> = OnceLock::new();
    SET.get_or_init(|| {
        let scowl: Vec<&str> = data(include_str!("common_words.txt"))
            .chain(data(include_str!("short_words.txt")))
            .collect();
        let mut bloom = Bloom::with_capacity((scowl.len() + pos::lexicon_len()) * 2);
        for w in scowl {
            bloom.insert(hash_str(w.as_bytes()));
        }
        // The tagger's words lowered into one buffer, not a `String` each (issue 33: this
        // table is built in every process that lists gaps).
        let mut lower = Vec::new();
        for w in pos::lexicon_words() {
            lower.clear();
            lower.extend_from_slice(w.as_bytes());
            lower.make_ascii_lowercase();
            bloom.insert(hash_str(&lower));
        }
        bloom
    })
}

/// Whether lower-case `w` is a proper name written in lower case: the tagger's lexicon holds
/// it capitalised, as a proper noun ("venezuela").
fn lower_case_name(w: &str) -> bool {
    let mut buf = [0u8; 64];
    if w.is_empty() || w.len() > buf.len() {
        return false;
    }
    buf[..w.len()].copy_from_slice(w.as_bytes());
    buf[0] = buf[0].to_ascii_uppercase();
    std::str::from_utf8(&buf[..w.len()]).is_ok_and(|c| {
        pos::lexicon_tag_as_written(c).is_some_and(|t| matches!(t.name(), "NNP" | "NNPS"))
    })
}

/// Whether `a` followed by `b` is [`known_word`], without allocating.
fn known_joined(a: &str, b: &str) -> bool {
    let mut buf = [0u8; 64];
    let n = a.len() + b.len();
    if n > buf.len() {
        return false;
    }
    buf[..a.len()].copy_from_slice(a.as_bytes());
    buf[a.len()..n].copy_from_slice(b.as_bytes());
    std::str::from_utf8(&buf[..n]).is_ok_and(known_word)
}

/// Whether `w` or the base it inflects is [`known_word`] ("params" is not, "codebases" is
/// not, "roadmaps" is).
fn known_stem(w: &str) -> bool {
    if known_word(w) {
        return true;
    }
    let n = w.len();
    let base = |cut: usize, add: &str| -> bool {
        n > cut + 2 && {
            let stem = &w[..n - cut];
            known_joined(stem, add)
                || add.is_empty() && {
                    // A doubled last consonant: "shipped", "shipping".
                    let b = stem.as_bytes();
                    b.len() > 3
                        && b[b.len() - 1] == b[b.len() - 2]
                        && known_word(&stem[..stem.len() - 1])
                }
        }
    };
    (w.ends_with('s') && !w.ends_with("ss") && base(1, ""))
        || (w.ends_with("es") && base(2, ""))
        || (w.ends_with("ies") && base(3, "y"))
        || (w.ends_with("ied") && base(3, "y"))
        || (w.ends_with("ed") && (base(2, "") || base(1, "")))
        || (w.ends_with("ing") && (base(3, "") || base(3, "e")))
        || (w.ends_with("er") && (base(2, "") || base(1, "")))
        || (w.ends_with("est") && base(3, ""))
}

/// Whether lower-case `w`, which no dictionary holds, is still English made of English: an
/// inflection, a prefix or a derivational suffix on a known word, or a compound of two
/// ("codebase", "unhandled", "reputational", "signup", "adblockers").
fn english_formed(w: &str) -> bool {
    if known_stem(w) {
        return true;
    }
    let prefixed = PREFIXES.iter().any(|p| {
        w.strip_prefix(p)
            .is_some_and(|r| r.len() >= 3 && (known_stem(r) || derived(r)))
    });
    prefixed || derived(w) || compound(w)
}

/// A known root with a derivational suffix ("recency" ← "recent", "strategize" ←
/// "strategy", "spammy" ← "spam").
fn derived(w: &str) -> bool {
    SUFFIXES.iter().any(|suf| {
        w.strip_suffix(suf).is_some_and(|r| {
            r.len() >= 3 && {
                let b = r.as_bytes();
                known_stem(r)
                    || known_joined(r, "e")
                    || known_joined(r, "y")
                    || r.ends_with('i') && known_joined(&r[..r.len() - 1], "y")
                    || b[b.len() - 1] == b[b.len() - 2] && known_word(&r[..r.len() - 1])
            }
        })
    })
}

/// Two known words written as one ("timeframe", "hubspot", "signup").
fn compound(w: &str) -> bool {
    (2..w.len().saturating_sub(1)).any(|k| {
        let (a, b) = w.split_at(k);
        known_word(a) && (b.len() >= 3 && (known_stem(b) || derived(b)) || PARTICLES.contains(&b))
    })
}

/// Whether `w` is one edit (a letter dropped, added, changed or two swapped) from a known
/// word: a misspelling ("thier", "succcess") rather than a word of its own.
fn near_known(w: &str) -> bool {
    let b = w.as_bytes();
    let mut x: Vec<u8> = Vec::with_capacity(b.len() + 1);
    let hit = |x: &[u8]| std::str::from_utf8(x).is_ok_and(known_word);
    for i in 0..b.len() {
        x.clear();
        x.extend_from_slice(&b[..i]);
        x.extend_from_slice(&b[i + 1..]);
        if hit(&x) {
            return true;
        }
        if i + 1 < b.len() {
            x.clear();
            x.extend_from_slice(b);
            x.swap(i, i + 1);
            if hit(&x) {
                return true;
            }
        }
    }
    for i in 0..=b.len() {
        for c in b'a'..=b'z' {
            x.clear();
            x.extend_from_slice(&b[..i]);
            x.push(c);
            x.extend_from_slice(&b[i..]);
            if hit(&x) {
                return true;
            }
            if i < b.len() && b[i] != c {
                x.clear();
                x.extend_from_slice(b);
                x[i] = c;
                if hit(&x) {
                    return true;
                }
            }
        }
    }
    false
}

/// The form a word is counted under: without "-s", "-es", "-ed", "-ing" ("nacked" is
/// "nack").
fn family(w: &str) -> &str {
    for suf in ["ing", "ed", "es", "s"] {
        if let Some(b) = w.strip_suffix(suf) {
            if b.len() >= 3 && !(suf == "s" && b.ends_with('s')) {
                return b;
            }
        }
    }
    w
}

/// Whether the word at `start` follows a lower-case word in its sentence ("to nack"): used
/// as a word, not a name or a heading.
fn after_lower_word(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', ',', '(', '"', '“', '\'', '‘', '/']);
    before
        .bytes()
        .next_back()
        .is_some_and(|c| c.is_ascii_lowercase())
}

/// Whether the word `[s, e)` is one of two plain words joined by a slash ("ack/nack"), not a
/// path.
fn slash_pair(text: &str, s: usize, e: usize) -> bool {
    let a = text[..s]
        .rfind(|c: char| c.is_whitespace())
        .map_or(0, |i| i + 1);
    let b = text[e..]
        .find(|c: char| c.is_whitespace())
        .map_or(text.len(), |i| e + i);
    let chunk = text[a..b].trim_matches(|c: char| !c.is_ascii_alphanumeric());
    chunk.bytes().filter(|&c| c == b'/').count() == 1
        && chunk.bytes().all(|c| c == b'/' || c.is_ascii_alphabetic())
}

/// The run of ASCII letters at `start` of `b` (a letter): its end, its lower-case form (the
/// first 32 letters; `| 0x20` lowers an ASCII letter) and whether a capital follows its first
/// letter, in one pass over the letters: the vocabulary pass makes a `String` only for a word
/// the dictionary lacks (issue 33: the word was read four times before, to find its end,
/// check its case, copy it and lower it).
#[inline]
fn letters_at(b: &[u8], start: usize) -> (usize, [u8; 32], bool) {
    let mut low = [0u8; 32];
    low[0] = b[start] | 0x20;
    let mut i = start + 1;
    let mut capital_inside = false;
    while i < b.len() && b[i].is_ascii_alphabetic() {
        // Past 32 letters the buffer wraps: such a word is left out (over 30 letters).
        low[(i - start) % 32] = b[i] | 0x20;
        capital_inside |= b[i] < b'a';
        i += 1;
    }
    (i, low, capital_inside)
}

/// Lower-case words no dictionary holds and English does not form ([`english_formed`]),
/// which the text uses as its own vocabulary: a family of forms ("nack", "nacks", "nacked")
/// written at least twice, at least once after a lower-case word, never capitalised inside
/// a sentence (a name), one edit from no known word unless written in several forms (a
/// misspelling repeats one form); or, once, an adjective-like unknown word (-ic, -al, -ive,
/// -ous) before a noun, with its noun ("firmographic data"). Words of glossary terms, code,
/// addresses and identifiers are left out.
fn vocabulary(
    ix: &Index,
    text: &str,
    excluded: &[Range<usize>],
    overlaps: &dyn Fn(usize, usize) -> bool,
    out: &mut Vec<(usize, usize, GapKind)>,
) {
    #[derive(Default)]
    struct Family {
        spans: Vec<(usize, usize)>,
        forms: Vec<String>,
        inside: bool,
        named: bool,
        modified: Option<usize>,
    }
    let b = text.as_bytes();
    let mut families: HashMap<String, Family> = HashMap::new();
    let mut chunks = Chunks::default();
    let mut lower = String::new();
    // Unknown words repeat: each is taken apart once.
    let mut formed: rustc_hash::FxHashMap<&str, bool> = rustc_hash::FxHashMap::default();
    let mut ex = 0;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        let (end, low, capital_inside) = letters_at(b, start);
        i = end;
        let odd = |c: u8| c.is_ascii_digit() || c >= 0x80 || c == b'_';
        if end - start < 3
            || end - start > 30
            || start > 0 && odd(b[start - 1])
            || end < b.len() && odd(b[end])
            || capital_inside
        {
            continue;
        }
        let low = &low[..end - start];
        // The common case: a dictionary word, one read of a small table (the short words
        // that make up a third of a text: of a smaller one still).
        let h = hash_str(low);
        if end - start == 3 && short_words().contains_hashed(low, h) || dictionary().may_contain(h)
        {
            continue;
        }
        let word = &text[start..end];
        let capital = b[start].is_ascii_uppercase();
        lower.clear();
        lower.push_str(word);
        lower.make_ascii_lowercase();
        // Words come in order: the next range that may hold this one, without a search.
        while ex < excluded.len() && excluded[ex].end <= start {
            ex += 1;
        }
        if excluded.get(ex).is_some_and(|r| r.start < end)
            || overlaps(start, end)
            || *formed.entry(word).or_insert_with(|| {
                known_word(&lower)
                    || english_formed(&lower)
                    || lower_case_name(&lower)
                    || ix.word(&lower).is_some()
            })
            || (glued_before(text, start) || glued_after(text, end))
                && !slash_pair(text, start, end)
            || chunks.is_address(text, start)
        {
            continue;
        }
        let key = family(&lower);
        if !families.contains_key(key) {
            families.insert(key.to_string(), Family::default());
        }
        let f = families.get_mut(key).expect("inserted");
        if capital && !sentence_start(text, start) {
            f.named = true;
            continue;
        }
        f.spans.push((start, end));
        if !f.forms.contains(&lower) {
            f.forms.push(lower.clone());
        }
        if !capital {
            f.inside |= after_lower_word(text, start);
            if ["ic", "al", "ive", "ous"].iter().any(|s| word.ends_with(s)) {
                f.modified = word_after(text, end).and_then(|n| {
                    let noun = n.bytes().all(|c| c.is_ascii_lowercase())
                        && pos::lexicon_tag_as_written(n)
                            .is_some_and(|t| matches!(t.name(), "NN" | "NNS"));
                    let e = end + 1 + n.len();
                    (noun && !overlaps(start, e)).then_some(e)
                });
            }
        }
    }
    for (key, f) in families {
        if f.named || !f.inside || f.forms.is_empty() {
            continue;
        }
        if f.spans.len() >= 2 {
            if f.forms.len() < 2 && near_known(&key) {
                continue;
            }
            out.extend(f.spans.iter().map(|&(s, e)| (s, e, GapKind::Word)));
        } else if let Some(e) = f.modified {
            if !near_known(&key) {
                out.push((f.spans[0].0, e, GapKind::Word));
            }
        }
    }
}

fn with_offsets(text: &str, spans: Vec<(usize, usize, GapKind)>) -> Vec<Gap> {
    let mut offsets = crate::lines::Offsets::new(text);
    let mut advance = |to: usize| offsets.advance(to);
    spans
        .into_iter()
        .map(|(start, end, kind)| {
            let (char_start, utf16_start) = advance(start);
            let (char_end, utf16_end) = advance(end);
            Gap {
                start,
                end,
                char_start,
                char_end,
                utf16_start,
                utf16_end,
                text: text[start..end].to_string(),
                kind,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronym_cores() {
        assert_eq!(acronym_core("OKRs"), ("OKR", true));
        assert_eq!(acronym_core("SAE's"), ("SAE", false));
        assert_eq!(acronym_core("BATs"), ("BAT", true));
        assert_eq!(acronym_core("Sales"), ("Sales", false));
    }

    #[test]
    fn data_lists() {
        assert!(abbreviations().contains("NASA"));
        assert!(abbreviations().contains("CEO"));
        assert!(!abbreviations().contains("OKR"));
        assert!(is_english("not") && is_english("note") && !is_english("dri"));
    }

    #[test]
    fn capitals_eight_bytes_at_a_time() {
        for b in 0..=255u8 {
            let mut x = [b'a'; 8];
            x[3] = b;
            assert_eq!(
                has_capital(u64::from_le_bytes(x)),
                b.is_ascii_uppercase(),
                "{b:#x}"
            );
        }
        let text = "a few words and then OKRs, é Énorme DRI.";
        let ws: Vec<&str> = capital_words(text)
            .iter()
            .map(|w| &text[w.start..w.end])
            .collect();
        assert_eq!(ws, ["OKRs", "DRI"]);
    }

    #[test]
    fn english_made_of_english_is_known() {
        for w in [
            "codebase",
            "unhandled",
            "reputational",
            "signup",
            "roadmaps",
            "spammy",
        ] {
            assert!(english_formed(w), "{w}");
        }
        for w in ["nack", "acked", "kubelet"] {
            assert!(!english_formed(w), "{w}");
        }
    }

    #[test]
    fn families_misspellings_and_names() {
        assert_eq!(family("nacked"), "nack");
        assert_eq!(family("nacks"), "nack");
        assert_eq!(family("nack"), "nack");
        assert_eq!(family("acks"), "ack");
        assert!(near_known("thier") && near_known("succcess") && !near_known("kubelet"));
        assert!(proper_only("Bertrand") && !proper_only("Buyer"));
        assert!(lower_case_name("venezuela") && !lower_case_name("nack"));
    }

    #[test]
    fn the_dictionary_filter_holds_every_known_word() {
        for w in ["the", "message", "acknowledge", "deploy", "broker"] {
            assert!(known_word(w), "{w}");
            assert!(dictionary().may_contain(hash_str(w.as_bytes())), "{w}");
        }
        assert!(!known_word("nack"));
    }

    #[test]
    fn title_lines() {
        assert!(title_line("## Buyer Touchpoints"));
        assert!(title_line("Title Image By Syda Productions"));
        assert!(!title_line(
            "AMM creates Buyer Touchpoints when a contact responds."
        ));
    }
}
