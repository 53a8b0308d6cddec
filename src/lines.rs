//! Lines and columns of byte offsets in a text: the one place where offsets become the 1-based
//! line and column (in characters, and in UTF-16 code units for editors) that reports, error
//! messages and editors show. Used by glossary loading and exchange (`file:line`), `broker
//! check` (findings), `broker gaps` (examples) and the integrations file; and where byte
//! offsets become the Unicode-scalar and UTF-16 offsets of annotations and gaps ([`Offsets`]).
//!
//! Editors (the LSP server) go through the same [`LineIndex`]: 0-based line and column in
//! UTF-8 bytes or UTF-16 code units to a byte offset and back ([`LineIndex::line_col`],
//! [`LineIndex::offset_at`]), which is what applying an incremental edit needs.
//!
//! Lines end at `\n`; a `\r` before it counts as the previous line's last character, except
//! that an editor's column past the end of a line stops before its `\r\n`.

/// The line starts of one text, for many look-ups.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of each line's first byte; `starts[0] == 0`.
    starts: Vec<usize>,
}

/// Where a byte offset is, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    /// In characters (Unicode scalar values).
    pub column: usize,
    /// In UTF-16 code units (what the LSP and browsers count).
    pub column_utf16: usize,
}

/// What an editor's column counts (LSP's `positionEncoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUnit {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units.
    Utf16,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`'s line starts.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// The 1-based line of byte `offset` (offsets past the end are on the last line).
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The line and columns of byte `offset`, clamped to the text. An offset inside a
    /// character counts the bytes before it on its line as columns.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line(offset);
        let start = self.starts[line - 1];
        let (column, column_utf16) = match self.text.get(start..offset) {
            Some(before) => (
                before.chars().count(),
                before.chars().map(char::len_utf16).sum(),
            ),
            None => (offset - start, offset - start),
        };
        Position {
            line,
            column: column + 1,
            column_utf16: column_utf16 + 1,
        }
    }

    /// The 0-based line and column (in `unit`) of byte `offset`, clamped to the text; an
    /// offset inside a character counts as that character's start.
    pub fn line_col(&self, offset: usize, unit: ColumnUnit) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line(offset) - 1;
        let before = &self.text[self.starts[line]..offset];
        let column = match unit {
            ColumnUnit::Utf8 => before.len(),
            ColumnUnit::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        (line, column)
    }

    /// The byte offset of 0-based `line` and `column` (in `unit`). A line past the end gives
    /// the end of the text, a column past the end of its line the end of that line (before
    /// its `\n` or `\r\n`), as LSP asks servers to read them. A column inside a character
    /// (a UTF-8 column inside a multi-byte one, a UTF-16 column between the halves of a
    /// surrogate pair) gives that character's start.
    pub fn offset_at(&self, line: usize, column: usize, unit: ColumnUnit) -> usize {
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        // The line's `\n` (or the end of the text), then its `\r` if any.
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |&s| s - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' && end < self.text.len() {
            end -= 1;
        }
        let content = &self.text[start..end];
        let mut counted = 0;
        for (i, c) in content.char_indices() {
            let width = match unit {
                ColumnUnit::Utf8 => c.len_utf8(),
                ColumnUnit::Utf16 => c.len_utf16(),
            };
            if counted + width > column {
                return start + i;
            }
            counted += width;
        }
        end
    }
}

/// Byte offsets to offsets in Unicode scalar values and UTF-16 code units, for offsets met in
/// increasing order (the spans of one text's annotations or gaps): each call counts only the
/// bytes since the previous one, so a whole text costs one pass.
pub struct Offsets<'a> {
    text: &'a [u8],
    byte: usize,
    chars: usize,
    utf16: usize,
}

impl<'a> Offsets<'a> {
    /// A counter at the start of `text`.
    pub fn new(text: &'a str) -> Offsets<'a> {
        Offsets {
            text: text.as_bytes(),
            byte: 0,
            chars: 0,
            utf16: 0,
        }
    }

    /// The (char, UTF-16) offsets of byte offset `to`, which must be a char boundary at or
    /// after the previous call's.
    pub fn advance(&mut self, to: usize) -> (usize, usize) {
        // A char starts at every byte that is not a continuation byte (10xxxxxx); chars of
        // four bytes (leading byte 11110xxx) take two UTF-16 units.
        let part = &self.text[self.byte..to];
        if part.is_ascii() {
            self.chars += part.len();
            self.utf16 += part.len();
        } else {
            // Counted in byte-sized sums of at most 255 bytes, which the compiler vectorises.
            let (mut starts, mut wide) = (0, 0);
            for c in part.chunks(255) {
                starts += usize::from(c.iter().map(|&b| u8::from(b & 0xC0 != 0x80)).sum::<u8>());
                wide += usize::from(c.iter().map(|&b| u8::from(b >= 0xF0)).sum::<u8>());
            }
            self.chars += starts;
            self.utf16 += starts + wide;
        }
        self.byte = to;
        (self.chars, self.utf16)
    }
}

/// The 1-based line of byte `offset` in `text`, for a single look-up (offsets past the end
/// are on the last line).
pub fn line_of(text: &str, offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..offset.min(text.len())]).count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(6), 4);
        assert_eq!(line_of("a\nbc\n\nd", 6), 4);
        assert_eq!(line_of("a\nbc", 99), 2);
    }

    #[test]
    fn offsets_count_chars_and_utf16_units() {
        let text = "aé😀b c";
        let mut o = Offsets::new(text);
        assert_eq!(o.advance(1), (1, 1));
        assert_eq!(o.advance("aé".len()), (2, 2));
        assert_eq!(o.advance("aé😀".len()), (3, 4));
        assert_eq!(o.advance(text.len()), (6, 7));
        let long = "é".repeat(300);
        assert_eq!(Offsets::new(&long).advance(long.len()), (300, 300));
    }

    #[test]
    fn columns_count_characters_and_utf16_units() {
        let idx = LineIndex::new("ab\néé😀<x");
        let p = idx.position("ab\néé😀".len());
        assert_eq!((p.line, p.column, p.column_utf16), (2, 4, 5));
        assert_eq!(idx.position(0).column, 1);
        // Clamped past the end.
        assert_eq!(idx.position(999).line, 2);
    }

    #[test]
    fn editor_columns_round_trip_in_utf8_and_utf16() {
        let text = "ab\r\n🚀 café pipeline\n\nend";
        let idx = LineIndex::new(text);
        let at = text.find("pipeline").unwrap();
        // "🚀" is 2 UTF-16 units and 4 bytes, "é" 1 unit and 2 bytes.
        assert_eq!(idx.line_col(at, ColumnUnit::Utf16), (1, 8));
        assert_eq!(idx.line_col(at, ColumnUnit::Utf8), (1, 11));
        assert_eq!(idx.offset_at(1, 8, ColumnUnit::Utf16), at);
        assert_eq!(idx.offset_at(1, 11, ColumnUnit::Utf8), at);
        // Past the end of a line (before its `\r\n`), of an empty line, of the text.
        assert_eq!(idx.offset_at(0, 99, ColumnUnit::Utf16), 2);
        assert_eq!(
            idx.offset_at(2, 5, ColumnUnit::Utf16),
            text.find("\n\n").unwrap() + 1
        );
        assert_eq!(idx.offset_at(9, 0, ColumnUnit::Utf16), text.len());
        assert_eq!(idx.offset_at(3, 99, ColumnUnit::Utf8), text.len());
        assert_eq!(idx.line_col(text.len(), ColumnUnit::Utf16), (3, 3));
        // Inside the rocket: its start, either way.
        let rocket = text.find('🚀').unwrap();
        assert_eq!(idx.offset_at(1, 1, ColumnUnit::Utf16), rocket);
        assert_eq!(idx.offset_at(1, 2, ColumnUnit::Utf8), rocket);
        assert_eq!(idx.line_col(rocket + 2, ColumnUnit::Utf16), (1, 0));
    }
}
