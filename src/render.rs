//! Rendering: the annotated version of a text for one reader (SPEC §4).
//!
//! A rendering explains the mentions whose side is not the reader's own, and flags false
//! friends on the reader's side. Outside its insertions the text is kept byte for byte.
//!
//! The matcher hands over lean [`Mention`]s; [`Annotation::new`] looks up what a reader is
//! told about each (equivalents, definition, a false friend's senses) in the matcher's
//! glossary, and [`explained`] decides which mentions a reader gets explained.

use crate::glossary::Side;
use crate::matcher::{Matcher, Mention};

/// A mention with what a reader is told about it, looked up in the glossary. It reads as its
/// [`Mention`] (`a.start`, `a.concept_id`, ...): an annotation is a mention plus its notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// Where the mention is and what matched.
    pub mention: Mention,
    /// The other side's terms, preferred first.
    pub equivalents: Vec<String>,
    /// The other side's definition (the own side's when there is no other side).
    pub definition: String,
    /// For a false friend: the term a reader of the other side uses for the sense they would
    /// assume (the concept where this word is on their side), e.g. "sales pipeline".
    pub misread_as: Option<String>,
    /// For a false friend: another term of its own concept on the matched side, naming the
    /// meant sense when the reader's side has no term for it ("press release" for "release").
    pub meant_as: Option<String>,
    /// For an undecided mention ([`Mention::undecided`]): a name for each sense, the chosen
    /// one first, so that a note names them all rather than guessing ("continuous
    /// integration", "competitive intelligence"). Empty when the sense is decided.
    pub senses: Vec<String>,
}

impl std::ops::Deref for Annotation {
    type Target = Mention;

    fn deref(&self) -> &Mention {
        &self.mention
    }
}

impl AsRef<Mention> for Annotation {
    fn as_ref(&self) -> &Mention {
        &self.mention
    }
}

impl Annotation {
    /// `mention` (found by `matcher`) with its notes looked up in `matcher`'s glossary.
    pub fn new(matcher: &Matcher, mention: Mention) -> Annotation {
        let side = mention.side;
        let t = matcher.term(mention.terms[0]);
        let concept = t.concept;
        let equivalents = concept
            .terms(side.other())
            .iter()
            .map(|t| t.text.clone())
            .collect();
        let definition = concept
            .side(side.other())
            .or(concept.side(side))
            .map(|s| s.definition.clone())
            .unwrap_or_default();
        let options = || mention.terms.iter().map(|&o| matcher.term(o));
        // A false friend: the reader of the other side knows this word from another concept,
        // on their side of it or on both sides (a word both sides use: "campaign").
        let misread_as = options()
            .find(|o| {
                o.concept.id != concept.id
                    && o.same_text(&t)
                    && (o.side == side.other() || o.concept.is_shared_term(o.text))
            })
            .and_then(|o| {
                let terms = o.concept.terms(side.other());
                terms
                    .iter()
                    .find(|x| !x.text.eq_ignore_ascii_case(t.text))
                    .or(terms.first())
                    .map(|x| x.text.clone())
            });
        let meant_as = misread_as.as_ref().and_then(|_| {
            concept
                .terms(side)
                .iter()
                .find(|x| !x.text.eq_ignore_ascii_case(t.text))
                .map(|x| x.text.clone())
        });
        let mut senses: Vec<String> = Vec::new();
        if mention.undecided {
            for o in options() {
                let name = o
                    .concept
                    .terms(o.side)
                    .iter()
                    .chain(o.concept.terms(o.side.other()))
                    .find(|x| !x.text.eq_ignore_ascii_case(t.text))
                    .map(|x| x.text.clone());
                if let Some(n) = name {
                    if !senses.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
                        senses.push(n);
                    }
                }
            }
            if senses.len() < 2 {
                senses.clear();
            }
        }
        Annotation {
            mention,
            equivalents,
            definition,
            misread_as,
            meant_as,
            senses,
        }
    }
}

/// `mentions` (found by `matcher`) with their notes: see [`Annotation::new`].
///
/// The mentions are taken from the back and their vector shrunk as it empties, so that a long
/// text's mentions and annotations are not both held whole: for the 51,789 mentions of the
/// 10 MB corpus that is 9 MB less at the peak of `broker translate --json` (issue 33).
pub fn annotate(matcher: &Matcher, mut mentions: Vec<Mention>) -> Vec<Annotation> {
    // Below this many mentions the copies of shrinking cost more than the memory is worth.
    const SHRINK_FROM: usize = 4096;
    let mut annotations = Vec::with_capacity(mentions.len());
    while let Some(m) = mentions.pop() {
        annotations.push(Annotation::new(matcher, m));
        if mentions.capacity() >= SHRINK_FROM && mentions.len() <= mentions.capacity() / 2 {
            mentions.shrink_to_fit();
        }
    }
    annotations.reverse();
    annotations
}

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
    type Err = crate::UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "inline" => Format::Inline,
            "markdown" => Format::Markdown,
            "html" => Format::Html,
            "rewrite" => Format::Rewrite,
            "none" => Format::None,
            other => {
                return Err(crate::UnknownValue::new(
                    "format",
                    other,
                    "inline, markdown, html, rewrite or none",
                ))
            }
        })
    }
}

/// How often a concept is explained in one rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Explain {
    /// At its first explained mention only (the default: a reader needs a term once).
    #[default]
    First,
    /// At every mention.
    Every,
}

impl Explain {
    /// The lower-case name used by flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Explain::First => "first",
            Explain::Every => "every",
        }
    }
}

impl std::str::FromStr for Explain {
    type Err = crate::UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().trim_start_matches("explain_") {
            "" | "unspecified" | "first" => Ok(Explain::First),
            "every" => Ok(Explain::Every),
            other => Err(crate::UnknownValue::new("explain", other, "first or every")),
        }
    }
}

/// Whether a reader needs `a` explained: the other side's jargon, unless the term is shared
/// vocabulary. A false friend resolved to the reader's own sense needs nothing: the reader
/// reads their own word right.
pub fn needs_note(a: &Annotation, reader: Side) -> bool {
    // An everyday word whose senses the text cannot separate is left alone (SPEC §3 "no
    // guessing"): the annotation lists it, no reader is told a sense.
    let left_alone = a.shared || (a.undecided && a.generic);
    !left_alone && (a.side != reader || !a.senses.is_empty())
}

/// The name of a side's sense, as a note says it.
fn sense_name(side: Side) -> &'static str {
    match side {
        Side::It => "IT sense",
        Side::Marketing => "marketing sense",
    }
}

/// A definition as it reads inside brackets: without its final full stop.
fn clause(definition: &str) -> &str {
    definition.trim().trim_end_matches('.')
}

/// A words-only form of a term for comparing: lower case, dashes and runs of spaces as one
/// space.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s
        .split(|c: char| c.is_whitespace() || crate::glossary::is_dash(c))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        if w.is_ascii() {
            out.extend(w.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            out.push_str(&w.to_lowercase());
        }
    }
    out
}

/// Whether the words of `part` appear in `whole` (both [`plain`]), but not as its last words:
/// `" whole "` contains `" part "` and does not end with it.
fn inner_words(whole: &str, part: &str) -> bool {
    if part.is_empty() {
        return false;
    }
    let b = whole.as_bytes();
    let bounded = |i: usize| {
        let end = i + part.len();
        (i == 0 || b[i - 1] == b' ') && (end == b.len() || b[end] == b' ')
    };
    // `match_indices` without its searcher's set-up (most of the cost for words this short):
    // the same leftmost, non-overlapping matches, found byte by byte (a match of valid UTF-8
    // in valid UTF-8 starts on a character boundary).
    let p = part.as_bytes();
    let mut contains = false;
    let mut i = 0;
    while i + p.len() <= b.len() {
        if &b[i..i + p.len()] == p {
            if bounded(i) {
                contains = true;
                break;
            }
            i += p.len();
        } else {
            i += 1;
        }
    }
    let at_end =
        whole.len() >= part.len() && whole.ends_with(part) && bounded(whole.len() - part.len());
    contains && !at_end
}

/// An acronym: no lower-case letter and at least two capitals ("BYOD", "B2B").
fn is_acronym(s: &str) -> bool {
    !s.chars().any(char::is_lowercase) && s.chars().filter(|c| c.is_uppercase()).count() >= 2
}

/// The equivalent a note or a rewrite may use for `a`: the first of `a.equivalents` that
/// explains something. Skipped: one the span already says, less its head noun ("on-call
/// engineer" ≈ "on-call", which also made "The on-call declared" in rewrites), and an acronym
/// for an acronym
/// ("BYOX" ≈ "BYOD": one unknown abbreviation for another). `None` when none is left: the
/// definition explains instead.
pub fn equivalent(a: &Annotation) -> Option<&str> {
    let span = plain(&a.text);
    let term = plain(&a.term);
    // Useless: the span itself, or a part of it that drops its head noun (English noun
    // phrases end with their head: "on-call engineer" without "engineer" is "on-call"). A
    // part that drops a modifier still helps: "data clean room" ≈ "clean room".
    let says = |e: &str| {
        let e = plain(e);
        let useless = |whole: &str| {
            whole == e || whole.strip_suffix('s') == Some(e.as_str()) || inner_words(whole, &e)
        };
        useless(&span) || useless(&term)
    };
    let acronym = is_acronym(&a.text);
    a.equivalents
        .iter()
        .map(String::as_str)
        .find(|e| !(says(e) || (acronym && is_acronym(e))))
}

/// The equivalent as the note writes it after `a`'s span: in the span's number ("MQLs
/// [≈ high-score leads]"), not its capital or possessive.
fn equivalent_in_number(a: &Annotation, e: &str) -> String {
    let base = a
        .text
        .strip_suffix("'s")
        .or_else(|| a.text.strip_suffix("\u{2019}s"))
        .unwrap_or(&a.text);
    if is_plural_of(base, &a.term) {
        pluralize(e)
    } else {
        e.to_string()
    }
}

/// What the reader is told about `a`, in words: the equivalent (or the definition when the
/// other side has no term), and for a false friend which sense is meant and which one the
/// reader would assume.
fn note(a: &Annotation) -> String {
    // Senses the text does not tell apart: name them all (SPEC §3 "no guessing").
    if !a.senses.is_empty() {
        return a.senses.join(" or ");
    }
    let gloss = match (equivalent(a), &a.meant_as) {
        (Some(e), _) => e.to_string(),
        // No term on the reader's side: the meant sense by its own side's longer name.
        (None, Some(m)) if a.false_friend => m.clone(),
        (None, _) => clause(&a.definition).to_string(),
    };
    match (&a.misread_as, a.false_friend) {
        (Some(assumed), true) => format!("{}: {gloss}, not {assumed}", sense_name(a.side)),
        _ => gloss,
    }
}

/// The inline note: ` [≈ equivalent]`, ` [definition]`, or the false friend's sense.
fn inline_note(a: &Annotation) -> String {
    if !a.senses.is_empty() || (a.false_friend && a.misread_as.is_some()) {
        format!(" [{}]", note(a))
    } else if let Some(e) = equivalent(a) {
        format!(" [≈ {}]", equivalent_in_number(a, e))
    } else {
        format!(" [{}]", clause(&a.definition))
    }
}

/// The longer form for footnotes and titles: the note, then the definition.
fn long_note(a: &Annotation) -> String {
    match (equivalent(a), a.false_friend && a.misread_as.is_some()) {
        _ if !a.senses.is_empty() => note(a),
        (_, true) => format!("{}. {}", note(a), a.definition),
        (Some(e), false) => format!("{e}: {}", a.definition),
        (None, false) => a.definition.clone(),
    }
}

/// One concept a reader needs explained: its first mention and what to say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The concept.
    pub concept_id: String,
    /// The span as written at its first mention.
    pub text: String,
    /// The short note (the equivalent, the definition, or a false friend's sense).
    pub gloss: String,
    /// The note followed by the definition, as in footnotes.
    pub long: String,
}

/// Whether `reader` needs annotation `a` explained (what every rendering explains).
pub fn needs_explaining(a: &Annotation, reader: Side) -> bool {
    needs_note(a, reader)
}

/// What `a` is explained with, short ([`Explanation::gloss`]) and long.
pub fn explain(a: &Annotation) -> (String, String) {
    (note(a), long_note(a))
}

/// The mentions `reader` gets explained, in text order: the annotations the reader needs a
/// note for ([`needs_note`]) that `keep` accepts, and with [`Explain::First`] only the first
/// of each concept. Every rendering, [`explanations`] and `broker check` decide with this.
///
/// `keep` runs before a mention counts as its concept's first, and lazily: a caller may
/// depend on what it did with the previous mention (a rendering skips overlapping spans).
pub fn explained<'a, 'f, F>(
    annotations: &'a [Annotation],
    reader: Side,
    explain: Explain,
    mut keep: F,
) -> impl Iterator<Item = &'a Annotation> + 'f
where
    'a: 'f,
    F: FnMut(&Annotation) -> bool + 'f,
{
    let mut seen: Vec<&'a str> = Vec::new();
    annotations.iter().filter(move |a| {
        if !needs_note(a, reader) || !keep(a) {
            return false;
        }
        if explain == Explain::First {
            if seen.contains(&a.concept_id.as_str()) {
                return false;
            }
            seen.push(&a.concept_id);
        }
        true
    })
}

/// The concepts `reader` needs explained in a text, once each, in order of first mention:
/// the list that chat replies and ticket comments show.
pub fn explanations(annotations: &[Annotation], reader: Side) -> Vec<Explanation> {
    explained(annotations, reader, Explain::First, |_| true)
        .map(|a| Explanation {
            concept_id: a.concept_id.clone(),
            text: a.text.clone(),
            gloss: note(a),
            long: long_note(a),
        })
        .collect()
}

/// The explanation a reader gets for `a`, as in a footnote: the equivalent and the definition,
/// or for a false friend which sense is meant and which one the reader would assume.
pub fn explanation(a: &Annotation) -> String {
    long_note(a)
}

/// What `--format rewrite` would write in place of `a`'s span, on its own (plural, possessive
/// and capital kept); `None` when the reader's side has no term for the concept.
pub fn replacement(a: &Annotation) -> Option<String> {
    if !a.senses.is_empty() {
        // Which sense is meant is not known: no rewrite guesses it.
        return None;
    }
    equivalent(a).map(|e| rewritten(&a.text, &a.term, e))
}

/// Renders `text` for `reader`. `annotations` must come from matching this `text`, in order.
pub fn render(
    text: &str,
    annotations: &[Annotation],
    reader: Side,
    format: Format,
    explain: Explain,
) -> String {
    match format {
        Format::Inline => inline(text, annotations, reader, explain),
        Format::Markdown => markdown(text, annotations, reader, explain),
        Format::Html => html(text, annotations, reader, explain),
        Format::Rewrite => rewrite(text, annotations, reader, explain),
        Format::None => String::new(),
    }
}

/// Copies `text` with `edit(annotation, out)` written in place of each span the reader needs
/// explained: every such span, or (with [`Explain::First`]) the first of each concept.
fn splice(
    text: &str,
    annotations: &[Annotation],
    reader: Side,
    explain: Explain,
    mut edit: impl FnMut(&Annotation, &mut String, &str),
) -> String {
    let mut out = String::with_capacity(text.len() + annotations.len() * 24);
    let at = std::cell::Cell::new(0);
    let fits = |a: &Annotation| a.start >= at.get() && a.end <= text.len();
    for a in explained(annotations, reader, explain, fits) {
        out.push_str(&text[at.get()..a.start]);
        edit(a, &mut out, &text[a.end..]);
        at.set(a.end);
    }
    out.push_str(&text[at.get()..]);
    out
}

/// The end of the hyphenated compound a span ending at `end` is part of: "Tier-1", "MQL-to-SQL",
/// "mid-TOFU". A note goes there, not inside the word ("tier [≈ …]-1 accounts").
fn compound_end(text: &str, mut end: usize) -> usize {
    loop {
        let rest = &text[end..];
        let Some(dash) = rest.chars().next().filter(|&c| c == '-' || c == '\u{2011}') else {
            return end;
        };
        let word = rest[dash.len_utf8()..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len() - dash.len_utf8());
        if word == 0 {
            return end;
        }
        end += dash.len_utf8() + word;
    }
}

fn inline(text: &str, annotations: &[Annotation], reader: Side, explain: Explain) -> String {
    let mut out = String::with_capacity(text.len() + annotations.len() * 24);
    let at = std::cell::Cell::new(0);
    let fits = |a: &Annotation| a.start >= at.get() && a.end <= text.len();
    // The notes waiting for the end of a compound, and where that is.
    let mut pending = String::new();
    let mut pending_at = 0;
    for a in explained(annotations, reader, explain, fits) {
        if !pending.is_empty() && a.start >= pending_at {
            out.push_str(&text[at.get()..pending_at]);
            out.push_str(&pending);
            pending.clear();
            at.set(pending_at);
        }
        if pending.is_empty() {
            pending_at = compound_end(text, a.end);
        }
        pending.push_str(&inline_note(a));
    }
    if !pending.is_empty() {
        out.push_str(&text[at.get()..pending_at]);
        out.push_str(&pending);
        at.set(pending_at);
    }
    out.push_str(&text[at.get()..]);
    out
}

fn markdown(text: &str, annotations: &[Annotation], reader: Side, explain: Explain) -> String {
    // One footnote per concept, numbered in order of first explained mention.
    let mut notes: Vec<(String, String, String)> = Vec::new(); // (concept, label, body)
    let mut body = splice(text, annotations, reader, explain, |a, out, _| {
        let n = match notes.iter().position(|(k, _, _)| *k == a.concept_id) {
            Some(i) => i + 1,
            None => {
                notes.push((a.concept_id.clone(), a.text.clone(), long_note(a)));
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

fn html(text: &str, annotations: &[Annotation], reader: Side, explain: Explain) -> String {
    splice(text, annotations, reader, explain, |a, out, _| {
        let title = match a.equivalents.first() {
            Some(e) if !(a.false_friend && a.misread_as.is_some()) => {
                format!("{e} — {}", a.definition)
            }
            _ => long_note(a),
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

fn rewrite(text: &str, annotations: &[Annotation], reader: Side, explain: Explain) -> String {
    splice(text, annotations, reader, explain, |a, out, after| {
        // A label glued to a number ("Tier-1", "SEV-2") is a name, not prose: left alone.
        let glued_number = after
            .strip_prefix(['-', '\u{2011}'])
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        // A numbered label matched whole ("SEV-1") is a name too; and where the senses are
        // undecided, no rewrite picks one.
        let numbered = a.text.ends_with(|c: char| c.is_ascii_digit());
        let Some(e) = equivalent(a).filter(|_| !glued_number && !numbered && a.senses.is_empty())
        else {
            out.push_str(&a.text);
            return;
        };
        let mut s = rewritten(&a.text, &a.term, e);
        // No word doubled: "drip" + " sequence" when the equivalent is "drip sequence", or
        // "email" + "email campaign" before it.
        if let Some(next) = first_word(after) {
            if let Some(head) = strip_last_word(&s, next) {
                s = head;
            } else if s.eq_ignore_ascii_case(next) && out.ends_with(' ') {
                // The equivalent is the very next word ("user activity metrics engagement"
                // -> "engagement"): the span gives way to it.
                out.pop();
                return;
            }
        }
        if let Some(prev) = last_word(out) {
            if let Some(tail) = strip_first_word(&s, prev) {
                s = tail;
            }
            // "the" + "the cloud": one determiner is enough.
            const DETERMINERS: [&str; 12] = [
                "the", "a", "an", "our", "your", "their", "this", "that", "its", "his", "her", "my",
            ];
            if DETERMINERS.iter().any(|d| d.eq_ignore_ascii_case(prev)) {
                for article in ["the", "a", "an"] {
                    if s.eq_ignore_ascii_case(article) {
                        s.clear();
                        out.pop(); // the space after the determiner
                        return;
                    }
                    if let Some(tail) = strip_first_word(&s, article) {
                        s = tail;
                        break;
                    }
                }
            }
        }
        // At the start of a sentence the equivalent takes the capital ("CTR dropped." ->
        // "Click rate dropped."). A dash or star counts only as a list bullet: after a word
        // it joins a compound ("MQL-to-SQL", "mid-TOFU"), which takes no capital.
        let head = out.trim_end_matches([' ', '\t']);
        let bullet = |c: char| {
            head.strip_suffix(c).is_some_and(|h| {
                h.is_empty() || h.ends_with(char::is_whitespace) || h.ends_with(['#', '>'])
            })
        };
        let sentence_start = head.is_empty()
            || head.ends_with(['.', '!', '?', '\n', ':', '#', '>', '"', '\u{201c}'])
            || bullet('-')
            || bullet('*');
        if sentence_start {
            let mut c = s.chars();
            if let Some(f) = c.next().filter(|f| f.is_lowercase()) {
                s = f.to_uppercase().chain(c).collect();
            }
        }
        fix_article(out, &s);
        out.push_str(&s);
    })
}

/// The word `s` starts with, if it starts with a space then a word.
fn first_word(s: &str) -> Option<&str> {
    let s = s.strip_prefix(' ')?;
    let end = s.find(|c: char| !c.is_alphanumeric()).unwrap_or(s.len());
    (end > 0).then(|| &s[..end])
}

/// The word `s` ends with, if it ends with a word then a space.
fn last_word(s: &str) -> Option<&str> {
    let s = s.strip_suffix(' ')?;
    let start = s
        .rfind(|c: char| !c.is_alphanumeric())
        .map_or(0, |i| i + s[i..].chars().next().map_or(1, char::len_utf8));
    (start < s.len()).then(|| &s[start..])
}

/// `phrase` without its last word when that word is `word` (any case) and more is left.
fn strip_last_word(phrase: &str, word: &str) -> Option<String> {
    let (head, last) = phrase.rsplit_once(' ')?;
    last.eq_ignore_ascii_case(word).then(|| head.to_string())
}

/// `phrase` without its first word when that word is `word` (any case) and more is left.
fn strip_first_word(phrase: &str, word: &str) -> Option<String> {
    let (first, tail) = phrase.split_once(' ')?;
    first.eq_ignore_ascii_case(word).then(|| tail.to_string())
}

/// Makes the article just written in `out` ("a "/"an ") agree with `next`.
fn fix_article(out: &mut String, next: &str) {
    let Some(article) = last_word(out) else {
        return;
    };
    if !matches!(article, "a" | "an" | "A" | "An") {
        return;
    }
    let want_an = starts_with_vowel_sound(next);
    let capital = article.starts_with('A');
    let fixed = match (want_an, capital) {
        (true, true) => "An",
        (true, false) => "an",
        (false, true) => "A",
        (false, false) => "a",
    };
    if fixed != article {
        let at = out.len() - 1 - article.len();
        out.replace_range(at..out.len() - 1, fixed);
    }
}

/// Whether "an" goes before `word`: a vowel sound, by the spelling rules that cover jargon
/// (acronyms spelled out: "an SLA", "an MQL", "a URL"; "a user", "an hour").
fn starts_with_vowel_sound(word: &str) -> bool {
    let first: String = word.chars().take_while(|c| c.is_alphanumeric()).collect();
    let lower = first.to_lowercase();
    let Some(c) = lower.chars().next() else {
        return false;
    };
    let acronym = first.chars().count() >= 2 && !first.chars().any(char::is_lowercase);
    if acronym {
        // Letters whose names start with a vowel sound.
        return "aefhilmnorsx".contains(c);
    }
    if c.is_ascii_digit() {
        return lower.starts_with('8') || lower.starts_with("11") || lower.starts_with("18");
    }
    const AN_H: [&str; 4] = ["hour", "honest", "honor", "honour"];
    const A_VOWEL: [&str; 9] = [
        "uni", "use", "usa", "user", "usu", "url", "eu", "one", "once",
    ];
    if AN_H.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    if A_VOWEL.iter().any(|p| lower.starts_with(p)) {
        return false;
    }
    "aeiou".contains(c)
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
    if is_plural_of(base, term) {
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

/// Whether `span` (possessive removed) is the plural of `term`: "MQLs" of "MQL", "companies"
/// of "company".
fn is_plural_of(span: &str, term: &str) -> bool {
    let (b, t) = (span.to_lowercase(), term.to_lowercase());
    b != t && !t.ends_with('s') && b.ends_with('s')
}

/// English plural of a phrase's last word; a last word the tagger's lexicon knows only as a
/// plural ("back-end systems", "firmographic data") stays as it is.
fn pluralize(phrase: &str) -> String {
    let lower = phrase.to_lowercase();
    if !phrase.chars().any(char::is_lowercase) {
        return format!("{phrase}s");
    }
    let last = lower.rsplit([' ', '-']).next().unwrap_or(&lower);
    if crate::matcher::pos::lexicon_tag(last).is_some_and(|t| t.name() == "NNS") {
        return phrase.to_string();
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

    /// `inner_words` as it was written with `match_indices`: the byte search must find the same.
    fn inner_words_reference(whole: &str, part: &str) -> bool {
        if part.is_empty() {
            return false;
        }
        let b = whole.as_bytes();
        let bounded = |i: usize| {
            let end = i + part.len();
            (i == 0 || b[i - 1] == b' ') && (end == b.len() || b[end] == b' ')
        };
        let contains = whole.match_indices(part).any(|(i, _)| bounded(i));
        let at_end =
            whole.len() >= part.len() && whole.ends_with(part) && bounded(whole.len() - part.len());
        contains && !at_end
    }

    #[test]
    fn inner_words_finds_what_match_indices_found() {
        let cases = [
            ("on call engineer", "on call"),
            ("on call engineer", "engineer"),
            ("data clean room", "clean room"),
            ("a a a", "a a"),
            ("aa a aa", "a"),
            ("a a b", "a a"),
            ("x ab ab y", "ab ab"),
            // An unbounded match hides an overlapping bounded one, in both.
            ("ba a a c", "a a"),
            ("ba a a", "a a"),
            ("café crème", "café"),
            ("crème café crème", "crème"),
            ("", "a"),
            ("a", ""),
            ("lead", "lead"),
        ];
        for (whole, part) in cases {
            assert_eq!(
                inner_words(whole, part),
                inner_words_reference(whole, part),
                "{whole:?} / {part:?}"
            );
        }
    }

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
        assert_eq!(pluralize("back-end systems"), "back-end systems");
        assert_eq!(pluralize("firmographic data"), "firmographic data");
    }
}
