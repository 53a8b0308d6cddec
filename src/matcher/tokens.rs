//! Splitting text into tokens on Unicode word boundaries (UAX #29).
//!
//! A token is a word (it has a letter or digit) or a single piece of punctuation/symbol.
//! Whitespace and dashes are not tokens: they are the *gap* before the next token, so
//! "click-through" and "click through" give the same tokens with the same gaps. Excluded
//! ranges (code, URLs, tags) are dropped and leave a [`Gap::Break`] that no term spans.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::normalize::{fold_into, strip_possessive};
use crate::glossary::is_dash;

/// What separates a token from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gap {
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
    /// Range of the folded form in [`Tokens::buf`].
    norm: (u32, u32),
    /// What lies between the previous token and this one.
    pub gap: Gap,
    /// A word (has a letter or digit), not punctuation.
    pub word: bool,
    /// Sentence number, for the ambiguity window.
    pub sentence: u32,
}

/// The tokens of one text and their folded forms.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub list: Vec<Token>,
    buf: String,
}

impl Tokens {
    /// The folded form of token `i` (NFKC, lower case, straight quotes, no possessive `'s`).
    pub fn norm(&self, i: usize) -> &str {
        let (a, b) = self.list[i].norm;
        &self.buf[a as usize..b as usize]
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }
}

fn is_sentence_end(s: &str) -> bool {
    matches!(s, "." | "!" | "?" | "…" | "。")
}

/// Tokenises `text`, skipping `excluded` byte ranges (sorted, non-overlapping).
pub(crate) fn tokenize(text: &str, excluded: &[Range<usize>]) -> Tokens {
    let mut out = Tokens {
        list: Vec::with_capacity(text.len() / 5),
        buf: String::with_capacity(text.len()),
    };
    let mut gap = Gap::Break;
    let mut ex = excluded.iter().peekable();
    let mut scratch = String::new();
    let mut sentence = 0u32;
    for (start, seg) in text.split_word_bound_indices() {
        let end = start + seg.len();
        while ex.peek().is_some_and(|r| r.end <= start) {
            ex.next();
        }
        if ex.peek().is_some_and(|r| r.start < end) {
            gap = Gap::Break;
            continue;
        }
        let first = seg.chars().next().unwrap_or(' ');
        if first.is_whitespace() || (is_dash(first) && seg.chars().all(is_dash)) {
            if gap == Gap::None {
                gap = Gap::Space;
            }
            if seg.contains("\n\n") || seg.contains("\n\r\n") {
                sentence += 1;
            }
            continue;
        }
        let word = seg.chars().any(char::is_alphanumeric);
        fold_into(seg, &mut scratch);
        let norm = if word {
            strip_possessive(&scratch)
        } else {
            &scratch
        };
        let a = out.buf.len() as u32;
        out.buf.push_str(norm);
        out.list.push(Token {
            start,
            end,
            norm: (a, out.buf.len() as u32),
            gap,
            word,
            sentence,
        });
        if !word && is_sentence_end(seg) {
            sentence += 1;
        }
        gap = Gap::None;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<(String, Gap)> {
        let t = tokenize(text, &[]);
        (0..t.len())
            .map(|i| (t.norm(i).to_string(), t.list[i].gap))
            .collect()
    }

    #[test]
    fn words_punctuation_and_gaps() {
        use Gap::*;
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

    #[test]
    fn exclusions_break() {
        let excluded = [Range { start: 2, end: 5 }];
        let t = tokenize("a `b` c", &excluded);
        assert_eq!(t.len(), 2);
        assert_eq!(t.list[1].gap, Gap::Break);
    }
}
