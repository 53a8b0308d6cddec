//! Positions: LSP's `line:character` against the byte offsets the checker works in.
//!
//! LSP counts characters in UTF-16 code units unless the client and server agreed on UTF-8
//! (`positionEncoding`, LSP 3.17). Every conversion of the server goes through [`Positions`],
//! a view of one version of a document over [`crate::lines::LineIndex`] (the crate's one
//! place for lines and columns), so the rest of the server only sees byte offsets.

use crate::lines::{ColumnUnit, LineIndex};
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

/// The line table of one text, and the encoding positions are given in. Built per request
/// (one `memchr` pass over the text), so it never outlives the text it was built from.
pub struct Positions<'a> {
    lines: LineIndex<'a>,
    unit: ColumnUnit,
}

impl<'a> Positions<'a> {
    /// The table of `text`.
    pub fn new(text: &'a str, encoding: Encoding) -> Positions<'a> {
        Positions {
            lines: LineIndex::new(text),
            unit: match encoding {
                Encoding::Utf16 => ColumnUnit::Utf16,
                Encoding::Utf8 => ColumnUnit::Utf8,
            },
        }
    }

    /// The position of byte offset `offset` (clamped to the text; an offset inside a
    /// character counts as its start).
    pub fn position(&self, offset: usize) -> Position {
        let (line, col) = self.lines.line_col(offset, self.unit);
        Position::new(to_u32(line), to_u32(col))
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of `pos`. A line past the end gives the end of the text, a character
    /// past the end of its line the end of that line (as LSP asks servers to read them), a
    /// character inside a character (a UTF-16 position splitting a surrogate pair) its start.
    pub fn offset(&self, pos: Position) -> usize {
        self.lines
            .offset_at(pos.line as usize, pos.character as usize, self.unit)
    }
}

/// `n` as LSP's `u32` (documents over 4 GiB saturate).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
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
