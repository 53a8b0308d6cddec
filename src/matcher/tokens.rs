//! Splitting text into tokens on Unicode word boundaries (UAX #29).
//!
//! A token is a word (it has a letter or digit) or a single piece of punctuation/symbol.
//! Whitespace and dashes are not tokens: they are the *separator* ([`Sep`]) before the next token, so
//! "click-through" and "click through" give the same tokens with the same separators. Excluded
//! ranges (code, URLs, tags) are dropped and leave a [`Sep::Break`] that no term spans.
//! How it is fast (register level):
//! - ASCII stretches take a one-pass, table-driven scanner (word runs classified eight bytes at
//!   a time; words without capitals are their own folded form: no copy); anything else, and any
//!   segment touching an excluded range, takes the general rule. A property test holds the two
//!   to the same tokens.
//! - The [`Builder`] can be fed a long text piece by piece, cut at [`next_cut`] (after ASCII
//!   whitespace, before ASCII non-whitespace, where UAX #29 always breaks), carrying its
//!   separator, sentence and exclusion state across; a property test holds pieces to the whole.
//! - It can *leave out* tokens that the index's wanted filter rules out (symbols; in exact-only
//!   mode words too), the next token getting a [`Sep::Break`]. A word under 16 bytes is
//!   lower-cased and hashed in registers from one or two 8-byte reads, then tested against the
//!   filter (and, if left out, never made into a token); every token carries the hash of its
//!   folded form, the key of all its look-ups. A property test holds this to the general rule's
//!   tokens without the left-out ones.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::lexicon::{hash_padded, hash_padded16, hash_str, r8, Bloom};
use super::normalize::{fold_into, strip_possessive};
use crate::glossary::is_dash;

/// What separates a token from the one before it (a separator; not a jargon gap, which is
/// [`super::Gap`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sep {
    /// Nothing: the tokens touch ("24/7", "C++").
    None,
    /// Whitespace and/or dashes only.
    Space,
    /// Skipped markup or the start of the text: no term spans it.
    Break,
}

/// One token of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    /// Range of the folded form in [`Tokens::buf`], or in the text when `in_text` (a word
    /// already folded as written: ASCII without capitals).
    norm: (u32, u32),
    in_text: bool,
    /// What lies between the previous token and this one.
    pub sep: Sep,
    /// A word (has a letter or digit), not punctuation.
    pub word: bool,
    /// Sentence number, for the ambiguity window.
    pub sentence: u32,
    /// [`hash_str`] of the folded form: the key of every look-up of the token.
    pub hash: u64,
}

/// The tokens of one text and their folded forms.
#[derive(Debug, Default)]
pub(crate) struct Tokens<'t> {
    pub list: Vec<Token>,
    buf: String,
    text: &'t str,
}

impl Tokens<'_> {
    /// The folded form of token `i` (NFKC, lower case, straight quotes, no possessive `'s`).
    #[inline]
    pub fn norm(&self, i: usize) -> &str {
        let t = &self.list[i];
        let (a, b) = (t.norm.0 as usize, t.norm.1 as usize);
        if t.in_text {
            &self.text[a..b]
        } else {
            &self.buf[a..b]
        }
    }

    /// [`Tokens::norm`] as bytes (no char-boundary checks: the hot path's look-up key).
    #[inline]
    pub fn norm_bytes(&self, i: usize) -> &[u8] {
        let t = &self.list[i];
        let (a, b) = (t.norm.0 as usize, t.norm.1 as usize);
        if t.in_text {
            &self.text.as_bytes()[a..b]
        } else {
            &self.buf.as_bytes()[a..b]
        }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The whole text the tokens are of.
    pub fn text(&self) -> &str {
        self.text
    }
}

fn is_sentence_end(s: &str) -> bool {
    matches!(s, "." | "!" | "?" | "…" | "。")
}

/// Whether the line break at byte `nl` of `text` (a `\n`) ends a sentence because it ends a
/// block: it closes a blank line (only spaces, tabs or `\r` since the line break before it),
/// or it ends a heading line ("# …") or the next line is one. A heading or a paragraph
/// without a full stop is still a sentence of its own: the evidence window counts sentences,
/// and a page of headings and short paragraphs would otherwise be one sentence. (The items
/// of one list stay one sentence, like the clauses of an enumeration.) Both tokenizer paths
/// decide by this one function, from the whole text, so pieces and paths agree.
fn ends_block(text: &[u8], nl: usize) -> bool {
    let before = text[..nl]
        .iter()
        .rev()
        .find(|&&c| !matches!(c, b' ' | b'\t' | b'\r'));
    if before == Some(&b'\n') {
        return true;
    }
    let line_start = text[..nl]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    is_heading(&text[line_start..nl]) || is_heading(&text[nl + 1..])
}

/// Whether `line` opens with a Markdown heading marker: up to three spaces, one to six `#`,
/// a space.
fn is_heading(line: &[u8]) -> bool {
    let indent = line.iter().take_while(|&&c| c == b' ').count();
    let line = &line[indent..];
    let hashes = line.iter().take_while(|&&c| c == b'#').count();
    indent <= 3 && (1..=6).contains(&hashes) && line.get(hashes) == Some(&b' ')
}

/// Word-break class of an ASCII byte (UAX #29, the part of the table ASCII can reach).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wb {
    Letter,
    Numeric,
    ExtendNumLet,
    MidLetter,
    MidNum,
    MidNumLet,
    SingleQuote,
    Space,
    Cr,
    Lf,
    Newline,
    Other,
}

const fn wb_class(b: u8) -> Wb {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Wb::Letter,
        b'0'..=b'9' => Wb::Numeric,
        b'_' => Wb::ExtendNumLet,
        b':' => Wb::MidLetter,
        b',' | b';' => Wb::MidNum,
        b'.' => Wb::MidNumLet,
        b'\'' => Wb::SingleQuote,
        b' ' => Wb::Space,
        b'\r' => Wb::Cr,
        b'\n' => Wb::Lf,
        0x0B | 0x0C => Wb::Newline,
        _ => Wb::Other,
    }
}

static WB: [Wb; 128] = {
    let mut t = [Wb::Other; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = wb_class(i as u8);
        i += 1;
    }
    t
};

/// Is there a word boundary between `b[i - 1]` and `b[i]`? ASCII only, `0 < i < b.len()`.
/// The rules of UAX #29 that ASCII can trigger: WB3–WB3d, WB5–WB13b, WB999.
#[inline]
fn ascii_break(b: &[u8], i: usize) -> bool {
    use Wb::*;
    let l = WB[b[i - 1] as usize];
    let r = WB[b[i] as usize];
    let at = |k: usize| b.get(k).map_or(Other, |&c| WB[c as usize]);
    match (l, r) {
        (Cr, Lf) => false,
        (Cr | Lf | Newline, _) | (_, Cr | Lf | Newline) => true,
        (Space, Space) => false,
        (Letter | Numeric, Letter | Numeric) => false,
        (Letter | Numeric | ExtendNumLet, ExtendNumLet) => false,
        (ExtendNumLet, Letter | Numeric) => false,
        (Letter, MidLetter | MidNumLet | SingleQuote) => at(i + 1) != Letter,
        (MidLetter | MidNumLet | SingleQuote, Letter) => i < 2 || at(i - 2) != Letter,
        (Numeric, MidNum | MidNumLet | SingleQuote) => at(i + 1) != Numeric,
        (MidNum | MidNumLet | SingleQuote, Numeric) => i < 2 || at(i - 2) != Numeric,
        _ => true,
    }
}

/// Segments of an ASCII text on word boundaries, as UAX #29 gives them.
fn ascii_segments(text: &str, offset: usize, f: &mut impl FnMut(usize, &str)) {
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 1;
    while i < b.len() {
        // Inside a run of letters and digits there is never a break (WB5, WB8–WB10).
        if b[i].is_ascii_alphanumeric() && b[i - 1].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        if ascii_break(b, i) {
            f(offset + start, &text[start..i]);
            start = i;
        }
        i += 1;
    }
    if start < b.len() {
        f(offset + start, &text[start..]);
    }
}

/// A position where UAX #29 always breaks, whatever surrounds it: after ASCII whitespace and
/// before an ASCII character that is not whitespace (no rule joins those two, and no rule looks
/// past whitespace).
#[inline]
fn safe_break(b: &[u8], p: usize) -> bool {
    matches!(b[p - 1], b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
        && b[p].is_ascii()
        && !b[p].is_ascii_whitespace()
        && b[p] != 0x0B
}

/// A piece of a text for the tokenizer: an ASCII stretch `text[a..e]` whose ends are
/// [`safe_break`]s (or the ends of the text), or one UAX #29 segment of a stretch with other
/// characters.
enum Piece<'a> {
    Ascii(usize, usize),
    Segment(usize, &'a str),
}

/// Cuts `text[from..n]` into [`Piece`]s, in order: ASCII stretches for the hand-written
/// scanner; stretches with other characters, cut at [`safe_break`]s, go through
/// `unicode-segmentation`. `from` and `n` are safe breaks or ends of the text, so the pieces
/// are those of the whole text.
fn for_each_piece<'a>(text: &'a str, from: usize, n: usize, mut f: impl FnMut(Piece<'a>)) {
    let b = &text.as_bytes()[..n];
    let mut pos = from;
    while pos < n {
        let Some(k) = first_non_ascii(&b[pos..]).map(|k| pos + k) else {
            f(Piece::Ascii(pos, n));
            return;
        };
        let s = (pos + 1..k)
            .rev()
            .find(|&p| safe_break(b, p))
            .unwrap_or(pos);
        if s > pos {
            f(Piece::Ascii(pos, s));
        }
        let e = (k + 1..n).find(|&p| safe_break(b, p)).unwrap_or(n);
        for (i, seg) in text[s..e].split_word_bound_indices() {
            f(Piece::Segment(s + i, seg));
        }
        pos = e;
    }
}

/// Calls `f(start, segment)` for every UAX #29 word-bound segment of `text`, in order: the same
/// segments as `split_word_bound_indices`, from [`for_each_piece`] and [`ascii_segments`].
/// ([`tokenize`] fuses the same walk with making tokens; this is its tested reference.)
#[cfg(test)]
pub(crate) fn for_each_segment(text: &str, mut f: impl FnMut(usize, &str)) {
    for_each_piece(text, 0, text.len(), |p| match p {
        Piece::Ascii(a, e) => ascii_segments(&text[a..e], a, &mut f),
        Piece::Segment(i, seg) => f(i, seg),
    });
}

/// HTML entities that stand for whitespace or a dash.
fn is_blank_entity(s: &str) -> bool {
    const BLANK: &[&str] = &[
        "&nbsp;", "&#160;", "&#xa0;", "&ensp;", "&emsp;", "&thinsp;", "&#8194;", "&#8195;",
        "&#8201;", "&ndash;", "&mdash;", "&#8211;", "&#8212;", "&hyphen;", "&#45;", "&#x2d;",
        "&#8208;", "&#x2010;", "&#x2013;", "&#x2014;",
    ];
    s.len() <= 8 && BLANK.iter().any(|b| b.eq_ignore_ascii_case(s))
}

/// Tokenises `text`, skipping `excluded` byte ranges (sorted, non-overlapping).
///
/// ASCII stretches are scanned in one pass that finds the UAX #29 segments and makes their
/// tokens directly; any segment that touches an excluded range, and every stretch with other
/// characters, goes through [`Builder::segment`], the general rule.
pub(crate) fn tokenize<'t>(text: &'t str, excluded: &[Range<usize>]) -> Tokens<'t> {
    let mut t = Builder::new(text, excluded);
    t.out.list.reserve(text.len() / 5);
    t.feed(0, text.len());
    t.out
}

/// The first position at or after `from` where a long text may be cut into pieces that
/// tokenize as the whole does ([`Builder::feed`]): a [`safe_break`], or the end of the text.
pub(crate) fn next_cut(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    (from.max(1)..b.len())
        .find(|&p| safe_break(b, p))
        .unwrap_or(b.len())
}

/// Byte classes of the one-pass scanner (bits).
const C_WORD: u8 = 1; // letter, digit, `_`: never a break between two of them
const C_BLANK: u8 = 2; // ASCII whitespace and `-`: a sep
const C_UPPER: u8 = 4; // capital letter
const C_ALNUM: u8 = 8; // letter or digit
const C_MID: u8 = 16; // may continue a word between letters or digits (`:` `,` `;` `.` `'`)

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c.is_ascii_uppercase() {
            C_WORD | C_UPPER | C_ALNUM
        } else if c.is_ascii_alphanumeric() {
            C_WORD | C_ALNUM
        } else if c == b'_' {
            C_WORD
        } else if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | b'-') {
            C_BLANK
        } else if matches!(c, b':' | b',' | b';' | b'.' | b'\'') {
            C_MID
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Index of the first byte ≥ 0x80, eight bytes at a time.
fn first_non_ascii(b: &[u8]) -> Option<usize> {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if u64::from_le_bytes(w) & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        at += 8;
    }
    b[at..].iter().position(|&c| c >= 0x80).map(|k| at + k)
}

/// Eight copies of a byte.
const fn splat(c: u8) -> u64 {
    0x0101_0101_0101_0101 * c as u64
}

/// High bit of every byte of `v` that is ≥ `k` (bytes of `v` below 0x80, `k` ≤ 0x80: no
/// carry crosses a byte).
#[inline(always)]
fn ge(v: u64, k: u8) -> u64 {
    v.wrapping_add(splat(0x80 - k)) & splat(0x80)
}

/// High bit of every byte of `v` (ASCII) that is `_`.
#[inline(always)]
fn underscore(v: u64) -> u64 {
    let x = v ^ splat(b'_');
    !x.wrapping_add(splat(0x7f)) & splat(0x80)
}

/// High bit of every byte of `v` (ASCII, or ASCII until a byte ≥ 0x80) that is a word byte
/// (letter, digit, `_`), of every letter, and of every letter or digit.
#[inline(always)]
fn word_bytes(v: u64) -> (u64, u64, u64) {
    let folded = v | splat(0x20);
    let letter = ge(folded, b'a') & !ge(folded, b'z' + 1);
    let alnum = letter | (ge(v, b'0') & !ge(v, b'9' + 1));
    (alnum | underscore(v), letter, alnum)
}

/// The bits of the first `n` ≤ 8 bytes of a little-endian word.
#[inline(always)]
fn first_bytes(n: usize) -> u64 {
    // Two half shifts: one shift by 64 (n = 8) would overflow.
    !((u64::MAX << (4 * n)) << (4 * n))
}

/// Where the run of word bytes (letters, digits, `_`) from `b[j]` ends (at most `e`), and
/// the [`CLASS`] bits of its bytes that matter: [`C_UPPER`] and [`C_ALNUM`]. `b[..e]` is ASCII.
///
/// Eight bytes at a time while eight can be read: a byte of the word is ≥ 0x80 only past
/// `e`, and the carry of such a byte only reaches bytes after it, so every byte before `e`
/// is classified exactly.
#[inline]
fn word_run(b: &[u8], mut j: usize, e: usize) -> (usize, u8) {
    let mut seen = 0;
    while j + 8 <= b.len() && j < e {
        let v = r8(b, j);
        let (word, letter, alnum) = word_bytes(v);
        let n = ((!word & splat(0x80)).trailing_zeros() / 8) as usize;
        let n = n.min(e - j);
        let mask = first_bytes(n);
        let upper = letter & !ge(v, b'Z' + 1) & mask;
        if upper != 0 {
            seen |= C_UPPER;
        }
        if alnum & mask != 0 {
            seen |= C_ALNUM;
        }
        j += n;
        if n < 8 {
            return (j, seen);
        }
    }
    while j < e && CLASS[usize::from(b[j])] & C_WORD != 0 {
        seen |= CLASS[usize::from(b[j])];
        j += 1;
    }
    (j, seen & (C_UPPER | C_ALNUM))
}

/// If the word starting at `b[i]` (a letter or digit; `b[i..i + 8]` in the ASCII stretch
/// from `a`) is shorter than 16 bytes and ends before `limit`: its length, the [`hash_str`] of
/// its folded form and whether it has capitals. Its folded form is read off eight bytes at a
/// time: they are lower-cased (`0x20` set on capitals) and those past the word zeroed, which is
/// [`hash_padded`]'s input. Anything else (a longer word, one that a mid-word character
/// continues) is left to the general path.
#[inline(always)]
fn short_word(b: &[u8], a: usize, i: usize, limit: usize) -> Option<(usize, u64, bool)> {
    // The word bytes of the eight at `k`, how many lead, lower-cased and masked, capitals.
    let read = |k: usize| {
        let v = r8(b, k);
        let (word, letter, _) = word_bytes(v);
        let n = ((!word & splat(0x80)).trailing_zeros() / 8) as usize;
        let upper = letter & !ge(v, b'Z' + 1) & first_bytes(n);
        (n, (v | upper >> 2) & first_bytes(n), upper)
    };
    let (n, lo, up) = read(i);
    let (n, h, up) = if n < 8 {
        (n, hash_padded(lo, n), up)
    } else if i + 16 <= b.len() {
        match read(i + 8) {
            (0, _, _) => (8, hash_padded(lo, 8), up),
            (8, _, _) => return None,
            (m, hi, up2) => (8 + m, hash_padded16(lo, hi, 8 + m), up | up2),
        }
    } else {
        return None;
    };
    let j = i + n;
    // The word ends at `j` unless mid-word punctuation continues it (WB6–WB7, WB11–WB12).
    if j > limit || (CLASS[usize::from(b[j])] & C_MID != 0 && !ascii_break(&b[a..], j - a)) {
        return None;
    }
    Some((n, h, up != 0))
}

/// The state of [`tokenize`], which may also run over a long text piece by piece: the tokens
/// of each piece are appended to `out`, which the caller may empty between pieces.
pub(crate) struct Builder<'a, 't> {
    pub out: Tokens<'t>,
    text: &'t str,
    sep: Sep,
    excluded: &'a [Range<usize>],
    /// First excluded range that may still overlap a segment.
    ex: usize,
    /// Tokens to leave out, with [`Builder::leaving_out`].
    filter: Option<(&'a Bloom, bool)>,
    sentence: u32,
    /// End of the last token made, where [`Builder::count_blocks`] looks from (tokens the
    /// filter leaves out are looked across).
    last_end: usize,
    scratch: String,
}

/// Where a [`Builder`] stands between two pieces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resume {
    sep: Sep,
    ex: usize,
    sentence: u32,
    last_end: usize,
}

impl<'a, 't> Builder<'a, 't> {
    /// A tokenizer of `text`, skipping `excluded` byte ranges (sorted, non-overlapping).
    pub(crate) fn new(text: &'t str, excluded: &'a [Range<usize>]) -> Self {
        Builder {
            out: Tokens {
                list: Vec::new(),
                buf: String::new(),
                text,
            },
            text,
            sep: Sep::Break,
            excluded,
            ex: 0,
            filter: None,
            sentence: 0,
            last_end: 0,
            scratch: String::new(),
        }
    }

    /// Leaves out the tokens whose folded form `wanted` does not contain (may not), symbols
    /// only or, if `words`, words too: the next token made gets a [`Sep::Break`] instead.
    pub(crate) fn leaving_out(mut self, wanted: &'a Bloom, words: bool) -> Self {
        self.filter = Some((wanted, words));
        self
    }

    /// Appends the tokens of `text[from..to]`, the piece after the last one fed; `to` is a
    /// [`next_cut`] (or the end of the text).
    pub(crate) fn feed(&mut self, from: usize, to: usize) {
        let text = self.text;
        for_each_piece(text, from, to, |p| match p {
            Piece::Ascii(a, e) => self.ascii(text, a, e),
            Piece::Segment(i, seg) => self.segment(text, i, seg),
        });
    }

    /// The state after the last piece fed, to go back to with [`Builder::resume`].
    pub(crate) fn at(&self) -> Resume {
        Resume {
            sep: self.sep,
            ex: self.ex,
            sentence: self.sentence,
            last_end: self.last_end,
        }
    }

    /// Goes back to a state of [`Builder::at`] (tokens already made stay in `out`).
    pub(crate) fn resume(&mut self, r: Resume) {
        (self.sep, self.ex, self.sentence, self.last_end) = (r.sep, r.ex, r.sentence, r.last_end);
    }

    /// Empties `out`, keeping its memory.
    pub(crate) fn clear(&mut self) {
        self.out.list.clear();
        self.out.buf.clear();
    }
    /// Where the next excluded range starts: segments ending before it touch none.
    #[inline]
    fn limit(&self) -> usize {
        self.excluded.get(self.ex).map_or(usize::MAX, |r| r.start)
    }

    /// The tokens of the ASCII stretch `text[a..e]`, whose ends are [`safe_break`]s (or the
    /// ends of the text): the segments of [`ascii_segments`], made into tokens as
    /// [`Builder::segment`] would.
    fn ascii(&mut self, text: &str, a: usize, e: usize) {
        let b = &text.as_bytes()[..e];
        let mut limit = self.limit();
        let mut i = a;
        while i < e {
            let c = b[i];
            let class = CLASS[usize::from(c)];
            if class & C_BLANK != 0 {
                // Whitespace and dashes: segments that only set the separator.
                let mut j = i + 1;
                while j < e && CLASS[usize::from(b[j])] & C_BLANK != 0 {
                    j += 1;
                }
                if j > limit {
                    ascii_segments(&text[i..j], i, &mut |st, seg| self.segment(text, st, seg));
                    limit = self.limit();
                } else if self.sep == Sep::None {
                    self.sep = Sep::Space;
                }
                i = j;
                continue;
            }
            // A word runs over letters, digits and `_`, and over the mid-word punctuation
            // UAX #29 keeps inside ("e.g", "don't", "1,200"); anything else is one byte.
            let mut j = i + 1;
            let mut seen = class;
            if class & C_ALNUM != 0 && i + 8 <= e {
                if let Some((n, h, upper)) = short_word(b, a, i, limit) {
                    // A short word, seen in one or two reads; left out if the filter rules
                    // it out.
                    if self.drops_words() && self.filter.is_some_and(|(f, _)| !f.may_contain(h)) {
                        self.sep = Sep::Break;
                    } else {
                        self.push_word(text, i, i + n, upper, h);
                    }
                    i = self.single_space(b, i + n, e, limit);
                    continue;
                }
            }
            if class & C_WORD != 0 {
                loop {
                    let (end, run) = word_run(b, j, e);
                    j = end;
                    seen |= run;
                    // Only mid-word punctuation may continue a word (WB6–WB7, WB11–WB12).
                    if j < e
                        && CLASS[usize::from(b[j])] & C_MID != 0
                        && !ascii_break(&b[a..], j - a)
                    {
                        j += 1;
                    } else {
                        break;
                    }
                }
            }
            if j > limit {
                self.segment(text, i, &text[i..j]);
                limit = self.limit();
                i = j;
                continue;
            }
            let word = seen & C_ALNUM != 0;
            self.push_ascii(text, i, j, word, seen & C_UPPER != 0);
            if !word && matches!(c, b'.' | b'!' | b'?') {
                self.sentence += 1;
            }
            i = self.single_space(b, j, e, limit);
        }
    }

    /// After a token ending at `j` of the ASCII stretch ending at `e`: if one space and no
    /// more follows (before `limit`), the separator it makes, without a blank run of its own, and
    /// the position after it; else `j`.
    #[inline(always)]
    fn single_space(&mut self, b: &[u8], j: usize, e: usize, limit: usize) -> usize {
        if b[j..].starts_with(b" ")
            && j + 1 < e.min(limit)
            && CLASS[usize::from(b[j + 1])] & C_BLANK == 0
        {
            if self.sep == Sep::None {
                self.sep = Sep::Space;
            }
            return j + 1;
        }
        j
    }

    /// Counts a sentence for each line break between the last token and `start` that ends a
    /// block ([`ends_block`]): whatever lies between (blanks, skipped markup, left-out
    /// tokens), so every path and every way of cutting the text into pieces agrees.
    #[inline(always)]
    fn count_blocks(&mut self, start: usize) {
        let b = self.text.as_bytes();
        let lo = self.last_end.min(start);
        let gap = &b[lo..start];
        if gap.len() > 1 || gap.first() == Some(&b'\n') {
            for (k, _) in gap.iter().enumerate().filter(|(_, &c)| c == b'\n') {
                if ends_block(b, lo + k) {
                    self.sentence += 1;
                }
            }
        }
    }

    /// Whether words may be left out ([`Builder::leaving_out`]).
    #[inline(always)]
    fn drops_words(&self) -> bool {
        self.filter.is_some_and(|(_, words)| words)
    }

    /// Pushes the word `text[start..end]` of [`short_word`]: ASCII letters, digits and `_`
    /// (so no possessive to drop), `upper` if it has capitals, of folded form's hash `h`.
    /// (The lower-casing is written out again rather than shared with `push_ascii` through a
    /// helper: the shared version ran 0.5–1% more instructions per byte.)
    #[inline(always)]
    fn push_word(&mut self, text: &str, start: usize, end: usize, upper: bool, h: u64) {
        if upper {
            let a = self.out.buf.len();
            self.out.buf.extend(
                text.as_bytes()[start..end]
                    .iter()
                    .map(|&c| char::from(c.to_ascii_lowercase())),
            );
            self.push(start, end, (a, self.out.buf.len()), false, true, Some(h));
        } else {
            self.push(start, end, (start, end), true, true, Some(h));
        }
    }

    /// Pushes the ASCII segment `text[start..end]`: folding it is lower-casing and dropping a
    /// possessive `'s` of a word, so a segment without capitals is its own folded form (no copy).
    #[inline(always)]
    fn push_ascii(&mut self, text: &str, start: usize, end: usize, word: bool, upper: bool) {
        let seg = &text.as_bytes()[start..end];
        let n = seg.len();
        let mut norm_end = end;
        if word && n > 2 && seg[n - 2] == b'\'' && seg[n - 1] | 0x20 == b's' {
            norm_end -= 2;
        }
        if upper {
            // Byte by byte: tokens are short, a call to `memcpy` costs more than the copy.
            let a = self.out.buf.len();
            self.out.buf.extend(
                text.as_bytes()[start..norm_end]
                    .iter()
                    .map(|&c| char::from(c.to_ascii_lowercase())),
            );
            self.push(start, end, (a, self.out.buf.len()), false, word, None);
        } else {
            self.push(start, end, (start, norm_end), true, word, None);
        }
    }

    /// Pushes a token whose folded form is `norm` (of the text if `in_text`, else of the
    /// buffer), of [`hash_str`] `hash` (computed here if not given).
    #[inline(always)]
    fn push(
        &mut self,
        start: usize,
        end: usize,
        norm: (usize, usize),
        in_text: bool,
        word: bool,
        hash: Option<u64>,
    ) {
        let hash = hash.unwrap_or_else(|| {
            hash_str(if in_text {
                &self.text.as_bytes()[norm.0..norm.1]
            } else {
                &self.out.buf.as_bytes()[norm.0..norm.1]
            })
        });
        if let Some((wanted, _)) = self.filter.filter(|&(_, words)| words || !word) {
            if !wanted.may_contain(hash) {
                // Not a token a mention or cue phrase can use: a wall, as skipped markup is.
                if !in_text {
                    self.out.buf.truncate(norm.0);
                }
                self.sep = Sep::Break;
                return;
            }
        }
        self.count_blocks(start);
        self.last_end = end;
        self.out.list.push(Token {
            start,
            end,
            norm: (norm.0 as u32, norm.1 as u32),
            in_text,
            sep: self.sep,
            word,
            sentence: self.sentence,
            hash,
        });
        self.sep = Sep::None;
    }

    /// One UAX #29 segment starting at byte `start`: the general rule.
    fn segment(&mut self, text: &str, start: usize, seg: &str) {
        let end = start + seg.len();
        while self.excluded.get(self.ex).is_some_and(|r| r.end <= start) {
            self.ex += 1;
        }
        if let Some(r) = self.excluded.get(self.ex).filter(|r| r.start < end) {
            // A whitespace or dash entity (`&nbsp;`, `&ndash;`) separates words like a space;
            // anything else skipped (code, tags, URLs) is a wall no term spans.
            if self.sep != Sep::Break && is_blank_entity(&text[r.start..r.end]) {
                self.sep = Sep::Space;
            } else {
                self.sep = Sep::Break;
            }
            return;
        }
        let first = match seg.as_bytes()[0] {
            b if b.is_ascii() => char::from(b),
            _ => seg.chars().next().unwrap_or(' '),
        };
        if first.is_whitespace() || (is_dash(first) && seg.chars().all(is_dash)) {
            if self.sep == Sep::None {
                self.sep = Sep::Space;
            }
            return;
        }
        let word = if seg.is_ascii() {
            let word = seg.bytes().any(|c| c.is_ascii_alphanumeric());
            let upper = seg.bytes().any(|c| c.is_ascii_uppercase());
            self.push_ascii(text, start, end, word, upper);
            word
        } else {
            let word = seg.chars().any(char::is_alphanumeric);
            fold_into(seg, &mut self.scratch);
            let norm = if word {
                strip_possessive(&self.scratch)
            } else {
                &self.scratch
            };
            let a = self.out.buf.len();
            self.out.buf.push_str(norm);
            self.push(start, end, (a, self.out.buf.len()), false, word, None);
            word
        };
        if !word && is_sentence_end(seg) {
            self.sentence += 1;
        }
    }
}

/// The plain tokenizer [`tokenize`] must agree with: every segment through the general rule.
#[cfg(test)]
fn tokenize_reference<'t>(text: &'t str, excluded: &[Range<usize>]) -> Tokens<'t> {
    let mut t = Builder::new(text, excluded);
    for (i, seg) in text.split_word_bound_indices() {
        t.segment(text, i, seg);
    }
    t.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn toks(text: &str) -> Vec<(String, Sep)> {
        let t = tokenize(text, &[]);
        (0..t.len())
            .map(|i| (t.norm(i).to_string(), t.list[i].sep))
            .collect()
    }

    #[test]
    fn words_punctuation_and_gaps() {
        use Sep::*;
        assert_eq!(
            toks("Click-through  rate of 24/7 KPIs"),
            vec![
                ("click".into(), Break),
                ("through".into(), Space),
                ("rate".into(), Space),
                ("of".into(), Space),
                ("24".into(), Space),
                ("/".into(), None),
                ("7".into(), None),
                ("kpis".into(), Space),
            ]
        );
        assert_eq!(toks("the customer’s")[1].0, "customer");
        assert_eq!(toks("rapid")[0].0, "rapid");
    }

    type Segments = Vec<(usize, String)>;

    fn both(text: &str) -> (Segments, Segments) {
        let mut fast = Vec::new();
        for_each_segment(text, |i, s| fast.push((i, s.to_string())));
        let uax = text
            .split_word_bound_indices()
            .map(|(i, s)| (i, s.to_string()))
            .collect();
        (fast, uax)
    }

    #[test]
    fn ascii_fast_path_agrees_with_uax29() {
        for text in [
            "a:b a.b a'b 1,2 1;2 1.2 1'2 a_b _a  x\t\tx\r\n a\"b x\u{b}\u{b}y",
            "e.g. i.e. 3.5% $20 1,200 24/7 v2 don't a'.b a.'b 1.,2 ..a a.. 'a a' :a a: _1_",
            "caf\u{e9} na\u{ef}ve don\u{2019}t \u{201c}quoted\u{201d} \u{2014} r\u{e9}sum\u{e9}",
            "  \u{301}a e\u{301} \u{200d}x 👩‍💻 🇫🇷🇩🇪 ab\u{200d}\u{301}cd \n\u{301}",
            "",
            " ",
            "x",
        ] {
            let (fast, uax) = both(text);
            assert_eq!(fast, uax, "{text:?}");
        }
    }

    #[test]
    fn exclusions_break() {
        let excluded = [Range { start: 2, end: 5 }];
        let t = tokenize("a `b` c", &excluded);
        assert_eq!(t.len(), 2);
        assert_eq!(t.list[1].sep, Sep::Break);
    }

    /// `a..a + n` of `text` as an excluded range, if on char boundaries and not empty.
    fn one_range(text: &str, cut: Option<(usize, usize)>) -> Vec<Range<usize>> {
        cut.map(|(a, n)| (a.min(text.len()), (a + n).min(text.len())))
            .filter(|&(a, b)| a < b && text.is_char_boundary(a) && text.is_char_boundary(b))
            .map(|(a, b)| a..b)
            .into_iter()
            .collect()
    }

    /// [`tokenize`] and [`tokenize_reference`] make the same tokens.
    fn same_as_reference(text: &str, excluded: &[Range<usize>]) -> Result<(), TestCaseError> {
        let (fast, slow) = (tokenize(text, excluded), tokenize_reference(text, excluded));
        prop_assert_eq!(fast.len(), slow.len());
        for (i, (a, b)) in fast.list.iter().zip(&slow.list).enumerate() {
            prop_assert_eq!(
                (a.start, a.end, a.sep, a.word, a.sentence),
                (b.start, b.end, b.sep, b.word, b.sentence)
            );
            prop_assert_eq!(fast.norm(i), slow.norm(i));
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The ASCII fast path gives exactly the segments of UAX #29, on mostly-ASCII text
        /// with punctuation, whitespace of every kind and some non-ASCII (marks, joiners,
        /// emoji, typographic quotes and dashes) at any position.
        #[test]
        fn fast_path_equals_uax29(
            text in r#"([a-cA-C0-9_:;,.'" \t\r\n\x0B\x0C/()-]|\u{301}|\u{200d}|\u{2019}|\u{2014}|\u{e9}|👩|🇫|\PC){0,40}"#
        ) {
            let (fast, uax) = both(&text);
            prop_assert_eq!(fast, uax);
        }

        /// The one-pass tokenizer makes exactly the tokens of the general rule applied to every
        /// UAX #29 segment, with and without excluded ranges.
        #[test]
        fn tokenize_equals_reference(
            text in r#"([a-cx-zA-CX-Z0-9_:;,.'!?" \t\r\n\x0B\x0C/()@\[`{-]|\u{301}|\u{2019}|\u{2014}|\u{e9}|&nbsp;|\PC){0,60}"#,
            cuts in proptest::collection::vec(0usize..80, 0..6),
        ) {
            let mut cuts: Vec<usize> = cuts
                .into_iter()
                .map(|c| c.min(text.len()))
                .filter(|&c| text.is_char_boundary(c))
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            let excluded: Vec<Range<usize>> = cuts
                .chunks_exact(2)
                .map(|p| p[0]..p[1])
                .collect();
            same_as_reference(&text, &excluded)?;
        }

        /// The same on mostly-ASCII text (every printable ASCII byte), where the scanner takes
        /// long stretches eight bytes at a time.
        #[test]
        fn tokenize_equals_reference_ascii(
            text in r#"([ -~\t\r\n]{1,24}|\u{e9}|\u{2019}|&nbsp;){0,8}"#,
            cut in proptest::option::of((0usize..200, 1usize..8)),
        ) {
            let excluded = one_range(&text, cut);
            same_as_reference(&text, &excluded)?;
        }

        /// Fed piece by piece, cut at [`next_cut`]s and emptied between pieces (as `find` runs
        /// over a long text), the tokenizer makes the tokens of the whole text.
        #[test]
        fn pieces_tokenize_as_the_whole(
            text in r#"([ -~\t\r\n]{1,12}|\u{e9}|\u{2019}|\u{301}|&nbsp;|\PC){0,30}"#,
            step in 1usize..40,
            cut in proptest::option::of((0usize..200, 1usize..12)),
        ) {
            let excluded = one_range(&text, cut);
            let whole = tokenize(&text, &excluded);
            let mut b = Builder::new(&text, &excluded);
            let mut got = Vec::new();
            let mut pos = 0;
            while pos < text.len() {
                let to = next_cut(&text, pos + step);
                prop_assert!(to > pos);
                b.clear();
                b.feed(pos, to);
                for i in 0..b.out.len() {
                    got.push((b.out.list[i], b.out.norm(i).to_string()));
                }
                pos = to;
            }
            prop_assert_eq!(got.len(), whole.len());
            for (i, (t, norm)) in got.iter().enumerate() {
                let w = whole.list[i];
                prop_assert_eq!(
                    (t.start, t.end, t.sep, t.word, t.sentence),
                    (w.start, w.end, w.sep, w.word, w.sentence)
                );
                prop_assert_eq!(norm.as_str(), whole.norm(i));
            }
        }

        /// Leaving tokens out gives the tokens of the general rule without those the filter
        /// rules out (symbols, or words too), each next one with a [`Sep::Break`]; the short
        /// words ruled out in one read included.
        #[test]
        fn leaving_out_equals_reference_without(
            text in r#"([a-cA-C0-9_:;,.'!?" \t\r\n/()-]{1,30}|\u{e9}|&nbsp;){0,10}"#,
            words in any::<bool>(),
            cut in proptest::option::of((0usize..300, 1usize..8)),
        ) {
            let mut wanted = Bloom::with_capacity(16);
            for w in ["ab", "abc", "ca", "b", ".", "aaaaaaaaaaaa", "abcabcab", "\u{e9}"] {
                wanted.insert(hash_str(w.as_bytes()));
            }
            let excluded = one_range(&text, cut);
            let mut b = Builder::new(&text, &excluded).leaving_out(&wanted, words);
            b.feed(0, text.len());
            let got = b.out;
            let all = tokenize_reference(&text, &excluded);
            let mut want = Vec::new();
            let mut dropped = false;
            for i in 0..all.len() {
                let mut t = all.list[i];
                if (t.word && !words) || wanted.may_contain(hash_str(all.norm_bytes(i))) {
                    if dropped {
                        t.sep = Sep::Break;
                        dropped = false;
                    }
                    want.push((t.start, t.end, t.sep, t.word, t.sentence, all.norm(i).to_string()));
                } else {
                    dropped = true;
                }
            }
            let got: Vec<_> = (0..got.len())
                .map(|i| {
                    let t = got.list[i];
                    (t.start, t.end, t.sep, t.word, t.sentence, got.norm(i).to_string())
                })
                .collect();
            prop_assert_eq!(got, want);
        }

        /// The same on arbitrary Unicode.
        #[test]
        fn fast_path_equals_uax29_any(text in r"(\PC|\s){0,30}") {
            let (fast, uax) = both(&text);
            prop_assert_eq!(fast, uax);
        }
    }
}
