//! Gaps (SPEC §8): jargon-looking spans of a text that no concept covers, so that glossary
//! owners learn what their readers keep meeting unexplained.
//!
//! Three kinds, each read from the text itself:
//!
//! - **acronyms** and initialisms, with plurals and possessives ("OKRs", "SAE's"): two to six
//!   capitals, not a well-known abbreviation (`abbreviations.txt`, the all-capital words of
//!   SCOWL), not an English word in capitals ("NOTE", "DO NOT"), not a Roman numeral, not glued
//!   into an identifier ("utm_source", "TL;DR", "v2.AB"), not a word of a proper name
//!   ("Informa PLC");
//! - **defined** acronyms: the text spells them out, "Incident Manager On Call (IMOC)" or
//!   "IMOC (Incident Manager On Call)";
//! - **names** of processes and roles: two to four capitalised words, the first an English
//!   word, repeated in the text outside headings and tables ("Economic Buyer", "Meeting
//!   Setting"), with no glossary term inside; and a glossary word numbered as a rank ("Tier 1"),
//!   which the sense rules leave out as a compound of its own.
//!
//! Nothing a concept covers is a gap: no span overlapping an annotation, no text that is a term
//! (even where the sense rules did not take it). A new kind goes here, as a [`GapKind`] and a
//! function over [`Word`]s, with a test in `tests/gaps.rs`.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::index::{fold_phrase, Index};
use super::lexicon::common_words;
use super::lexicon::WordSet;
use super::mention::Mention;

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
}

impl GapKind {
    /// The name used on the wire and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Acronym => "acronym",
            GapKind::Defined => "defined",
            GapKind::Name => "name",
        }
    }
}

impl Gap {
    /// The form gaps are counted under: an acronym without its plural or possessive, a name
    /// folded ("OKRs" and "OKR's" are "OKR"; "Economic buyers" is "economic buyer").
    pub fn key(&self) -> String {
        match self.kind {
            GapKind::Acronym | GapKind::Defined => acronym_core(&self.text).0.to_string(),
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

fn abbreviations() -> &'static WordSet {
    static SET: OnceLock<WordSet> = OnceLock::new();
    SET.get_or_init(|| WordSet::new(data(include_str!("abbreviations.txt"))))
}

fn short_words() -> &'static WordSet {
    static SET: OnceLock<WordSet> = OnceLock::new();
    SET.get_or_init(|| WordSet::new(data(include_str!("short_words.txt"))))
}

fn data(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
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
    if !text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Vec::new();
    }
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
    for (i, w) in ws.iter().enumerate() {
        let mut end = w.end;
        let word = &text[w.start..w.end];
        let (core, plural) = acronym_core(word);
        if !all_caps(core) || core.len() > 6 {
            continue;
        }
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
        let rejected = overlaps(w.start, end)
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
            || is_term(core);
        if rejected {
            continue;
        }
        let kind = if spelled_out(text, &ws, i, core) {
            GapKind::Defined
        } else {
            GapKind::Acronym
        };
        out.push((w.start, end, kind));
    }
    names(text, &ws, &overlaps, &is_term, &mut out);
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
    text: &str,
    ws: &[Word],
    overlaps: &dyn Fn(usize, usize) -> bool,
    is_term: &dyn Fn(&str) -> bool,
    out: &mut Vec<(usize, usize, GapKind)>,
) {
    let mut seen: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
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
        if sentence_start(text, ws[a].start) {
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
            })
            || lines.title_at(s)
        {
            continue;
        }
        let phrase = &text[s..e];
        let key = fold_phrase(phrase);
        let key = key.strip_suffix('s').map_or(key.clone(), str::to_string);
        seen.entry(key).or_default().push((s, e));
    }
    for spans in seen.into_values() {
        if spans.len() >= 2 {
            out.extend(spans.into_iter().map(|(s, e)| (s, e, GapKind::Name)));
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
    fn title_lines() {
        assert!(title_line("## Buyer Touchpoints"));
        assert!(title_line("Title Image By Syda Productions"));
        assert!(!title_line(
            "AMM creates Buyer Touchpoints when a contact responds."
        ));
    }
}
