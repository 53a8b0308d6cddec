//! Positions: LSP's `line:character` against the byte offsets the checker works in.
//!
//! LSP counts characters in UTF-16 code units unless the client and server agreed on UTF-8
//! (`positionEncoding`, LSP 3.17). Every conversion of the server goes through [`Positions`],
//! built once per version of a document on `line-index` (rust-analyzer's line table), so the
//! rest of the server only sees byte offsets.

use line_index::{LineCol, LineIndex, TextSize, WideEncoding, WideLineCol};
use lsp_types::{Position, PositionEncodingKind, Range};

/// How the client counts `character`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-16 code units: LSP's default, and what most editors use.
    #[default]
    Utf16,
    /// UTF-8 bytes, when the client offers it.
    Utf8,
}

impl Encoding {
    /// The encoding to use given what the client offers (`general.positionEncodings`, in
    /// its order of preference): UTF-8 when offered, as no conversion is needed, else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The name the server announces in its capabilities.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf8 => PositionEncodingKind::UTF8,
        }
    }
}

/// The line table of one text, and the encoding positions are given in.
#[derive(Debug, Clone)]
pub struct Positions {
    index: LineIndex,
    /// Where each line's content ends (before `\n` or `\r\n`).
    ends: Vec<u32>,
    len: usize,
    encoding: Encoding,
}

impl Positions {
    /// The table of `text`.
    pub fn new(text: &str, encoding: Encoding) -> Positions {
        let mut ends = Vec::new();
        for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
            let cr = nl > 0 && text.as_bytes()[nl - 1] == b'\r';
            ends.push((nl - usize::from(cr)) as u32);
        }
        ends.push(text.len() as u32);
        Positions {
            index: LineIndex::new(text),
            ends,
            len: text.len(),
            encoding,
        }
    }

    /// The position of byte offset `offset` (clamped to the text; an offset inside a
    /// character is not produced by the checker).
    pub fn position(&self, offset: usize) -> Position {
        let mut at = offset.min(self.len) as u32;
        let lc = loop {
            match self.index.try_line_col(TextSize::new(at)) {
                Some(lc) => break lc,
                // Inside a character: its start.
                None if at > 0 => at -= 1,
                None => break LineCol { line: 0, col: 0 },
            }
        };
        let col = match self.encoding {
            Encoding::Utf8 => lc.col,
            Encoding::Utf16 => self
                .index
                .to_wide(WideEncoding::Utf16, lc)
                .map_or(lc.col, |w| w.col),
        };
        Position::new(lc.line, col)
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of `pos`. A line past the end gives the end of the text, a character
    /// past the end of its line the end of that line (as LSP asks servers to read them). The
    /// offset may fall inside a character only when a UTF-16 position splits a surrogate
    /// pair; callers slicing text round it down with [`floor_boundary`].
    pub fn offset(&self, pos: Position) -> usize {
        let (Some(line), Some(&end)) =
            (self.index.line(pos.line), self.ends.get(pos.line as usize))
        else {
            return self.len;
        };
        let line_start = u32::from(line.start());
        let wide = WideLineCol {
            line: pos.line,
            col: pos.character,
        };
        let lc = match self.encoding {
            Encoding::Utf8 => Some(LineCol {
                line: pos.line,
                col: pos.character,
            }),
            Encoding::Utf16 => self.index.to_utf8(WideEncoding::Utf16, wide),
        };
        match lc.and_then(|lc| self.index.offset(lc)) {
            Some(o) => u32::from(o).clamp(line_start, end) as usize,
            None => end as usize,
        }
    }
}

/// `at`, or the start of the character it falls in.
pub fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns_of_emoji_and_accents() {
        let text = "ab\n🚀 café pipeline\nend";
        let p16 = Positions::new(text, Encoding::Utf16);
        let p8 = Positions::new(text, Encoding::Utf8);
        let at = text.find("pipeline").unwrap();
        // "🚀" is 2 UTF-16 units and 4 bytes, "é" 1 unit and 2 bytes.
        assert_eq!(p16.position(at), Position::new(1, 8));
        assert_eq!(p8.position(at), Position::new(1, 11));
        assert_eq!(p16.offset(Position::new(1, 8)), at);
        assert_eq!(p8.offset(Position::new(1, 11)), at);
        // Past the end of a line or of the text.
        assert_eq!(p16.offset(Position::new(0, 99)), 2);
        assert_eq!(p16.offset(Position::new(9, 0)), text.len());
        assert_eq!(p16.position(text.len()), Position::new(2, 3));
    }

    #[test]
    fn negotiation_prefers_utf8_when_offered() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ])),
            Encoding::Utf8
        );
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF32])),
            Encoding::Utf16
        );
    }
}
