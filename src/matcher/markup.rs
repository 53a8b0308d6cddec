//! Which parts of a Markdown or HTML input are prose, and so may hold mentions.
//!
//! Both functions return the byte ranges to *exclude*, sorted and non-overlapping: code
//! spans and blocks, URLs, HTML tags, scripts and styles, link targets. For Markdown the
//! prose is exactly what `pulldown-cmark` reports as text outside code and autolinks, so
//! link destinations, reference definitions and raw HTML are excluded without special cases.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use super::mention::InputFormat;

/// Ranges of `text` that are not matched for this input format.
pub(crate) fn excluded(text: &str, format: InputFormat) -> Vec<Range<usize>> {
    match format {
        InputFormat::Plain => Vec::new(),
        InputFormat::Markdown => markdown(text),
        InputFormat::Html => html(text),
    }
}

fn markdown(text: &str) -> Vec<Range<usize>> {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let mut prose: Vec<Range<usize>> = Vec::new();
    let mut code = 0usize;
    let mut opaque = 0usize;
    for (event, range) in Parser::new_ext(text, opts).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => code += 1,
            Event::End(TagEnd::CodeBlock) => code = code.saturating_sub(1),
            Event::Start(Tag::Link {
                link_type: LinkType::Autolink | LinkType::Email,
                ..
            }) => opaque += 1,
            Event::Start(Tag::Image { .. }) | Event::Start(Tag::MetadataBlock(_)) => opaque += 1,
            Event::End(TagEnd::Image) | Event::End(TagEnd::MetadataBlock(_)) => {
                opaque = opaque.saturating_sub(1)
            }
            Event::End(TagEnd::Link) if opaque > 0 => opaque -= 1,
            Event::Text(_) if code == 0 && opaque == 0 => prose.push(range),
            Event::SoftBreak | Event::HardBreak if code == 0 => prose.push(range),
            _ => {}
        }
    }
    prose.sort_by_key(|r| r.start);
    // Bare URLs inside prose are not prose.
    let mut allowed = Vec::with_capacity(prose.len());
    for r in prose {
        let mut start = r.start;
        for u in urls(&text[r.clone()]) {
            allowed.push(start..r.start + u.start);
            start = r.start + u.end;
        }
        allowed.push(start..r.end);
    }
    complement(text.len(), &allowed)
}

/// The gaps between `allowed` ranges (sorted by start) within `0..len`.
fn complement(len: usize, allowed: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for r in allowed {
        if r.start > at {
            out.push(at..r.start);
        }
        at = at.max(r.end);
    }
    if at < len {
        out.push(at..len);
    }
    out
}

/// Bare URLs (`http://`, `https://`, `ftp://`, `mailto:`, `www.`) up to the next space, file
/// paths (`/images/blog/cover.png`: a slash at a word's start and another inside it, as in
/// front matter and the attributes of a template tag): neither is read as prose. A template
/// tag's other text stays: its `title="…"` is shown on the page.
fn urls(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let hit = ["https://", "http://", "ftp://", "mailto:", "www."]
            .iter()
            .any(|p| {
                rest.len() >= p.len()
                    && rest.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            });
        let at_boundary = i == 0 || !(bytes[i - 1] as char).is_ascii_alphanumeric();
        if let Some(end) = path(rest).filter(|_| i == 0 || path_may_follow(bytes[i - 1])) {
            out.push(i..i + end);
            i += end;
            continue;
        }
        if hit && at_boundary {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
                .map_or(text.len(), |e| i + e);
            // A sentence's final punctuation is not part of the URL.
            let trimmed = text[i..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
            out.push(i..i + trimmed.len());
            i = end;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// The length of a file path at the start of `s`: a slash, a letter or digit, and a second
/// slash before the next space or quote ("/assets/blog/x.png", "/docs/a/b"; not "/ CD").
fn path(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'/') || !b.get(1).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    let end = s
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | ')' | ']'))
        .unwrap_or(s.len());
    let path = s[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
    path[1..].contains('/').then_some(path.len())
}

/// Whether a path may start right after byte `b`: at a word's start, not inside "and/or".
fn path_may_follow(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'(' | b'=' | b'[')
}

/// Elements whose whole content is skipped.
/// (`title`, `option` and `textarea` show raw text: markup inserted there would be shown as is.)
const OPAQUE: &[&str] = &[
    "script", "style", "code", "pre", "kbd", "samp", "textarea", "title", "option", "template",
];

fn html(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let flush_text = |out: &mut Vec<Range<usize>>, from: usize, to: usize| {
        for u in urls(&text[from..to]) {
            out.push(from + u.start..from + u.end);
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                flush_text(&mut out, text_start, i);
                let end = if lower[i..].starts_with("<!--") {
                    lower[i..].find("-->").map_or(text.len(), |e| i + e + 3)
                } else {
                    tag_end(bytes, i)
                };
                let name: String = lower[i + 1..end]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                let end = if OPAQUE.contains(&name.as_str()) {
                    let close = format!("</{name}");
                    lower[end..]
                        .find(&close)
                        .map_or(text.len(), |e| tag_end(bytes, end + e))
                } else {
                    end
                };
                out.push(i..end);
                i = end;
                text_start = end;
            }
            b'&' => {
                let semi = text[i..].find(';').filter(|&n| n <= 10 && n > 1);
                match semi {
                    Some(n)
                        if text[i + 1..i + n]
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '#') =>
                    {
                        flush_text(&mut out, text_start, i);
                        out.push(i..i + n + 1);
                        i += n + 1;
                        text_start = i;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    flush_text(&mut out, text_start, text.len());
    out.sort_by_key(|r| r.start);
    out
}

/// The end of the tag starting at `<` at `start`: past the `>` that is not inside quotes.
fn tag_end(bytes: &[u8], start: usize) -> usize {
    let mut quote = None;
    for (k, &b) in bytes.iter().enumerate().skip(start + 1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return k + 1,
            _ => {}
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str, f: InputFormat) -> String {
        let ex = excluded(text, f);
        let mut s = String::new();
        let mut at = 0;
        for r in ex {
            s.push_str(&text[at..r.start]);
            s.push('|');
            at = r.end;
        }
        s.push_str(&text[at..]);
        s
    }

    #[test]
    fn markdown_keeps_prose_only() {
        let md = "Run `kubectl` on [the outage](https://x.io/outage) see https://a.b/c.\n\n```\noutage\n```\n";
        let k = kept(md, InputFormat::Markdown);
        assert!(
            !k.contains("kubectl") && !k.contains("x.io") && !k.contains("a.b/c"),
            "{k}"
        );
        assert!(k.contains("the outage") && k.contains("see"), "{k}");
        assert_eq!(k.matches("outage").count(), 1, "{k}");
    }

    #[test]
    fn file_paths_are_not_prose() {
        let md = "cover: /images/blog/launch-campaign.png\n\n{% card href=\"/docs/push/apns\" title=\"Push\" %}\n\nShip the campaign and/or the launch / release today.\n";
        let k = kept(md, InputFormat::Markdown);
        for gone in ["launch-campaign", "apns"] {
            assert!(!k.contains(gone), "{gone:?} kept: {k}");
        }
        for stays in [
            "cover:",
            "title=\"Push\"",
            "Ship the campaign and/or the launch / release today",
        ] {
            assert!(k.contains(stays), "{stays:?} lost: {k}");
        }
    }

    #[test]
    fn html_keeps_text_nodes() {
        let h = "<title>outage</title>Read <a href=\"/outage\">the outage</a><script>outage()</script> &amp; more";
        let k = kept(h, InputFormat::Html);
        assert_eq!(k.matches("outage").count(), 1, "{k}");
        assert!(k.contains("the outage") && k.contains("more"));
    }
}
