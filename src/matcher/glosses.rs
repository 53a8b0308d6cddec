//! Words a text defines for itself (SPEC §3 "evidence that carries", "no guessing"): "Targets,
//! which are individual emails, phone numbers and channels"; "- Event sinks: the backends that
//! store the events"; "A topic is a named group of subscribers".
//!
//! A writer who stops to define a word says what it means in this text, and that outranks
//! anything the glossary could guess from the words around it. The sense pass reads the
//! definition against each of the word's senses (the glossary profiles of
//! [`super::profile`]): the sense it fits is the word's sense throughout the text, and a word
//! whose definition fits none of its senses is the text's own term, not the glossary's, so it
//! gets no note at all (a launch post's "targets" that are delivery addresses are not a
//! target audience).
//!
//! A definition is the word as the subject of a defining construction, the way writers
//! introduce their terms:
//! - an appositive relative with a copula: "Targets, which are …", "a sink, which is …";
//! - a definition-list item: the word opening a list item or a line, then a colon or a dash
//!   ("- Targets: …", "**Sinks** — …");
//! - a copular sentence the word opens: "Targets are …", "A sink is …".
//!
//! The definition runs to the end of its sentence (or line) and must be a noun phrase: a noun
//! among its first words and no verb first ("which is growing fast", "are shipped weekly"
//! describe the thing, they do not say what it is). Nothing here names a word: the text
//! defines it, the glossary says what each sense means.

use super::pos;
use super::profile::{base_form, concept_texts, each_lower_word};
use crate::glossary::Concept;
use rustc_hash::FxHashSet;
use std::ops::Range;

/// What introduces a definition after the word, mid-sentence: a copula in a relative clause or
/// an explanation marker ("Targets, which are …", "a sink, i.e. a backend …").
const APPOSITIVES: &[&str] = &[
    ", which is ",
    ", which are ",
    ", i.e. ",
    ", i.e., ",
    ", that is, ",
    ", meaning ",
];
/// What makes a sentence the word opens a definition: a copula or a verb of meaning ("A sink
/// is …", "Targets refer to …").
const COPULAS: &[&str] = &[
    " is ",
    " are ",
    " means ",
    " mean ",
    " refers to ",
    " refer to ",
];

/// The longest definition read, in bytes: a sentence's worth.
const MAX_GLOSS: usize = 200;
/// How far back from a word its item's opening is looked for, in bytes: a list marker, an
/// article and emphasis.
const LOOK_BACK: usize = 24;
/// How many words into the definition its noun may come ("individual email addresses").
const NOUN_WITHIN: usize = 4;

/// The definition the text gives at the word `[start, end)`, as a byte range of `text`, when
/// the word is introduced there by one of the constructions of the module's doc.
pub(crate) fn gloss(text: &str, start: usize, end: usize) -> Option<Range<usize>> {
    let after = skip_emphasis(text, end);
    let rest = &text[after..];
    let opens = opens_item(text, start);
    // A copula may also say how the thing is ("CI is red again today"): after one, the
    // definition must name a kind, with an article or as a plural.
    let mut copula = true;
    let at = if let Some(r) = strip_any(rest, APPOSITIVES) {
        after + rest.len() - r.len()
    } else if opens.is_some() && starts_any(rest, &[": ", " - ", " – ", " — "]) {
        let r = rest[1..].trim_start_matches([' ', '-', '–', '—', ':']);
        copula = false;
        after + rest.len() - r.len()
    } else if opens.is_some() {
        let r = strip_any(rest, COPULAS)?;
        after + rest.len() - r.len()
    } else {
        return None;
    };
    let stop = text[at..]
        .char_indices()
        .take_while(|&(i, _)| i < MAX_GLOSS)
        .find(|&(i, c)| {
            c == '\n'
                || c == ';'
                || (c == '.' && {
                    let next = &text[at + i + 1..];
                    next.is_empty() || next.starts_with([' ', '\n'])
                })
        })
        .map_or_else(|| (at + MAX_GLOSS).min(text.len()), |(i, _)| at + i);
    let stop = (at..=stop).rev().find(|&i| text.is_char_boundary(i))?;
    let range = at..stop;
    noun_phrase(&text[range.clone()], copula).then_some(range)
}

/// The content words of `text` in their base forms ([`base_form`]: "records" and "recorded"
/// are "record"; closed-class and short words left out). Unlike the weighted profiles, common
/// words count here: "company" says little about which concept a text is about, but a
/// definition of "accounts" as "the companies we sell to" is about companies.
pub(crate) fn content_words(text: &str) -> FxHashSet<String> {
    let mut out = FxHashSet::default();
    each_lower_word(text, &mut String::new(), |w| {
        out.extend(base_form(w).map(|b| b.into_owned()));
    });
    out
}

/// The content words of what the glossary says about `c` ([`concept_texts`]: the texts its
/// profile is made of).
pub(crate) fn concept_words(c: &Concept) -> FxHashSet<String> {
    concept_texts(c).flat_map(content_words).collect()
}

/// The genus of a definition: the head noun of the noun phrase it opens with, in its base
/// form ("individual emails, phone numbers" → "email"; "A numbered, tested version of
/// software" → "version"; "A customer company we work with" → "company"). A definition says
/// what kind of thing its word is before it says which one (genus and differentia), so two
/// definitions of one sense share it more often than any other word.
pub(crate) fn genus(definition: &str) -> Option<String> {
    let tags = pos::tag_text(definition);
    let first = tags.iter().position(|&(_, t)| !modifier(t))?;
    let nouns = tags[first..]
        .iter()
        .take_while(|&&(_, t)| t.starts_with("NN"))
        .count();
    let (word, _) = tags[..first + nouns].last().filter(|_| nouns > 0)?;
    base_form(&word.to_ascii_lowercase()).map(|b| b.into_owned())
}

/// The genera of what the glossary says a concept is: of its definition on each side.
pub(crate) fn concept_genera(c: &Concept) -> Vec<String> {
    [&c.it, &c.marketing]
        .into_iter()
        .flatten()
        .filter_map(|side| genus(&side.definition))
        .collect()
}

/// A word that may come before a noun phrase's head: a determiner, number, adjective,
/// participle, possessive or quotation mark.
fn modifier(t: &str) -> bool {
    matches!(
        t,
        "DT" | "PDT" | "PRP$" | "CD" | "JJ" | "JJR" | "JJS" | "VBN" | "``" | "''" | ","
    )
}

/// After `end`, past closing emphasis or quotes around the word ("**Targets**:").
fn skip_emphasis(text: &str, end: usize) -> usize {
    end + text[end..]
        .bytes()
        .take_while(|b| matches!(b, b'*' | b'_' | b'"' | b'\'' | b'`'))
        .count()
}

/// Whether the word at `start` opens a line, a list item or a sentence (an article and
/// emphasis before it allowed: "- **The Targets**"). `Some(())` when it does.
fn opens_item(text: &str, start: usize) -> Option<()> {
    // Only the bytes just before the word can open its item: a line start further back has
    // words in between (and a text of one long line is not read back to its start per word).
    let from = (0..=start.saturating_sub(LOOK_BACK))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let near = &text[from..start];
    let before = near.trim_end_matches(['*', '_', '"', '\'', '`']);
    let before = ["The ", "A ", "An ", "the ", "a ", "an "]
        .iter()
        .find_map(|d| before.strip_suffix(d))
        .unwrap_or(before)
        .trim_end_matches(['*', '_', '"', '\'', '`']);
    let line = match before.rfind('\n') {
        Some(i) => &before[i + 1..],
        None if from == 0 => before,
        // No line start in reach: only a sentence start can still open the item.
        None => "\u{0}",
    };
    let marker = line.trim_start();
    let marker = marker
        .strip_prefix(['-', '*', '+'])
        .or_else(|| {
            let digits = marker.bytes().take_while(u8::is_ascii_digit).count();
            (digits > 0)
                .then(|| marker[digits..].strip_prefix(['.', ')']))
                .flatten()
        })
        .unwrap_or(marker);
    if marker.trim().is_empty() {
        return Some(());
    }
    let t = before.trim_end();
    (before.len() > t.len() && t.ends_with(['.', '!', '?'])).then_some(())
}

fn strip_any<'a>(s: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| s.strip_prefix(p))
}

fn starts_any(s: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| s.starts_with(p))
}

/// Whether a definition reads as a noun phrase: it opens with one, its noun among the first
/// [`NOUN_WITHIN`] words after determiners and modifiers ("individual emails, phone numbers",
/// "the backends that store events", "named groups of subscribers"), and that phrase is not
/// the subject of a clause ("Mautic now supports …"). "growing fast", "shipped weekly",
/// "present for the repack" and "worth $2M" say how the thing is, not what it is.
fn noun_phrase(gloss: &str, copula: bool) -> bool {
    let tags: Vec<&str> = pos::tag_text(gloss).into_iter().map(|(_, t)| t).collect();
    let first_noun = tags.iter().position(|t| !modifier(t));
    let Some(n) = first_noun.filter(|&n| n < NOUN_WITHIN && tags[n].starts_with("NN")) else {
        return false;
    };
    // After a copula: "a backend", "the places", "individual emails"; not "red again today".
    if copula && !(matches!(tags[0], "DT" | "PDT" | "CD") || tags[n] == "NNS" || tags[n] == "NNPS")
    {
        return false;
    }
    // The rest of the phrase: more nouns, modifiers, a list of them. A past form before a
    // preposition is a participle ("records kept for each visit"), not the phrase's verb
    // ("Mautic added support").
    let Some(k) = (n..tags.len())
        .find(|&k| !(tags[k].starts_with("NN") || modifier(tags[k]) || tags[k] == "CC"))
    else {
        return true;
    };
    let participle = tags[k] == "VBD" && tags.get(k + 1).is_some_and(|t| matches!(*t, "IN" | "TO"));
    participle || !(tags[k].starts_with("RB") || matches!(tags[k], "VBZ" | "VBP" | "VBD" | "MD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gloss_of<'t>(text: &'t str, word: &str) -> Option<&'t str> {
        let start = text.find(word)?;
        gloss(text, start, start + word.len()).map(|r| &text[r])
    }

    #[test]
    fn defining_constructions() {
        let t = "- Targets, which are individual emails, phone numbers, and channels.\n";
        assert_eq!(
            gloss_of(t, "Targets"),
            Some("individual emails, phone numbers, and channels")
        );
        let t = "* **Sinks**: the backends that store each event; more below";
        assert_eq!(
            gloss_of(t, "Sinks"),
            Some("the backends that store each event")
        );
        let t = "We ship often. A sink is a backend that stores events.";
        assert_eq!(gloss_of(t, "sink"), Some("a backend that stores events"));
        let t = "In this guide a sink, i.e. a backend that stores events, runs last.";
        assert_eq!(
            gloss_of(t, "sink"),
            Some("a backend that stores events, runs last")
        );
        let t = "Targets refer to the addresses of one user.";
        assert_eq!(gloss_of(t, "Targets"), Some("the addresses of one user"));
        let t = "- Events: records kept for each visit.\n";
        assert_eq!(gloss_of(t, "Events"), Some("records kept for each visit"));
        let long = format!(
            "{} ends here. Events are records of visits.",
            "word ".repeat(40)
        );
        assert_eq!(gloss_of(&long, "Events"), Some("records of visits"));
        let t = "1. Topics - named groups of subscribers\n";
        assert_eq!(gloss_of(t, "Topics"), Some("named groups of subscribers"));
    }

    #[test]
    fn the_genus_is_the_head_of_the_opening_noun_phrase() {
        assert_eq!(
            genus("individual emails, phone numbers").as_deref(),
            Some("email")
        );
        assert_eq!(
            genus("A numbered, tested version of software").as_deref(),
            Some("version")
        );
        assert_eq!(
            genus("A customer company we work with").as_deref(),
            Some("company")
        );
        assert_eq!(
            genus("records of what a user did").as_deref(),
            Some("record")
        );
        assert_eq!(genus("growing fast"), None);
    }

    #[test]
    fn a_list_item_that_says_what_happened_defines_nothing() {
        let t = "- Campaigns: Mautic now supports a bi-directional integration.\n";
        assert_eq!(gloss_of(t, "Campaigns"), None);
        let t = "- Campaigns: Mautic added support for Salesforce.\n";
        assert_eq!(gloss_of(t, "Campaigns"), None);
        let t = "It updates the `data-link` attribute, which is present for the repack.";
        assert_eq!(gloss_of(t, "attribute"), None);
    }

    #[test]
    fn descriptions_and_mid_sentence_uses_are_no_definition() {
        assert_eq!(gloss_of("CI is red again today.", "CI"), None);
        assert_eq!(gloss_of("The build is green again.", "build"), None);
        assert_eq!(
            gloss_of("Our pipeline, which is growing fast.", "pipeline"),
            None
        );
        assert_eq!(gloss_of("Releases are shipped weekly.", "Releases"), None);
        assert_eq!(
            gloss_of("We said the targets are ambitious goals.", "targets"),
            None
        );
        assert_eq!(
            gloss_of("The deal, which is worth $2M, closed.", "deal"),
            None
        );
        assert_eq!(gloss_of("See the sinks: below.", "sinks"), None);
    }
}
