//! Abbreviations a text defines (SPEC §3 "word forms": the abbreviations of the field are
//! found): "Adobe Marketo Measure (AMM)" or "AMM (Adobe Marketo Measure)" makes every "AMM"
//! of that text a mention of what the long form is a mention of.
//!
//! A definition is an abbreviation in brackets right after its long form, or a long form in
//! brackets right after its abbreviation, the way writers introduce one (Schwartz and Hearst,
//! "A simple algorithm for identifying abbreviation definitions in biomedical text", 2003). Here
//! the long form must end in a mention the earlier passes kept and decided (its head: "Buyer
//! Touchpoints (BT)" is a kind of touchpoint), and the abbreviation's letters must be the
//! initials of the long form's words, small function words aside ("Return on Ad Spend
//! (ROAS)"). Nothing here lists an abbreviation: the text defines it, the glossary says what
//! the long form means.
//!
//! Every whole-word occurrence of a defined abbreviation (capitals as written, with a plural
//! or possessive `s`) then becomes a mention of the long form's concept, at the long form's
//! term, including the one in brackets. The text's own definition outranks the glossary: an
//! occurrence the walk had matched to another concept ("CI" as competitive intelligence in a
//! text that writes "Continuous Integration (CI)") takes the defined one. An abbreviation
//! defined twice with different meanings is left as the walk found it.

use super::pos;
use std::ops::Range;

/// One definition: the abbreviation as written (capitals, no plural `s`) and the selected
/// span (group) whose chosen concept it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Definition<'t> {
    pub abbreviation: &'t str,
    pub group: usize,
}

/// The longest abbreviation read as one (letters and digits).
const MAX_LETTERS: usize = 8;

/// The definitions in `text`, given the selected spans `spans` (sorted, not overlapping; the
/// index of each is its group), those that may be a long form's head flagged in `heads`.
/// An abbreviation defined twice with different meanings (`same` tells whether two groups
/// mean the same) is not returned.
pub(crate) fn definitions<'t>(
    text: &'t str,
    spans: &[Range<usize>],
    heads: &[bool],
    same: impl Fn(usize, usize) -> bool,
) -> Vec<Definition<'t>> {
    let mut out: Vec<Definition<'t>> = Vec::new();
    let mut conflicting: Vec<&str> = Vec::new();
    for (gi, span) in spans.iter().enumerate() {
        if !heads[gi] {
            continue;
        }
        let found = after_long_form(text, span).or_else(|| before_long_form(text, span));
        let Some(abbreviation) = found else {
            continue;
        };
        match out.iter().find(|d| d.abbreviation == abbreviation) {
            Some(d) if !same(d.group, gi) => conflicting.push(abbreviation),
            Some(_) => {}
            None => out.push(Definition {
                abbreviation,
                group: gi,
            }),
        }
    }
    out.retain(|d| !conflicting.contains(&d.abbreviation));
    out
}

/// "Long Form (LF)": the abbreviation in brackets right after the span, when the span ends
/// a long form whose initials it spells.
fn after_long_form<'t>(text: &'t str, span: &Range<usize>) -> Option<&'t str> {
    let rest = &text[span.end..];
    let inner = rest.strip_prefix(" (").or_else(|| rest.strip_prefix('('))?;
    let close = inner.find(')')?;
    let abbreviation = abbreviation(&inner[..close])?;
    // The long form: words before the bracket, back from the span's end; the span must lie
    // inside it.
    let words = words_before(text, span.end, MAX_LETTERS * 2);
    spells(abbreviation, &words, span.start).then_some(abbreviation)
}

/// "LF (Long Form)": the span ends right before the closing bracket, and the abbreviation
/// stands right before the opening one.
fn before_long_form<'t>(text: &'t str, span: &Range<usize>) -> Option<&'t str> {
    if !text[span.end..].starts_with(')') {
        return None;
    }
    let open = text[..span.start].rfind('(')?;
    let inside = &text[open + 1..span.end];
    if inside.contains(['(', ')', '\n']) {
        return None;
    }
    let head = text[..open].trim_end_matches(' ');
    let at = head
        .rfind(|c: char| !c.is_ascii_alphanumeric())
        .map_or(0, |i| i + 1);
    let abbreviation = abbreviation(&head[at..])?;
    let words = words_before(text, span.end, MAX_LETTERS * 2);
    let words: Vec<(usize, &str)> = words.into_iter().filter(|&(s, _)| s > open).collect();
    (words.first().is_some_and(|&(s, _)| s == open + 1) && spells(abbreviation, &words, span.start))
        .then_some(abbreviation)
}

/// `s` read as an abbreviation: 2 to [`MAX_LETTERS`] capitals and digits, at least two
/// capitals, starting with a capital; a plural `s` dropped ("BATs").
fn abbreviation(s: &str) -> Option<&str> {
    let s = s.strip_suffix('s').unwrap_or(s);
    let capitals = s.bytes().filter(u8::is_ascii_uppercase).count();
    let ok = (2..=MAX_LETTERS).contains(&s.len())
        && capitals >= 2
        && s.as_bytes()[0].is_ascii_uppercase()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    ok.then_some(s)
}

/// Up to `n` words (start byte, word) ending at `end`, in text order, within the line.
fn words_before(text: &str, end: usize, n: usize) -> Vec<(usize, &str)> {
    let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..end];
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut at = line.len();
    for w in line.rsplit([' ', '\t', '-', '/', '(']) {
        at -= w.len();
        let start = line_start + at;
        at = at.saturating_sub(1);
        if w.is_empty() {
            continue;
        }
        // A word of the long form is letters (and digits); punctuation ends it.
        if !w.chars().all(|c| c.is_alphanumeric()) {
            break;
        }
        words.push((start, w));
        if words.len() == n {
            break;
        }
    }
    words.reverse();
    words
}

/// Whether the abbreviation's letters are the initials of the last words of `words` (text
/// order), a function word ("of", "on", "and") free to add no letter, and the long form so
/// spelled starts at or before `head_start`.
fn spells(abbreviation: &str, words: &[(usize, &str)], head_start: usize) -> bool {
    let letters: Vec<u8> = abbreviation
        .bytes()
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let mut k = letters.len();
    for &(start, w) in words.iter().rev() {
        if k == 0 {
            break;
        }
        let first = w.as_bytes()[0].to_ascii_lowercase();
        if first == letters[k - 1] {
            k -= 1;
            if k == 0 {
                return start <= head_start;
            }
        } else if !pos::is_function_word(&w.to_ascii_lowercase()) {
            return false;
        }
    }
    false
}

/// Every whole-word occurrence of `abbreviation` in `text` (as written, or with `s`, `'s`,
/// `’s` after it), outside `skip` (sorted ranges: code, URLs, tags).
pub(crate) fn occurrences(
    text: &str,
    abbreviation: &str,
    skip: &[Range<usize>],
) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let word = |i: usize| {
        bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    };
    let mut out = Vec::new();
    for (start, _) in text.match_indices(abbreviation) {
        if start > 0 && word(start - 1) {
            continue;
        }
        let mut end = start + abbreviation.len();
        let rest = &text[end..];
        if rest.starts_with('s') && !word(end + 1) {
            end += 1;
        } else if let Some(p) = ["'s", "’s"].iter().find(|p| rest.starts_with(**p)) {
            if !word(end + p.len()) {
                end += p.len();
            }
        }
        if word(end) {
            continue;
        }
        if skip.iter().any(|r| r.start < end && start < r.end) {
            continue;
        }
        out.push(start..end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs(text: &str, head: &str) -> Vec<String> {
        let start = text.find(head).unwrap();
        let span = start..start + head.len();
        definitions(text, std::slice::from_ref(&span), &[true], |_, _| true)
            .into_iter()
            .map(|d| d.abbreviation.to_string())
            .collect()
    }

    #[test]
    fn a_long_form_defines_the_abbreviation_its_initials_spell() {
        assert_eq!(
            defs(
                "We track Net Promoter Score (NPS) monthly.",
                "Net Promoter Score"
            ),
            ["NPS"]
        );
        assert_eq!(
            defs("Our Buyer Touchpoints (BTs) are kept.", "Touchpoints"),
            ["BT"]
        );
        assert_eq!(
            defs("the Return on Ad Spend (ROAS) of a campaign", "Ad Spend"),
            ["ROAS"]
        );
        assert_eq!(
            defs("NPS (Net Promoter Score) is asked.", "Net Promoter Score"),
            ["NPS"]
        );
        // Initials that do not spell it, or a head outside the long form.
        assert!(defs("the Net Promoter Score (NTS) rose", "Net Promoter Score").is_empty());
        assert!(defs("a Score (NPS) rose", "Score").is_empty());
        assert!(defs(
            "a Net Promoter Score (see below) rose",
            "Net Promoter Score"
        )
        .is_empty());
        assert!(defs("the score (ok) rose", "score").is_empty());
    }

    #[test]
    fn occurrences_are_whole_words_with_plurals_and_possessives() {
        let t = "AMM, AMMs and AMM's; not AMMO or XAMM. `AMM`";
        let code = t.find('`').unwrap();
        let found: Vec<&str> = occurrences(t, "AMM", std::slice::from_ref(&(code..t.len())))
            .into_iter()
            .map(|r| &t[r])
            .collect();
        assert_eq!(found, ["AMM", "AMMs", "AMM's"]);
    }
}
