//! Senses: whether a span found by the walk uses its term in the glossary's sense (SPEC §3
//! "Senses"), and the word forms a term is found in.
//!
//! Many terms are everyday English too ("lead", "launch", "session", "platform"). After
//! selection (leftmost, longest, best evidence), each span whose term is such a word is read
//! in its sentence, and dropped when the text uses it otherwise:
//!
//! 1. an idiom or fixed phrase the concept lists in `not_in` ("moving target");
//! 2. a word glued to another by `;` ("TL;DR"), inside a hyphenated compound
//!    ("event-driven") or a capitalised word numbered ("Tier 1");
//! 3. part of speech: a noun term in a verb slot, read from the closed-class words around it
//!    (pronouns, auxiliaries, determiners, particles): "they lead", "to deal with",
//!    "lead their teams", "Lead with benefits", "allows us to bundle assets";
//! 4. a word inside a proper name: next to a capitalised word that is not English
//!    ("Syda Productions", "CIO Asia");
//! 5. a generic word (an everyday word that several concepts share, or of a concept that
//!    lists cues) with no evidence nearby: no cue, no other term of its concept;
//! 6. a noun term's verb form ([`term_forms`]: "queried" of "query", "integrates" of
//!    "integration"), or the noun's own text in a verb slot, read as a noun, or with no cue or
//!    other term of its concept in its sentence or the next.
//!
//! Only spans of everyday one-word terms (and concepts with `not_in` phrases) are read, so
//! the cost is a few byte scans per such span. A new rule goes in [`is_mention`], with a
//! test in `tests/senses.rs` written from the rule.

use super::lexicon::{common_words, everyday_words};
use super::normalize::each_singular;
use super::pos;
use crate::glossary::{Concept, Pos, Term};

/// What the rules need to know of one term, computed once when the index is built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TermSense {
    /// Declared a verb: verb slots are fine, and its inflections are forms of it.
    pub verb: bool,
    /// One word of everyday English (not an acronym): read in its sentence.
    pub everyday: bool,
    /// Everyday and shared by several concepts, or of a concept with cues: needs evidence.
    pub generic: bool,
    /// A verb form of a noun term, not written in the glossary: by conversion ("launch":
    /// "launched") or derivation ("integration": "integrated"). A mention only where the text
    /// reads it as a verb and shows evidence of the concept.
    pub verb_form: bool,
    /// A one-word noun term that is also an English verb ("launch", "query"): used as a verb,
    /// it may be the concept's verb, judged as a [`TermSense::verb_form`].
    pub verb_word: bool,
}

impl TermSense {
    /// The sense facts of `term`'s form `folded`, with `words` words; `verb_form`: the form is
    /// one of [`term_forms`]'s verb forms of a noun term.
    pub(crate) fn of(
        term: &Term,
        words: usize,
        case_sensitive: bool,
        folded: &str,
        verb_form: bool,
    ) -> TermSense {
        let verb = term.pos == Some(Pos::Verb);
        let everyday = words == 1 && !case_sensitive && (verb_form || is_everyday(folded));
        TermSense {
            verb,
            everyday,
            generic: false,
            verb_form,
            verb_word: !verb && !verb_form && words == 1 && !case_sensitive && is_converted(folded),
        }
    }

    /// This sense read as a verb form of its noun term ([`TermSense::verb_form`]).
    pub(crate) fn as_verb_form(self) -> TermSense {
        TermSense {
            verb_form: true,
            ..self
        }
    }
}

/// Whether `w` (folded) or one of its singulars is an everyday English word: common enough
/// that a text may use it in its ordinary sense ("lead", "session"; not "latency").
fn is_everyday(w: &str) -> bool {
    let everyday = everyday_words();
    let mut buf = String::new();
    everyday.contains(w) || each_singular(w, &mut buf, |s| everyday.contains(s))
}

/// Whether `w` (folded) or one of its singulars is a common English word.
fn is_english(w: &str) -> bool {
    let common = common_words();
    let mut buf = String::new();
    common.contains(w) || each_singular(w, &mut buf, |s| common.contains(s))
}

/// The texts a term is matched in: the term itself first, then, for a verb, its inflections
/// ("deploy": "deployed", "deploying"; "roll out": "rolled out", "rolling out"), and after
/// those a noun term's verb forms ([`noun_verb_forms`]) that no term of the glossary already
/// is (`taken`, on lower-case texts). Plurals and third-person `-s` need no form: the matcher
/// takes them for any term's last word. Returns how many forms are the term's own: the rest
/// are verb forms of a noun, judged as such ([`TermSense::verb_form`]).
pub(crate) fn term_forms(
    term: &Term,
    taken: impl Fn(&str) -> bool,
    out: &mut Vec<String>,
) -> usize {
    own_forms(term, out);
    let own = out.len();
    noun_verb_forms(term, taken, out);
    own
}

/// Suffix rules that make a noun of a verb ("integrate" + "-ion"), undone: (noun ending,
/// verb ending). A derivation is kept only when lemminflect's table holds the verb.
const DERIVATIONS: [(&str, &str); 12] = [
    ("ication", "y"),
    ("isation", "ise"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ation", "e"),
    ("ation", ""),
    ("ution", "ute"),
    ("otion", "ote"),
    ("etion", "ete"),
    ("ption", "pt"),
    ("ction", "ct"),
    ("ment", ""),
];

/// The verb a one-word noun term names an act of, by derivation: an `-ing` noun's verb
/// ("nurturing": "nurture"), or a suffix rule of [`DERIVATIONS`] undone ("attribution":
/// "attribute", "engagement": "engage"). The verb must be in lemminflect's table, and not a
/// word the tagger's lexicon takes for a noun first ("production" is no act of "product").
pub(crate) fn derived_verb(noun: &str) -> Option<&'static str> {
    let verb_first = |v: &str| !pos::lexicon_tag(v).is_some_and(|t| t.name().starts_with("NN"));
    if noun.ends_with("ing") {
        return super::profile::verb_of(noun).filter(|v| *v != noun && verb_first(v));
    }
    DERIVATIONS.iter().find_map(|&(suffix, verb)| {
        let stem = noun.strip_suffix(suffix).filter(|s| s.len() >= 3)?;
        let (lemma, _) = super::profile::verb_entry(&format!("{stem}{verb}"))?;
        verb_first(lemma).then_some(lemma)
    })
}

/// The verb forms of a one-word noun term (lower-case letters) in which a text may name its
/// concept's act: the word's own if it is also a verb ("launch": "launched", "launching";
/// its third person is the plural, matched anyway), else the base and every form of the verb
/// it derives from ([`derived_verb`]: "integration": "integrate", "integrated", ...). Forms
/// `taken` by a term of the glossary are left to that term.
fn noun_verb_forms(term: &Term, taken: impl Fn(&str) -> bool, out: &mut Vec<String>) {
    let w = term.text.as_str();
    if term.pos == Some(Pos::Verb) || w.len() < 4 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    let mut buf = String::new();
    let mut push = |f: &str| {
        // A form that is another term's, or the plural or third person of one ("deploys" of
        // the verb term "deploy", found as its plural), stays that term's.
        let theirs = taken(f) || each_singular(f, &mut buf, &taken);
        if f != w && !theirs && !out.iter().any(|o| o == f) {
            out.push(f.to_string());
        }
    };
    if let Some(forms) = super::profile::verb_forms(w) {
        if is_converted(w) {
            forms[..3].iter().for_each(|f| push(f));
        }
    } else if let Some(v) = derived_verb(w) {
        push(v);
        super::profile::verb_forms(v)
            .into_iter()
            .flatten()
            .for_each(&mut push);
    }
}

/// Whether the noun `w` is also a verb that may name its act: lemminflect's table holds it and
/// it inflects regularly. English makes verbs of nouns with regular endings ("query":
/// "queried", "trigger": "triggered"); an irregular verb ("lead": "led", "sink": "sank") is a
/// word of its own, whose sense the noun's is not.
fn is_converted(w: &str) -> bool {
    super::profile::verb_forms(w).is_some_and(|f| inflections(w).iter().any(|r| r == f[0]))
}

/// [`term_forms`] of the term itself: its text, numbered spellings, a verb's inflections.
fn own_forms(term: &Term, out: &mut Vec<String>) {
    out.clear();
    out.push(term.text.clone());
    numbered_forms(&term.text, out);
    if term.pos != Some(Pos::Verb) {
        return;
    }
    let text = term.text.as_str();
    let words: Vec<&str> = text.split(' ').collect();
    let push = |out: &mut Vec<String>, s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    // The term's verb inflects wherever it stands: its first word that is an English verb
    // and no particle ("roll back": "rolled back"; "A/B test": "A/B tested"), with its forms
    // from lemminflect's table (irregular ones included: "send", "sent").
    let mut any = false;
    let verb_at = words.iter().position(|w| {
        let l = w.to_ascii_lowercase();
        !pos::is_function_word(&l) && super::profile::verb_forms(&l).is_some()
    });
    if let Some(i) = verb_at {
        let w = words[i];
        let Some(forms) = super::profile::verb_forms(&w.to_ascii_lowercase()) else {
            return;
        };
        any = true;
        for f in forms {
            // A one-word or last-word third person is the plural the matcher takes anyway.
            if i + 1 == words.len() && f == forms[3] {
                continue;
            }
            let f = match_case(w, f);
            let mut v = words.clone();
            v[i] = &f;
            push(out, v.join(" "));
        }
    }
    if any {
        return;
    }
    // A verb the table lacks ("upsell"): the regular forms of its first word.
    let (verb, rest) = match text.find(' ') {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    if !verb.chars().all(|c| c.is_ascii_alphabetic()) || verb.len() < 2 {
        return;
    }
    let multi = !rest.is_empty();
    for form in inflections(verb) {
        push(out, format!("{form}{rest}"));
        // A phrasal verb's third person ("rolls out") is not a plural of its last word.
        if multi {
            push(out, format!("{}{rest}", third_person(verb)));
        }
    }
}

/// `form` written with the capitalisation of `like` (a capital first letter kept).
fn match_case(like: &str, form: &str) -> String {
    if like.starts_with(char::is_uppercase) {
        let mut c = form.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    } else {
        form.to_string()
    }
}

/// A numbered acronym or label ("SEV-1", "Sev1", "P 2") in its other spellings: joined,
/// spaced (a hyphen is a space to the matcher), so "Sev1" also finds "SEV-1" and "SEV 1".
fn numbered_forms(text: &str, out: &mut Vec<String>) {
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 5 || !text.starts_with(|c: char| c.is_ascii_uppercase()) {
        return;
    }
    let rest = &text[letters..];
    let digits = rest.trim_start_matches([' ', '-']);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    let head = &text[..letters];
    for f in [format!("{head}{digits}"), format!("{head} {digits}")] {
        if !out.contains(&f) {
            out.push(f);
        }
    }
}

fn third_person(v: &str) -> String {
    let l = v.to_ascii_lowercase();
    if ["s", "x", "z", "ch", "sh"].iter().any(|e| l.ends_with(e)) {
        format!("{v}es")
    } else if consonant_y(&l) {
        format!("{}ies", &v[..v.len() - 1])
    } else {
        format!("{v}s")
    }
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

fn consonant_y(l: &str) -> bool {
    let b = l.as_bytes();
    b.len() >= 2 && b[b.len() - 1] == b'y' && !is_vowel(b[b.len() - 2])
}

/// The past and `-ing` forms of a regular English verb (irregular ones are written in the
/// glossary as terms of their own).
fn inflections(v: &str) -> Vec<String> {
    let l = v.to_ascii_lowercase();
    let b = l.as_bytes();
    let n = b.len();
    let last = b[n - 1];
    let mut out = Vec::new();
    if last == b'e' {
        out.push(format!("{v}d"));
        if n >= 2 && b[n - 2] != b'e' {
            out.push(format!("{}ing", &v[..n - 1]));
        } else {
            out.push(format!("{v}ing"));
        }
        return out;
    }
    if consonant_y(&l) {
        out.push(format!("{}ied", &v[..n - 1]));
        out.push(format!("{v}ing"));
        return out;
    }
    // Consonant-vowel-consonant: short verbs double the consonant ("tag": "tagged"); longer
    // ones may or may not ("commit": "committed", "target": "targeted"), so both are kept.
    let cvc = n >= 3
        && !is_vowel(last)
        && !matches!(last, b'w' | b'x' | b'y')
        && is_vowel(b[n - 2])
        && !is_vowel(b[n - 3]);
    let doubled = format!("{v}{}", char::from(last));
    if cvc && n <= 4 {
        out.push(format!("{doubled}ed"));
        out.push(format!("{doubled}ing"));
    } else {
        out.push(format!("{v}ed"));
        out.push(format!("{v}ing"));
        if cvc {
            out.push(format!("{doubled}ed"));
            out.push(format!("{doubled}ing"));
        }
    }
    out
}

/// What stands right before a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before<'a> {
    /// A word, with only spaces between.
    Word(&'a str),
    /// A comma, semicolon, bracket or quote: a clause starts.
    Clause,
    /// The start of the text, a line, a sentence or a list item.
    Sentence,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '\u{2019}'
}

fn before(text: &str, start: usize) -> Before<'_> {
    let head = text[..start].trim_end_matches([' ', '\t']);
    let Some(c) = head.chars().next_back() else {
        return Before::Sentence;
    };
    if c.is_alphanumeric() {
        let from = head
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_word_char(c))
            .last()
            .map_or(head.len(), |(i, _)| i);
        return Before::Word(&head[from..]);
    }
    match c {
        ',' | ';' | '(' | '"' | '\u{201c}' | '[' | '/' => Before::Clause,
        _ => Before::Sentence,
    }
}

/// The word right after a span, with only spaces between.
fn after(text: &str, end: usize) -> Option<&str> {
    let tail = text[end..].trim_start_matches([' ', '\t']);
    let len = tail
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(tail.len(), |(i, _)| i);
    (len > 0).then(|| &tail[..len])
}

/// Whether a number follows `end` after one space ("Tier 1", "Rank 2-3"), as a word of its own.
pub(crate) fn numbered(text: &str, end: usize) -> bool {
    let Some(rest) = text[end..].strip_prefix(' ') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && !rest[digits..].starts_with(|c: char| {
            c.is_alphabetic()
                || (c == '.' && rest[digits + 1..].starts_with(|d: char| d.is_ascii_digit()))
        })
}

/// A capitalised word that is not English: a name ("Syda", "Asia"). The word list holds
/// words of four letters or more, so shorter ones ("If", "Can") count as English.
fn is_name_word(w: &str) -> bool {
    let mut cs = w.chars();
    let first_upper = cs.next().is_some_and(char::is_uppercase);
    first_upper
        && w.chars().count() >= 4
        && w.chars().any(char::is_lowercase)
        && w.chars().all(char::is_alphabetic)
        && !is_english(&w.to_lowercase())
}

/// Whether `phrase` (from `not_in`) covers the span `[start, end)` in `text`: compared
/// case-insensitively, with dashes as spaces and the last word of the phrase in any form
/// the matcher accepts for plurals.
#[cfg(test)]
fn phrase_covers(text: &str, start: usize, end: usize, phrase: &str) -> bool {
    window_covers(
        &window_words(text, start, end, usize::MAX),
        start,
        end,
        phrase,
    )
}

/// A word of the text around a span: byte range, lower-cased form, whether a determiner.
type WindowWord = (usize, usize, String, bool);

/// The words of the text around `[start, end)` (at most 120 bytes and `reach` words either
/// side), lower-cased, with their byte ranges: what [`window_covers`] reads. Made once per
/// span, for all its phrases; a phrase of n words reaches at most n + [`MAX_INSERTED`] words
/// beyond the span, so the words past that are never read.
fn window_words(text: &str, start: usize, end: usize, reach: usize) -> Vec<WindowWord> {
    let floor = floor_boundary(text, start.saturating_sub(120));
    let ceil = ceil_boundary(text, (end + 120).min(text.len()));
    // Back from the span to the start of the reach-th word before it, or the floor; on from
    // it to the end of the reach-th word after it, or the ceiling.
    let lo = reach_stop(text[floor..start].char_indices().rev(), reach)
        .map_or(floor, |(i, c)| floor + i + c.len_utf8());
    let hi = reach_stop(text[end..ceil].char_indices(), reach).map_or(ceil, |(i, _)| end + i);
    let mut toks: Vec<WindowWord> = Vec::new();
    let mut at: Option<usize> = None;
    for (i, c) in text[lo..hi]
        .char_indices()
        .chain(std::iter::once((hi - lo, ' ')))
    {
        match (is_word_char(c), at) {
            (true, None) => at = Some(i),
            (false, Some(s)) => {
                let w = text[lo + s..lo + i].to_lowercase();
                let det = is_determiner(&w);
                toks.push((lo + s, lo + i, w, det));
                at = None;
            }
            _ => {}
        }
    }
    toks
}

/// The non-word character at which the `reach`-th word of `chars` (read in either direction)
/// ends, if `chars` gets that far.
fn reach_stop(chars: impl Iterator<Item = (usize, char)>, reach: usize) -> Option<(usize, char)> {
    let (mut words, mut in_word) = (0, false);
    for (i, c) in chars {
        let w = is_word_char(c);
        if in_word && !w {
            words += 1;
            if words == reach {
                return Some((i, c));
            }
        }
        in_word = w;
    }
    None
}

/// The words of a `not_in` phrase: dashes count as spaces.
fn phrase_words(phrase: &str) -> impl Iterator<Item = &str> {
    phrase
        .split(|c: char| c.is_whitespace() || crate::glossary::is_dash(c))
        .filter(|w| !w.is_empty())
}

/// Whether the `not_in` phrase covers `[start, end)`, over the span's [`window_words`].
fn window_covers(toks: &[WindowWord], start: usize, end: usize, phrase: &str) -> bool {
    let words: Vec<(String, bool)> = phrase_words(phrase)
        .map(|w| {
            let w = w.to_lowercase();
            let det = is_determiner(&w);
            (w, det)
        })
        .collect();
    if words.is_empty() {
        return false;
    }
    // A phrase starts at most its length plus the words it lets in before the span's first
    // word, and at or before it.
    let span = toks.partition_point(|t| t.0 <= start);
    let lo = span.saturating_sub(words.len() + MAX_INSERTED);
    (lo..span).any(|first| {
        phrase_at(&toks[first..], &words).is_some_and(|last| end <= toks[first + last].1)
    })
}

/// A definite determiner: "the" or a possessive ("our", "their"). One stands for any other in
/// a `not_in` phrase ("members of the audience" covers "members of our audience"); other
/// determiners carry meaning of their own ("in any event" is not "in the event").
fn is_determiner(w: &str) -> bool {
    w == "the" || pos::lexicon_tag(w).is_some_and(|t| t.name() == "PRP$")
}

/// A modifier that may stand inside a fixed phrase without changing it: an adjective or
/// adverb ("in the unlikely event that", "in the very event of").
fn is_modifier(w: &str) -> bool {
    pos::lexicon_tag(w).is_some_and(|t| matches!(t.name(), "JJ" | "JJR" | "JJS" | "RB"))
}

/// Whether the phrase `words` starts at `toks[0]`, and the index of the token holding its last
/// word. A fixed phrase keeps its grammar, not its wording: its determiners match any
/// determiner, and adjectives or adverbs may stand before any of its words after the first
/// (at most two in all). The last word may be in any plural form the matcher accepts.
fn phrase_at(toks: &[WindowWord], words: &[(String, bool)]) -> Option<usize> {
    let n = words.len();
    let mut t = 0;
    let mut inserted = 0;
    for (k, (want, want_det)) in words.iter().enumerate() {
        loop {
            let (_, _, got, got_det) = toks.get(t)?;
            let same = got == want
                || (*want_det && *got_det)
                || (k + 1 == n && {
                    let mut buf = String::new();
                    each_singular(got, &mut buf, |s| s == want)
                });
            if same {
                break;
            }
            if k == 0 || inserted == MAX_INSERTED || !is_modifier(got) || is_modifier(want) {
                return None;
            }
            inserted += 1;
            t += 1;
        }
        t += 1;
    }
    Some(t - 1)
}

/// How many modifiers a `not_in` phrase lets in between its words ("in the unlikely event").
const MAX_INSERTED: usize = 2;

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Why a span is not a mention of its term (SPEC §3 "Senses").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotAMention {
    /// Inside a phrase the concept lists in `not_in`.
    Idiom,
    /// Glued to a neighbour ("TL;DR") or inside a hyphenated compound ("event-driven").
    Compound,
    /// A noun term where the text has a verb.
    Verb,
    /// A noun's verb form where the text has a noun.
    Noun,
    /// A word of a proper name.
    Name,
    /// A generic word with no evidence of the glossary's sense.
    NoEvidence,
}

/// Whether the span `[start, end)` of `text`, found for a term with `sense` of `concept`,
/// uses the term in the glossary's sense: `Ok` or why not. `after_term`: a mention of another
/// term ends right before it, one space away. `tags`: the tagger's reading of `text`.
/// `evidence` counts the cues and other terms of the concept in the text; it is asked only for
/// generic terms.
#[allow(clippy::too_many_arguments)]
pub(crate) fn judge(
    text: &str,
    start: usize,
    end: usize,
    sense: TermSense,
    concept: &Concept,
    after_term: bool,
    tags: &pos::TagMemo,
    evidence: impl FnOnce() -> u32,
) -> Result<(), NotAMention> {
    if !concept.not_in.is_empty() && {
        let longest = concept.not_in.iter().map(|p| phrase_words(p).count());
        let reach = longest.max().unwrap_or(0) + MAX_INSERTED;
        let window = window_words(text, start, end, reach);
        concept
            .not_in
            .iter()
            .any(|p| window_covers(&window, start, end, p))
    } {
        return Err(NotAMention::Idiom);
    }
    let prev_char = text[..start].chars().next_back();
    let next_char = text[end..].chars().next();
    // Glued by a semicolon to a neighbour: one token ("TL;DR").
    let glued = |c: Option<char>, far: Option<char>| {
        c == Some(';') && far.is_some_and(char::is_alphanumeric)
    };
    if glued(prev_char, text[..start].chars().rev().nth(1))
        || glued(next_char, text[end..].chars().nth(1))
    {
        return Err(NotAMention::Compound);
    }
    if !sense.everyday {
        // Acronyms: the first word of a name ("CIO Asia").
        if after(text, end).is_some_and(is_name_word) {
            return Err(NotAMention::Name);
        }
        return Ok(());
    }
    // A word glued to "#" or "@" is a handle: a chat channel, a hashtag, a user ("#launch",
    // "@release"). It names something; it does not use the word's sense.
    if matches!(prev_char, Some('#' | '@')) {
        return Err(NotAMention::Name);
    }
    // The first half of a hyphenated compound ("event-driven", "platform-agnostic"): the
    // compound means something else, unless it is a term itself (then it was found whole).
    // As the second half ("auto-deploy") the word is the compound's head: still a mention.
    let dash = |c: Option<char>| c.is_some_and(crate::glossary::is_dash);
    if dash(next_char) && text[end..].chars().nth(1).is_some_and(char::is_alphabetic) {
        return Err(NotAMention::Compound);
    }
    // After a single letter ("C-suite", "e-book", "T-shirt") the word is no head: a letter
    // modifies nothing, the compound is a word of its own.
    let mut back = text[..start].chars().rev();
    if dash(back.next())
        && back.next().is_some_and(char::is_alphabetic)
        && !back.next().is_some_and(char::is_alphanumeric)
    {
        return Err(NotAMention::Compound);
    }
    // A capitalised word and a number name a rank or a step ("Tier 1", "Phase 2"): the
    // compound means something of its own, not the word's glossary sense.
    if text[start..].starts_with(char::is_uppercase) && numbered(text, end) {
        return Err(NotAMention::Compound);
    }
    // Part of speech, from the tagger: a noun term where the sentence has a verb ("they
    // lead their teams") or a closed-class word is not a mention.
    // An -ing noun term ("caching") is tagged VBG as a gerund: that is the term's own form.
    let gerund = text[start..end].to_ascii_lowercase().ends_with("ing");
    // The lexicon's own tags of the neighbours, before any context rule, guard the tagger's
    // verb reading: a noun follows a preposition, a determiner, a possessive, an adjective or a
    // number ("from launch to growth"), and no finite verb is followed straight by another
    // ("the data tier is slow").
    let lexical = |w: Option<&str>| w.and_then(pos::lexicon_tag).map(pos::Tag::name);
    let prev_word = match before(text, start) {
        Before::Word(w) => Some(w),
        _ => None,
    };
    let noun_before = matches!(
        lexical(prev_word),
        Some("IN" | "DT" | "PRP$" | "POS" | "JJ" | "CD")
    ) && !prev_word.is_some_and(|w| w.eq_ignore_ascii_case("that"));
    let verb_after = matches!(lexical(after(text, end)), Some("VBZ" | "VBD" | "MD"));
    // A noun's verb form ("launched", "integrates") names the concept's act only as a verb:
    // read as a noun ("the href attribute"), it is another word.
    if sense.verb_form && tags.at(start).is_some_and(|t| t.name().starts_with("NN")) {
        return Err(NotAMention::Noun);
    }
    if !sense.verb
        && !sense.verb_form
        && !noun_before
        && !verb_after
        && tags.at(start).is_some_and(|t| {
            (t.is_finite_or_bare_verb() && !(gerund && t.name() == "VBG")) || t.is_function_word()
        })
    {
        return Err(NotAMention::Verb);
    }
    // A capitalised word after a name is part of it ("Syda Productions"); after the word,
    // a name is a modifier it heads ("GitLab availability"), and a capitalised word after
    // it that the word list lacks is as often jargon as a name ("Attribution Touchpoints").
    let capitalised = text[start..].chars().next().is_some_and(char::is_uppercase);
    // A glossary term right before is jargon, not a name ("SaaS Availability").
    if capitalised
        && !after_term
        && matches!(before(text, start), Before::Word(p) if is_name_word(p))
    {
        return Err(NotAMention::Name);
    }
    // A generic word, or a noun's verb form (every verb has everyday uses: "committed to"),
    // needs evidence of the concept around it.
    if (sense.generic || sense.verb_form) && evidence() == 0 {
        return Err(NotAMention::NoEvidence);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(t: &str) -> Vec<String> {
        let mut out = Vec::new();
        let term = Term {
            pos: Some(Pos::Verb),
            ..Term::new(t)
        };
        term_forms(&term, |_| false, &mut out);
        out
    }

    #[test]
    fn verbs_are_inflected() {
        assert_eq!(forms("deploy"), ["deploy", "deployed", "deploying"]);
        assert_eq!(forms("release"), ["release", "released", "releasing"]);
        assert_eq!(forms("tag"), ["tag", "tagged", "tagging"]);
        assert_eq!(forms("target")[1..3], ["targeted", "targeting"]);
        assert_eq!(forms("commit"), ["commit", "committed", "committing"]);
        assert_eq!(forms("send"), ["send", "sent", "sending"]);
        assert_eq!(forms("A/B test"), ["A/B test", "A/B tested", "A/B testing"]);
        assert_eq!(forms("copy"), ["copy", "copied", "copying"]);
        assert_eq!(
            forms("roll out"),
            ["roll out", "rolled out", "rolling out", "rolls out"]
        );
        let mut out = Vec::new();
        assert_eq!(term_forms(&Term::new("deployment"), |_| false, &mut out), 1);
        assert_eq!(
            out[..3],
            ["deployment", "deploy", "deployed"],
            "a noun's verb forms follow"
        );
        term_forms(&Term::new("Sev1"), |_| false, &mut out);
        assert_eq!(out, ["Sev1", "Sev 1"]);
        term_forms(&Term::new("SEV-1"), |_| false, &mut out);
        assert_eq!(out, ["SEV-1", "SEV1", "SEV 1"]);
    }

    #[test]
    fn nouns_give_their_verb_forms() {
        let noun = |t: &str, taken: &[&str]| {
            let mut out = Vec::new();
            let own = term_forms(&Term::new(t), |f| taken.contains(&f), &mut out);
            out.split_off(own)
        };
        // Conversion: a regular verb of the table; its third person is the plural.
        assert_eq!(noun("query", &[]), ["queried", "querying"]);
        assert_eq!(noun("commit", &[]), ["committed", "committing"]);
        // An irregular verb is a word of its own.
        assert!(noun("lead", &[]).is_empty());
        // Derivation, to a verb of the table.
        assert_eq!(derived_verb("integration"), Some("integrate"));
        assert_eq!(derived_verb("attribution"), Some("attribute"));
        assert_eq!(derived_verb("engagement"), Some("engage"));
        assert_eq!(derived_verb("configuration"), Some("configure"));
        assert_eq!(derived_verb("notification"), Some("notify"));
        assert_eq!(derived_verb("nurturing"), Some("nurture"));
        assert_eq!(
            derived_verb("production"),
            None,
            "a noun first: no act of it"
        );
        assert_eq!(derived_verb("latency"), None);
        assert_eq!(
            noun("integration", &[]),
            ["integrate", "integrated", "integrating", "integrates"]
        );
        // A form another term already is stays that term's, and so does its plural or third
        // person (the matcher finds "nurtures" as the plural of that term); acronyms and
        // phrases get none.
        assert_eq!(noun("nurturing", &["nurture"]), ["nurtured"]);
        assert!(noun("SLA", &[]).is_empty());
        assert!(noun("data integration", &[]).is_empty());
    }

    #[test]
    fn neighbours() {
        let t = "They lead, then the lead.";
        assert_eq!(before(t, 5), Before::Word("They"));
        assert_eq!(after(t, 0), Some("They"));
        assert_eq!(after(t, 9), None);
        assert_eq!(before(t, 0), Before::Sentence);
        assert_eq!(before(t, 11), Before::Clause);
    }

    #[test]
    fn phrases() {
        let t = "Success is a Moving Target, always.";
        let s = t.find("Target").unwrap();
        assert!(phrase_covers(t, s, s + 6, "moving target"));
        assert!(!phrase_covers(t, s, s + 6, "fixed target"));
        let t = "two moving-targets here";
        let s = t.find("targets").unwrap();
        assert!(phrase_covers(t, s, s + 7, "moving target"));
    }

    #[test]
    fn phrases_keep_their_grammar_not_their_wording() {
        let covers = |t: &str, word: &str, phrase: &str| {
            let s = t.find(word).unwrap();
            phrase_covers(t, s, s + word.len(), phrase)
        };
        // Modifiers may stand inside the phrase, possessives for "the".
        assert!(covers(
            "In the rare event that it fails, retry.",
            "event",
            "in the event that"
        ));
        assert!(covers(
            "We asked members of our audience.",
            "audience",
            "members of the audience"
        ));
        // ...but not before its first word, nor other determiners, nor other words.
        assert!(!covers("in any event, go", "event", "in the event of"));
        assert!(!covers(
            "in the marketing event that we ran",
            "event",
            "in the event that"
        ));
        assert!(!covers(
            "the unlikely event that",
            "event",
            "unlikely the event that"
        ));
    }
}
