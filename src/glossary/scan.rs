//! A one-pass reader for the plain TOML that glossary files are written in.
//!
//! The `toml` crate (used by [`super::load`]) builds a whole document — tokens, events, tables
//! of spanned values — before serde sees any of it: for a 25 MB glossary of 100,000 concepts
//! that is over a second and more than 600 MB. Glossary files use a small, regular part of
//! TOML: `[[concept]]`, `[concept.it]` and `[concept.marketing]` headers; `key = value` lines
//! with strings, arrays of strings and one-line `{ text = …, case_sensitive = …, fuzzy = … }`
//! term tables; comments. This reader takes exactly that part, in one pass, straight into
//! [`Located`] concepts with their lines.
//!
//! It never decides what is an error. Anything else — other TOML syntax (dotted or quoted keys,
//! multi-line strings, numbers, inline side tables, …), an unknown or repeated key, a missing
//! id, a value of the wrong type, a syntax error — makes it give up (`None`), and the caller
//! reads the file with the `toml` crate, which accepts it or reports it in its own words. The
//! tests check that whatever this reader accepts, the `toml` path reads the same way, lines
//! included.
//!
//! Why it stays (measured by `tests::measure_readers`, figures in ARCHITECTURE.md): on the
//! embedded glossary it takes 1.7 ms where `toml` + serde takes 5.9–11.8 ms, which would
//! double the whole load (8.7 ms); a bare `toml_parser` pass alone takes 1.2 ms.

use super::located::{FieldLines, Located, SideLines};
use super::model::{Concept, SideEntry, Term};

/// Reads `text` if it is written in the plain subset; `None` means "use the full parser".
pub(crate) fn parse(text: &str) -> Option<Vec<Located>> {
    let mut s = Scanner {
        text,
        b: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    // One slot per `[[concept]]` (an upper bound: some may sit in strings or comments), so
    // that the list is not copied as it grows.
    let mut out =
        Vec::with_capacity(memchr::memmem::find_iter(text.as_bytes(), "[[concept]]").count());
    let mut cur: Option<Building> = None;
    // Which table the key/value lines belong to: none yet, the concept, or one of its sides.
    let mut side: Option<usize> = None;
    loop {
        s.skip_ws();
        match s.peek() {
            None => break,
            Some(b'\n' | b'\r' | b'#') => s.end_of_line()?,
            Some(b'[') => {
                let line = s.line;
                match s.header()? {
                    Header::Concept => {
                        if let Some(done) = cur.take() {
                            out.push(done.finish()?);
                        }
                        cur = Some(Building::new(line));
                        side = None;
                    }
                    Header::Side(k) => {
                        let c = cur.as_mut()?;
                        if c.lines.sides[k].is_some() {
                            return None;
                        }
                        c.lines.sides[k] = Some(SideLines::new(line));
                        *c.side_mut(k) = Some(SideEntry::default());
                        side = Some(k);
                    }
                }
                s.end_of_line()?;
            }
            Some(_) => {
                let c = cur.as_mut()?;
                let key = s.key()?;
                match side {
                    None => c.concept_key(&mut s, key)?,
                    Some(k) => c.side_key(&mut s, k, key)?,
                }
                s.end_of_line()?;
            }
        }
    }
    if let Some(done) = cur {
        out.push(done.finish()?);
    }
    Some(out)
}

enum Header {
    Concept,
    /// 0 = it, 1 = marketing.
    Side(usize),
}

/// A concept being read, with the lines of what has been seen so far.
struct Building {
    concept: Concept,
    line: usize,
    id_line: Option<usize>,
    lines: FieldLines,
    note_seen: bool,
    definition_seen: [bool; 2],
    terms_seen: [bool; 2],
}

impl Building {
    fn new(line: usize) -> Building {
        Building {
            concept: Concept::default(),
            line,
            id_line: None,
            lines: FieldLines::default(),
            note_seen: false,
            definition_seen: [false; 2],
            terms_seen: [false; 2],
        }
    }

    fn side_mut(&mut self, k: usize) -> &mut Option<SideEntry> {
        if k == 0 {
            &mut self.concept.it
        } else {
            &mut self.concept.marketing
        }
    }

    fn concept_key(&mut self, s: &mut Scanner, key: &str) -> Option<()> {
        let line = s.line;
        match key {
            "id" if self.id_line.is_none() => {
                self.concept.id = s.string()?;
                self.id_line = Some(line);
            }
            "note" if !self.note_seen => {
                self.concept.note = Some(s.string()?);
                self.note_seen = true;
            }
            "tags" if self.lines.tags.is_none() => {
                self.concept.tags = s.strings()?;
                self.lines.tags = Some(line);
            }
            "cues" if self.lines.cues.is_none() => {
                self.concept.cues = s.strings()?;
                self.lines.cues = Some(line);
            }
            "not_in" if self.lines.not_in.is_none() => {
                self.concept.not_in = s.strings()?;
                self.lines.not_in = Some(line);
            }
            _ => return None,
        }
        Some(())
    }

    fn side_key(&mut self, s: &mut Scanner, k: usize, key: &str) -> Option<()> {
        let line = s.line;
        match key {
            "definition" if !self.definition_seen[k] => {
                let d = s.string()?;
                self.definition_seen[k] = true;
                self.side_mut(k).as_mut()?.definition = d;
                self.lines.sides[k].as_mut()?.definition = Some(line);
            }
            "terms" if !self.terms_seen[k] => {
                self.terms_seen[k] = true;
                let mut terms = Vec::new();
                let mut term_lines = Vec::new();
                s.array(|s| {
                    term_lines.push(s.line);
                    terms.push(s.term()?);
                    Some(())
                })?;
                // Exact capacity: a glossary holds hundreds of thousands of these lists.
                terms.shrink_to_fit();
                self.side_mut(k).as_mut()?.terms = terms;
                self.lines.sides[k].as_mut()?.terms = term_lines;
            }
            _ => return None,
        }
        Some(())
    }

    fn finish(self) -> Option<Located> {
        Some(Located {
            concept: self.concept,
            line: self.line,
            // No id: the full parser reports it.
            id_line: self.id_line?,
            lines: self.lines,
        })
    }
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// 1-based line of `pos`.
    line: usize,
}

/// Control characters TOML forbids in strings and comments (tab is allowed), and the C1
/// controls, which this reader leaves to the full parser.
fn forbidden(c: u8) -> bool {
    c < 0x20 && c != b'\t' || c == 0x7F
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.b.get(self.pos + k).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.pos += 1)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// An optional comment, then a newline or the end of the text.
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_ws();
        if self.peek() == Some(b'#') {
            while let Some(c) = self.peek() {
                if c == b'\n' || c == b'\r' {
                    break;
                }
                if forbidden(c) || self.c1_control() {
                    return None;
                }
                self.pos += 1;
            }
        }
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.pos += 1;
                self.line += 1;
                Some(())
            }
            Some(b'\r') if self.at(1) == Some(b'\n') => {
                self.pos += 2;
                self.line += 1;
                Some(())
            }
            _ => None,
        }
    }

    /// U+0080–U+009F at `pos` (UTF-8 `C2 80`–`C2 9F`).
    fn c1_control(&self) -> bool {
        self.peek() == Some(0xC2) && matches!(self.at(1), Some(0x80..=0x9F))
    }

    /// Whitespace, newlines and comments (inside arrays).
    fn skip_blank(&mut self) -> Option<()> {
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'\n' | b'\r' | b'#') => self.end_of_line()?,
                _ => return Some(()),
            }
        }
    }

    fn header(&mut self) -> Option<Header> {
        let rest = &self.text[self.pos..];
        let (len, h) = if rest.starts_with("[[concept]]") {
            (11, Header::Concept)
        } else if rest.starts_with("[concept.it]") {
            (12, Header::Side(0))
        } else if rest.starts_with("[concept.marketing]") {
            (19, Header::Side(1))
        } else {
            return None;
        };
        self.pos += len;
        Some(h)
    }

    /// A bare key, then `=`.
    fn key(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        {
            self.pos += 1;
        }
        let key = &self.text[start..self.pos];
        self.skip_ws();
        if key.is_empty() || self.eat(b'=').is_none() {
            return None;
        }
        self.skip_ws();
        Some(key)
    }

    /// A one-line basic (`"…"`) or literal (`'…'`) string.
    fn string(&mut self) -> Option<String> {
        match self.peek()? {
            b'"' => self.basic_string(),
            b'\'' => self.literal_string(),
            _ => None,
        }
    }

    fn basic_string(&mut self) -> Option<String> {
        self.pos += 1;
        if self.peek() == Some(b'"') && self.at(1) == Some(b'"') {
            return None; // multi-line
        }
        let mut out = String::new();
        let mut seg = self.pos;
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    out.push_str(&self.text[seg..self.pos]);
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    out.push_str(&self.text[seg..self.pos]);
                    self.pos += 1;
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'b' => out.push('\u{8}'),
                        b't' => out.push('\t'),
                        b'n' => out.push('\n'),
                        b'f' => out.push('\u{c}'),
                        b'r' => out.push('\r'),
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'u' => out.push(self.hex_char(4)?),
                        b'U' => out.push(self.hex_char(8)?),
                        _ => return None,
                    }
                    seg = self.pos;
                }
                _ if forbidden(c) || self.c1_control() => return None,
                _ => self.pos += 1,
            }
        }
    }

    fn hex_char(&mut self, n: usize) -> Option<char> {
        let digits = self.text.get(self.pos..self.pos + n)?;
        if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += n;
        char::from_u32(u32::from_str_radix(digits, 16).ok()?)
    }

    fn literal_string(&mut self) -> Option<String> {
        self.pos += 1;
        if self.peek() == Some(b'\'') && self.at(1) == Some(b'\'') {
            return None; // multi-line
        }
        let start = self.pos;
        loop {
            let c = self.peek()?;
            if c == b'\'' {
                let s = self.text[start..self.pos].to_string();
                self.pos += 1;
                return Some(s);
            }
            if forbidden(c) || self.c1_control() {
                return None;
            }
            self.pos += 1;
        }
    }

    /// `[ item, item, … ]`, possibly over several lines, with comments and a trailing comma.
    fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        self.skip_blank()?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            item(self)?;
            self.skip_blank()?;
            if self.eat(b']').is_some() {
                return Some(());
            }
            self.eat(b',')?;
            self.skip_blank()?;
            if self.eat(b']').is_some() {
                return Some(());
            }
        }
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        self.array(|s| {
            out.push(s.string()?);
            Some(())
        })?;
        Some(out)
    }

    /// A term: a string, or a one-line `{ text = …, case_sensitive = …, fuzzy = … }`.
    fn term(&mut self) -> Option<Term> {
        if self.eat(b'{').is_none() {
            return Some(Term::new(self.string()?));
        }
        let mut text = None;
        let (mut case_sensitive, mut fuzzy, mut pos) = (None, None, None);
        loop {
            self.skip_ws();
            match self.key()? {
                "text" if text.is_none() => text = Some(self.string()?),
                "case_sensitive" if case_sensitive.is_none() => case_sensitive = Some(self.bool()?),
                "fuzzy" if fuzzy.is_none() => fuzzy = Some(self.bool()?),
                // A bad value is reported by the full parser.
                "pos" if pos.is_none() => pos = Some(self.string()?.parse().ok()?),
                _ => return None,
            }
            self.skip_ws();
            if self.eat(b'}').is_some() {
                break;
            }
            self.eat(b',')?;
        }
        Some(Term {
            text: text?,
            case_sensitive,
            fuzzy,
            pos,
        })
    }

    fn bool(&mut self) -> Option<bool> {
        let rest = &self.b[self.pos..];
        let (v, len) = if rest.starts_with(b"true") {
            (true, 4)
        } else if rest.starts_with(b"false") {
            (false, 5)
        } else {
            return None;
        };
        // A boolean ends at whitespace or the table's punctuation ("truex" is not one).
        match rest.get(len) {
            Some(b' ' | b'\t' | b',' | b'}') => {
                self.pos += len;
                Some(v)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::load::parse_file_toml;
    use super::*;

    /// Whatever the plain reader accepts, the `toml` path reads the same way, lines included.
    /// Returns whether the plain reader accepted it.
    fn agrees(text: &str) -> bool {
        let Some(plain) = parse(text) else {
            return false;
        };
        match parse_file_toml("f.toml", text) {
            Ok(full) => assert_eq!(plain, full, "{text:?}"),
            Err(e) => panic!("plain reader accepted what toml refuses: {e:?}\n{text:?}"),
        }
        true
    }

    const SAMPLE: &str = r#"# A comment
[[concept]]
id = "latency"   # trailing comment
tags = ["performance", 'literal']
note = "p99 = \"the slowest 1%\" \u00e9\t\\"
cues = [
  "deploy", # a cue
  "build",
]

[concept.it]
terms = ["latency", { text = "RTT", fuzzy = false }, {text='Go',case_sensitive=true}]
definition = "Time between a request and its response."

[concept.marketing]
definition = 'How long a customer waits.'
terms = [
    "page speed",
    "load time" ,
]

[[concept]]
id = "x"
[concept.marketing]
terms = []
definition = "d"
[concept.it]
terms = ["a"]
definition = "d"
"#;

    #[test]
    fn reads_the_plain_subset_like_toml() {
        assert!(agrees(SAMPLE));
        assert!(agrees(&SAMPLE.replace('\n', "\r\n")));
        assert!(agrees(""));
        assert!(agrees("# only a comment\n\n"));
        for (name, text) in crate::glossary::EMBEDDED {
            assert!(agrees(text), "{name} is not read by the plain reader");
        }
        for text in [
            include_str!("../../tests/fixtures/glossary/10-tech.toml"),
            include_str!("../../tests/fixtures/glossary/20-business.toml"),
            include_str!("../../tests/fixtures/service/10-engineering.toml"),
            include_str!("../../tests/fixtures/service/20-business.toml"),
            include_str!("../../tests/fixtures/broken/a.toml"),
        ] {
            agrees(text);
        }
    }

    #[test]
    fn leaves_everything_else_to_toml() {
        for text in [
            "[[concept]]\nid = \"x\"\ncolour = 1\n",
            "[[concept]]\n[concept.it]\nterms = [\"a\"]\ndefinition = \"d\"\n",
            "[[concept]]\nid = \"x\"\nid = \"y\"\n",
            "[[concept]]\nid = \"x\"\n[concept.it]\n[concept.it]\n",
            "[[concept]]\nid = \"\"\"x\"\"\"\n",
            "[[concept]]\nid = '''x'''\n",
            "[[concept]]\n\"id\" = \"x\"\n",
            "[[concept]]\nid = \"x\"\nit.terms = [\"a\"]\n",
            "[[concept]]\nid = \"x\"\nit = { terms = [\"a\"], definition = \"d\" }\n",
            "[[concept]]\nid = \"x\"\ntags = [1]\n",
            "[[concept]]\nid = \"x\"\ntags = [\"a\",,]\n",
            "[[concept]]\nid = \"x\"\ntags = [,]\n",
            "[[concept]]\nid = \"x\" y\n",
            "[[concept]]\nid = \"x\\e\"\n",
            "[[concept]]\nid = \"x\\ud800\"\n",
            "[[concept]]\nid = \"x\ry\"\n",
            "[[concept]]\rid = \"x\"\n",
            "[[concept]]\nid = \"x\u{85}\"\n",
            "[[concept]]\nid = \"x\" # \u{7f}\n",
            "[[concept]]\nid = \"x\"\n[concept.it]\nterms = [{ text = \"a\", }]\n",
            "[[concept]]\nid = \"x\"\n[concept.it]\nterms = [{ text = \"a\",\n fuzzy = true }]\n",
            "[[concept]]\nid = \"x\"\n[concept.it]\nterms = [{ fuzzy = true }]\n",
            "[[concept]]\nid = \"x\"\n[concept.it]\nterms = [{ text = \"a\", fuzzy = truex }]\n",
            "[[concept]]\nid = \"x\"\n[concept.it]\nterms = [{ text = \"a\", text = \"b\" }]\n",
            "[[concept]]\nid = \"x\"\n[concept.it]\nterms = [{}]\n",
            "[concept.it]\nterms = [\"a\"]\n",
            "id = \"x\"\n",
            "[concept]\nid = \"x\"\n",
            "[ [concept]]\nid = \"x\"\n",
            "\u{feff}[[concept]]\nid = \"x\"\n",
        ] {
            assert!(parse(text).is_none(), "{text:?}");
        }
    }

    /// Random edits of a sample: the plain reader either gives up or agrees with `toml`.
    #[test]
    fn random_edits_agree_with_toml() {
        const PIECES: &[&str] = &[
            "[",
            "]",
            "{",
            "}",
            "\"",
            "'",
            "\\",
            "#",
            "=",
            ",",
            "\n",
            "\r",
            "\t",
            " ",
            "a",
            "é",
            "\u{85}",
            "true",
            "\\u00e9",
            "\\n",
            "[[concept]]\n",
            "[concept.it]\n",
            "id = \"z\"\n",
            "terms = [\"t\"]\n",
            "\"\"\"",
            ".",
            "\u{0}",
        ];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut accepted = 0;
        for _ in 0..4000 {
            let mut text = SAMPLE.to_string();
            for _ in 0..1 + next(3) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if next(2) == 0 {
                    text.insert_str(at, PIECES[next(PIECES.len())]);
                } else {
                    let mut end = (at + 1 + next(3)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
            }
            if agrees(&text) {
                accepted += 1;
            }
        }
        // The edits must leave enough files readable for the comparison to mean something.
        assert!(accepted > 400, "only {accepted} edited samples were read");
    }

    /// What the embedded glossary costs to read by each way there is, alternated round by
    /// round: this reader, the `toml` crate through serde (the fallback), and a bare
    /// `toml_parser` pass (lexing and parsing into no receiver: less than any reader built on
    /// it would do). Run in release:
    /// `cargo test --release --lib glossary::scan::tests::measure_readers -- --ignored --nocapture`.
    /// Figures and the decision they led to are in ARCHITECTURE.md (`glossary/`).
    #[test]
    #[ignore = "a measurement: run it in release with --ignored --nocapture"]
    fn measure_readers() {
        use std::time::Instant;
        let files = crate::glossary::EMBEDDED;
        let as_owned: Vec<(String, String)> = files
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        for (file, text) in files {
            assert_eq!(parse(text), parse_file_toml(file, text).ok(), "{file}");
        }
        let mut times = [const { Vec::new() }; 4];
        for _ in 0..60 {
            let t = Instant::now();
            for (_, text) in files {
                std::hint::black_box(parse(text));
            }
            times[0].push(t.elapsed());
            let t = Instant::now();
            for (file, text) in files {
                std::hint::black_box(parse_file_toml(file, text).ok());
            }
            times[1].push(t.elapsed());
            let t = Instant::now();
            for (_, text) in files {
                let source = toml_parser::Source::new(text);
                let tokens: Vec<_> = source.lex().collect();
                let mut errors: Vec<toml_parser::ParseError> = Vec::new();
                toml_parser::parser::parse_document(&tokens, &mut (), &mut errors);
                std::hint::black_box((tokens.len(), errors.len()));
            }
            times[2].push(t.elapsed());
            let t = Instant::now();
            std::hint::black_box(
                crate::Glossary::from_files(&as_owned, crate::glossary::Source::Embedded).ok(),
            );
            times[3].push(t.elapsed());
        }
        let names = [
            "scan.rs (today)",
            "toml + serde (fallback)",
            "bare toml_parser lex+parse",
            "whole Glossary load (scan)",
        ];
        for (name, t) in names.iter().zip(&mut times) {
            t.sort();
            println!("{name:28} median {:?}  min {:?}", t[t.len() / 2], t[0]);
        }
    }
}
