//! Lines and columns of byte offsets in a text: the one place where offsets become the 1-based
//! line and column (in characters, and in UTF-16 code units for editors) that reports, error
//! messages and editors show. Used by glossary loading and exchange (`file:line`), `broker
//! check` (findings), `broker gaps` (examples) and the integrations file; and where byte
//! offsets become the Unicode-scalar and UTF-16 offsets of annotations and gaps ([`Offsets`]).
//!
//! Lines end at `\n`; a `\r` before it counts as the previous line's last character.

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
}
