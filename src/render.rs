//! Rendering: the annotated version of a text for one reader (SPEC §4).
//!
//! A rendering explains the mentions whose side is not the reader's own, and flags false
//! friends on the reader's side. Outside its insertions the text is kept byte for byte.

use crate::glossary::Side;
use crate::matcher::Annotation;

/// How a rendering is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// ` [≈ equivalent]` after each explained span.
    #[default]
    Inline,
    /// `[^n]` footnote markers and a footnote section.
    Markdown,
    /// The input is HTML; explained spans are wrapped in `<abbr>`.
    Html,
    /// Explained spans replaced by the preferred equivalent.
    Rewrite,
    /// Annotations only, no rendering.
    None,
}

impl Format {
    /// The lower-case name used by flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Inline => "inline",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Rewrite => "rewrite",
            Format::None => "none",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "inline" => Format::Inline,
            "markdown" => Format::Markdown,
            "html" => Format::Html,
            "rewrite" => Format::Rewrite,
            "none" => Format::None,
            other => {
                return Err(format!(
                    "unknown format '{other}': expected inline, markdown, html, rewrite or none"
                ))
            }
        })
    }
}

/// What a rendering does with one annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Treatment {
    /// The span is in the reader's own words: left alone.
    Keep,
    /// The span is the other side's jargon: explained.
    Explain,
    /// The span is in the reader's words but means something else to the other side.
    FlagFalseFriend,
}

fn treatment(a: &Annotation, reader: Side) -> Treatment {
    if a.shared || (a.side == reader && !a.false_friend) {
        Treatment::Keep
    } else if a.side != reader {
        Treatment::Explain
    } else {
        Treatment::FlagFalseFriend
    }
}

/// The warning for a false friend in the reader's own words.
fn false_friend_note(a: &Annotation, reader: Side) -> String {
    let other = match reader {
        Side::It => "marketing",
        Side::Marketing => "IT",
    };
    if a.alternatives.is_empty() {
        format!("false friend: {other} uses this word for another concept")
    } else {
        format!(
            "false friend: {other} uses this word for another concept ({})",
            a.alternatives.join(", ")
        )
    }
}

/// Renders `text` for `reader`. `annotations` must come from matching this `text`, in order.
pub fn render(text: &str, annotations: &[Annotation], reader: Side, format: Format) -> String {
    match format {
        Format::Inline => inline(text, annotations, reader),
        Format::Markdown => markdown(text, annotations, reader),
        Format::Html => html(text, annotations, reader),
        Format::Rewrite => rewrite(text, annotations, reader),
        Format::None => String::new(),
    }
}

/// Copies `text` with `insert(annotation)` written after each treated span.
fn splice(
    text: &str,
    annotations: &[Annotation],
    reader: Side,
    mut edit: impl FnMut(&Annotation, Treatment, &mut String),
) -> String {
    let mut out = String::with_capacity(text.len() + annotations.len() * 24);
    let mut at = 0;
    for a in annotations {
        let t = treatment(a, reader);
        if t == Treatment::Keep || a.start < at || a.end > text.len() {
            continue;
        }
        out.push_str(&text[at..a.start]);
        edit(a, t, &mut out);
        at = a.end;
    }
    out.push_str(&text[at..]);
    out
}

fn inline(text: &str, annotations: &[Annotation], reader: Side) -> String {
    splice(text, annotations, reader, |a, t, out| {
        out.push_str(&a.text);
        if t != Treatment::Explain {
            out.push_str(" [false friend]");
            return;
        }
        match a.equivalents.first() {
            Some(e) => {
                out.push_str(" [≈ ");
                out.push_str(e);
            }
            None => {
                out.push_str(" [");
                out.push_str(&a.definition);
            }
        }
        out.push_str(if a.false_friend {
            "; false friend]"
        } else {
            "]"
        });
    })
}

fn markdown(text: &str, annotations: &[Annotation], reader: Side) -> String {
    let mut notes: Vec<(String, String, String)> = Vec::new(); // (key, label, body)
    let mut body = splice(text, annotations, reader, |a, t, out| {
        let key = format!("{}\u{0}{}\u{0}{:?}", a.concept_id, a.term.to_lowercase(), t);
        let n = match notes.iter().position(|(k, _, _)| *k == key) {
            Some(i) => i + 1,
            None => {
                let explanation = match (t, a.equivalents.first()) {
                    (Treatment::Explain, Some(e)) => format!("{e}: {}", a.definition),
                    (Treatment::Explain, None) => a.definition.clone(),
                    _ => false_friend_note(a, reader),
                };
                let ff = if t == Treatment::Explain && a.false_friend {
                    " (false friend)"
                } else {
                    ""
                };
                notes.push((key, a.text.clone(), format!("{explanation}{ff}")));
                notes.len()
            }
        };
        out.push_str(&a.text);
        out.push_str(&format!("[^{n}]"));
    });
    if !notes.is_empty() {
        if !body.ends_with('\n') {
            body.push('\n');
        }
        body.push('\n');
        for (i, (_, span, explanation)) in notes.iter().enumerate() {
            body.push_str(&format!("[^{}]: **{}** — {}\n", i + 1, span, explanation));
        }
    }
    body
}

/// Escapes text for an HTML attribute value or text node.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html(text: &str, annotations: &[Annotation], reader: Side) -> String {
    splice(text, annotations, reader, |a, t, out| {
        let title = match (t, a.equivalents.first()) {
            (Treatment::Explain, Some(e)) => format!("{e} — {}", a.definition),
            (Treatment::Explain, None) => a.definition.clone(),
            _ => false_friend_note(a, reader),
        };
        let class = if a.false_friend {
            "broker false-friend"
        } else {
            "broker"
        };
        out.push_str(&format!(
            "<abbr class=\"{class}\" data-concept=\"{}\" title=\"{}\">{}</abbr>",
            escape_html(&a.concept_id),
            escape_html(&title),
            &a.text
        ));
    })
}

fn rewrite(text: &str, annotations: &[Annotation], reader: Side) -> String {
    splice(text, annotations, reader, |a, t, out| {
        match (t, a.equivalents.first()) {
            (Treatment::Explain, Some(e)) => out.push_str(&rewritten(&a.text, &a.term, e)),
            _ => out.push_str(&a.text),
        }
    })
}

/// `equivalent` in the form of `span`: leading capital, plural and possessive kept.
fn rewritten(span: &str, term: &str, equivalent: &str) -> String {
    let mut s = equivalent.to_string();
    let (base, possessive) = match span
        .strip_suffix("'s")
        .or_else(|| span.strip_suffix("\u{2019}s"))
    {
        Some(b) => (b, true),
        None => (span, false),
    };
    let lower = |x: &str| x.to_lowercase();
    let plural = {
        let (b, t) = (lower(base), lower(term));
        b != t && !t.ends_with('s') && b.ends_with('s')
    };
    if plural {
        s = pluralize(&s);
    }
    if possessive {
        s.push_str("'s");
    }
    let span_capital = span.chars().next().is_some_and(char::is_uppercase);
    let eq_lower = s.chars().next().is_some_and(char::is_lowercase);
    if span_capital && eq_lower && !term.chars().next().is_some_and(char::is_uppercase) {
        let mut c = s.chars();
        if let Some(f) = c.next() {
            s = f.to_uppercase().chain(c).collect();
        }
    }
    s
}

/// English plural of a phrase's last word.
fn pluralize(phrase: &str) -> String {
    let lower = phrase.to_lowercase();
    if !phrase.chars().any(char::is_lowercase) {
        return format!("{phrase}s");
    }
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return format!("{phrase}es");
    }
    let mut chars = lower.chars().rev();
    if let (Some('y'), Some(prev)) = (chars.next(), chars.next()) {
        if !"aeiou".contains(prev) {
            return format!("{}ies", &phrase[..phrase.len() - 1]);
        }
    }
    format!("{phrase}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_keeps_capital_and_plural() {
        assert_eq!(
            rewritten("Outages", "outage", "service interruption"),
            "Service interruptions"
        );
        assert_eq!(rewritten("the KPIs", "KPI", "key metric"), "key metrics");
        assert_eq!(rewritten("latency", "latency", "page speed"), "page speed");
        assert_eq!(rewritten("Latency", "latency", "page speed"), "Page speed");
        assert_eq!(rewritten("companies", "company", "business"), "businesses");
        assert_eq!(
            rewritten("API", "API", "integration point"),
            "integration point"
        );
        assert_eq!(rewritten("customer's", "customer", "user"), "user's");
        assert_eq!(pluralize("query"), "queries");
        assert_eq!(pluralize("day"), "days");
    }
}
