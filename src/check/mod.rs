//! `broker check` (SPEC §8): requirement documents read as their reader will read them.
//!
//! The writer names the reader ("this brief is for marketing"); every place where that reader
//! will stumble becomes a [`Finding`] with a rule, a level, a `line:column` and a message a
//! writer can act on:
//!
//! - [`Rule::Jargon`]: a term of the writer's side the reader needs explained (the first
//!   mention of each concept, like the rendering);
//! - [`Rule::FalseFriend`]: a word the writer means in their sense that the reader reads in
//!   another;
//! - [`Rule::Gap`]: jargon-looking words no concept covers.
//!
//! Findings come from the same matcher and notes as `broker translate`; this module only
//! decides which annotations a writer hears about, and leaves out what a writer asked to be
//! left alone (`broker-ignore` comments, [`ignored_ranges`]) and words glued into identifiers
//! (`pipeline.yml`, `deploy_id`), and a Markdown file's front matter. Markdown code and URLs
//! are skipped by the matcher itself. Where the findings go (text, JSON, SARIF, GitHub) is [`report`]'s business;
//! which reader and levels apply to a path is [`config`]'s.

pub mod config;
pub mod gaps;
pub mod report;
mod run;

pub use run::{run, Outcome, RunOptions};

use std::ops::Range;

use crate::glossary::Side;
use crate::lines::LineIndex;
use crate::matcher::{Gap, InputFormat, MatchOptions, Matcher};
use crate::render::{annotate, explained, explanation, replacement, Annotation, Explain};

/// How serious a finding is; ordered, so `--fail-on` compares with `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    /// The name used by flags, configuration and every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl std::str::FromStr for Level {
    type Err = crate::UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "note" => Ok(Level::Note),
            "warning" => Ok(Level::Warning),
            "error" => Ok(Level::Error),
            other => Err(crate::UnknownValue::new(
                "level",
                other,
                "note, warning or error",
            )),
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    Jargon,
    FalseFriend,
    Gap,
}

impl Rule {
    /// Every rule, in the order reports list them.
    pub const ALL: [Rule; 3] = [Rule::Jargon, Rule::FalseFriend, Rule::Gap];

    /// The rule id of every output and of `.broker.toml`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Jargon => "jargon",
            Rule::FalseFriend => "false-friend",
            Rule::Gap => "gap",
        }
    }

    /// The level a rule has unless the configuration says otherwise.
    pub fn default_level(self) -> Level {
        match self {
            Rule::Jargon => Level::Note,
            Rule::FalseFriend | Rule::Gap => Level::Warning,
        }
    }

    /// One line on what the rule finds.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::Jargon => "A term of the writer's side that the reader will need explained.",
            Rule::FalseFriend => {
                "A word the writer means in their sense that the reader will read in another."
            }
            Rule::Gap => "Jargon-looking words that the glossary does not explain.",
        }
    }

    /// What a writer can do about a finding of this rule.
    pub fn help(self) -> &'static str {
        match self {
            Rule::Jargon => {
                "The reader's side does not use this term. Write the reader's word instead (the \
                 finding names it), or explain the term where it first appears; broker translate \
                 adds the explanation shown in the finding."
            }
            Rule::FalseFriend => {
                "The reader uses this word too, for something else, and will read it in their \
                 own sense without noticing. Name the sense you mean (the finding says which), \
                 e.g. 'release pipeline' rather than 'pipeline'."
            }
            Rule::Gap => {
                "No glossary concept explains this acronym or name, so the reader gets no help \
                 with it. Spell it out at its first use, or add a concept for it to the glossary \
                 (broker gaps --propose DIR drafts one)."
            }
        }
    }
}

/// The level of each rule; `None` turns a rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    pub jargon: Option<Level>,
    pub false_friend: Option<Level>,
    pub gap: Option<Level>,
}

impl Default for Levels {
    fn default() -> Self {
        Levels {
            jargon: Some(Rule::Jargon.default_level()),
            false_friend: Some(Rule::FalseFriend.default_level()),
            gap: Some(Rule::Gap.default_level()),
        }
    }
}

impl Levels {
    /// The level of `rule`, `None` when it is off.
    pub fn of(&self, rule: Rule) -> Option<Level> {
        match rule {
            Rule::Jargon => self.jargon,
            Rule::FalseFriend => self.false_friend,
            Rule::Gap => self.gap,
        }
    }

    /// Sets the level of `rule`.
    pub fn set(&mut self, rule: Rule, level: Option<Level>) {
        match rule {
            Rule::Jargon => self.jargon = level,
            Rule::FalseFriend => self.false_friend = level,
            Rule::Gap => self.gap = level,
        }
    }
}

/// One place where the reader will stumble.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: Rule,
    pub level: Level,
    /// UTF-8 byte offsets `[start, end)` of the span.
    pub start: usize,
    pub end: usize,
    /// 1-based line and column (in characters) of the span's first character.
    pub line: usize,
    pub column: usize,
    /// 1-based line and column just past the span's last character.
    pub end_line: usize,
    pub end_column: usize,
    /// The columns again in UTF-16 code units, as GitHub code scanning counts them.
    pub column_utf16: usize,
    pub end_column_utf16: usize,
    /// The span as written.
    pub text: String,
    /// What the writer should know and do, in one sentence or two.
    pub message: String,
    /// The note broker would add for the reader (`broker translate`), where it has one.
    pub explanation: Option<String>,
    /// What `--format rewrite` would write instead, where the reader's side has a word.
    pub replacement: Option<String>,
    /// The concept of a jargon or false-friend finding.
    pub concept_id: Option<String>,
}

/// What a check reads a text for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckOptions {
    /// Who will read the text.
    pub reader: Side,
    pub levels: Levels,
    /// How the text is read (Markdown and HTML skip code, URLs, tags and front matter).
    pub input: InputFormat,
}

/// The findings in `text` for `opts.reader`, in text order.
pub fn check_text(matcher: &Matcher, text: &str, opts: &CheckOptions) -> Vec<Finding> {
    // A byte-order mark is no character of the first line, nor the start of front matter.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut findings = check_body(matcher, &text[bom..], opts);
    for f in &mut findings {
        f.start += bom;
        f.end += bom;
    }
    findings
}

fn check_body(matcher: &Matcher, text: &str, opts: &CheckOptions) -> Vec<Finding> {
    let match_opts = MatchOptions {
        input: opts.input,
        audience: Some(opts.reader),
        ..MatchOptions::default()
    };
    let annotations = annotate(matcher, matcher.find(text, &match_opts));
    let mut ignored = ignored_ranges(text);
    if opts.input == InputFormat::Markdown {
        ignored.extend(front_matter(text));
    }
    let lines = Lines::new(text);
    let skip = |r: Range<usize>| {
        ignored.iter().any(|i| i.start < r.end && r.start < i.end) || in_identifier(text, r)
    };

    let mut findings = Vec::new();
    // Like the rendering, one finding per concept: once explained, the reader has it.
    let mentions = explained(&annotations, opts.reader, Explain::First, |a| {
        !skip(a.start..a.end)
    });
    for a in mentions {
        let bites = a.false_friend && a.misread_as.is_some();
        let rule = if bites {
            Rule::FalseFriend
        } else {
            Rule::Jargon
        };
        let Some(level) = opts.levels.of(rule) else {
            continue;
        };
        let message = if bites {
            false_friend_message(a, opts.reader)
        } else {
            jargon_message(a, opts.reader, is_verb(matcher, a))
        };
        findings.push(lines.finding(
            rule,
            level,
            a.start..a.end,
            &a.text,
            message,
            Some(explanation(a)),
            if bites || is_verb(matcher, a) {
                None
            } else {
                replacement(a)
            },
            Some(a.concept_id.clone()),
        ));
    }
    if let Some(level) = opts.levels.gap {
        let gaps: Vec<Gap> = matcher.gaps(text, &match_opts, &annotations);
        let mut seen: Vec<&str> = Vec::new();
        for g in &gaps {
            if skip(g.start..g.end) || seen.contains(&g.text.as_str()) {
                continue;
            }
            seen.push(&g.text);
            findings.push(lines.finding(
                Rule::Gap,
                level,
                g.start..g.end,
                &g.text,
                gap_message(&g.text, opts.reader),
                None,
                None,
                None,
            ));
        }
    }
    findings.sort_by_key(|f| (f.start, f.end));
    findings
}

/// Whether `a` matched a verb term ("deploys" for "deploy"): the reader's word is a noun
/// phrase that cannot stand in a verb's place, so no replacement is offered.
fn is_verb(matcher: &Matcher, a: &Annotation) -> bool {
    matcher.glossary().get(&a.concept_id).is_some_and(|c| {
        [&c.it, &c.marketing]
            .into_iter()
            .flatten()
            .flat_map(|side| &side.terms)
            .any(|t| t.text == a.term && t.pos == Some(crate::glossary::Pos::Verb))
    })
}

fn reader_name(side: Side) -> &'static str {
    match side {
        Side::It => "an IT reader",
        Side::Marketing => "a marketing reader",
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::It => "IT",
        Side::Marketing => "marketing",
    }
}

/// The jargon finding's message. A suggestion must fit where the word stands: the reader's
/// word in the span's number ("deployments" → "go-lives"), and for a verb ("deploys"), whose
/// equivalents are noun phrases, no word to paste but the sense to say in other words.
fn jargon_message(a: &Annotation, reader: Side, verb: bool) -> String {
    let head = format!(
        "'{}' is {} jargon that {} may not know",
        a.text,
        side_name(a.side),
        reader_name(reader)
    );
    match (crate::render::equivalent(a), replacement(a)) {
        (Some(e), _) if verb => format!(
            "{head}: say what happens in the reader's words (their word for it is '{e}'), or \
             explain it at its first use"
        ),
        (_, Some(r)) => format!("{head}: write '{r}', or explain it at its first use"),
        _ => format!("{head}, and their side has no word for it: explain it at its first use"),
    }
}

fn false_friend_message(a: &Annotation, reader: Side) -> String {
    let meant = a.equivalents.first().or(a.meant_as.as_ref()).map_or_else(
        || a.definition.trim_end_matches('.').to_string(),
        Clone::clone,
    );
    let assumed = a.misread_as.as_deref().unwrap_or("another sense");
    format!(
        "'{}' is meant in the {} sense ({meant}), but {} will read it as '{assumed}': \
         name the sense you mean",
        a.text,
        side_name(a.side),
        reader_name(reader)
    )
}

fn gap_message(text: &str, reader: Side) -> String {
    format!(
        "'{text}' looks like jargon that the glossary does not explain, so {} gets no help \
         with it: spell it out at its first use, or add it to the glossary",
        reader_name(reader)
    )
}

/// Byte ranges a writer asked broker to leave alone: from a line with the comment
/// `<!-- broker-ignore -->` (or `broker-ignore-start`) to one with `<!-- broker-ignore-end -->`
/// (or the end of the text), and the line after `<!-- broker-ignore-next-line -->`. HTML
/// comments, which Markdown and HTML hide from readers, in any format.
pub fn ignored_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut region: Option<usize> = None;
    let mut next_line = false;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let range = at..at + line.len();
        at += line.len();
        if next_line {
            out.push(range.clone());
            next_line = false;
        }
        let Some(marker) = marker(line) else {
            continue;
        };
        match marker {
            Marker::NextLine => next_line = true,
            Marker::Start => {
                if region.is_none() {
                    region = Some(range.start);
                }
            }
            Marker::End => {
                if let Some(start) = region.take() {
                    out.push(start..range.end);
                }
            }
        }
    }
    if let Some(start) = region {
        out.push(start..text.len());
    }
    out
}

/// A Markdown file's YAML front matter: from a first line `---` to the next line `---` or
/// `...`. Site generators show its title, so `broker translate` reads it; a writer's check
/// leaves it out (it is metadata, often keys and ids).
pub fn front_matter(text: &str) -> Option<Range<usize>> {
    let body = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut at = text.len() - body.len();
    for line in body.split_inclusive('\n') {
        at += line.len();
        if matches!(line.trim_end(), "---" | "...") {
            return Some(0..at);
        }
    }
    None
}

enum Marker {
    Start,
    End,
    NextLine,
}

/// The marker of a line: an HTML comment holding only `broker-ignore`, `broker-ignore-start`,
/// `broker-ignore-end` or `broker-ignore-next-line` (`<!-- broker-ignore -->`,
/// `<!--broker-ignore-end-->`). A mention of a marker in prose or code is none.
fn marker(line: &str) -> Option<Marker> {
    let mut rest = line;
    while let Some(open) = rest.find("<!--") {
        let body = &rest[open + 4..];
        let close = body.find("-->")?;
        match body[..close].trim() {
            "broker-ignore" | "broker-ignore-start" => return Some(Marker::Start),
            "broker-ignore-end" => return Some(Marker::End),
            "broker-ignore-next-line" => return Some(Marker::NextLine),
            _ => rest = &body[close + 3..],
        }
    }
    None
}

/// Whether the span is part of an identifier, a file name or a path rather than prose. The run
/// of word, `_`, `.`, `/`, `\\`, `:`, `$` and `=` characters around the span (so Markdown and
/// HTML syntax around a word is not part of it) holds `_` between two word characters, `$`,
/// `=`, `::`, a dot between two word characters, or a slash together with such a dot, or is
/// followed by `()`: `pipeline.yml`, `deploy_id`, `docs/pipeline.md`, `get_lead()`.
/// "CI/CD", "sales/marketing", `_emphasis_` and `[link text](url)` stay prose.
fn in_identifier(text: &str, r: Range<usize>) -> bool {
    let part =
        |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | '\\' | ':' | '$' | '=');
    let start = text[..r.start]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| part(c))
        .last()
        .map_or(r.start, |(i, _)| i);
    let end = text[r.end..]
        .char_indices()
        .find(|&(_, c)| !part(c))
        .map_or(text.len(), |(i, _)| r.end + i);
    let token = text[start..end].trim_matches(|c: char| !c.is_alphanumeric());
    let between = |sep: char| {
        token.char_indices().any(|(i, c)| {
            c == sep
                && token[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
                && token[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
        })
    };
    between('_')
        || between('.')
        || token.contains(['$', '='])
        || token.contains("::")
        || text[end..].starts_with("()")
}

/// Line starts of a text, for `line:column` in characters (a CRLF line ends at its `\n`, so
/// its `\r` never shifts a column).
struct Lines<'a>(LineIndex<'a>);

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines(LineIndex::new(text))
    }

    /// 1-based line, character column and UTF-16 column of byte offset `at`.
    fn position(&self, at: usize) -> (usize, usize, usize) {
        let p = self.0.position(at);
        (p.line, p.column, p.column_utf16)
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        rule: Rule,
        level: Level,
        span: Range<usize>,
        text: &str,
        message: String,
        explanation: Option<String>,
        replacement: Option<String>,
        concept_id: Option<String>,
    ) -> Finding {
        let (line, column, column_utf16) = self.position(span.start);
        let (end_line, end_column, end_column_utf16) = self.position(span.end);
        Finding {
            rule,
            level,
            start: span.start,
            end: span.end,
            line,
            column,
            end_line,
            end_column,
            column_utf16,
            end_column_utf16,
            text: text.to_string(),
            message,
            explanation,
            replacement,
            concept_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_ignore_carriage_returns() {
        let text = "ab\r\né€x\r\nz";
        let lines = Lines::new(text);
        assert_eq!(lines.position(0), (1, 1, 1));
        assert_eq!(lines.position(text.find('x').unwrap()), (2, 3, 3));
        assert_eq!(lines.position(text.find('z').unwrap()), (3, 1, 1));
        let emoji = "☕🚀 x";
        assert_eq!(
            Lines::new(emoji).position(emoji.find('x').unwrap()),
            (1, 4, 5)
        );
    }

    #[test]
    fn ignore_markers_cover_regions_and_next_lines() {
        let text = "a\n<!-- broker-ignore -->\nb\n<!-- broker-ignore-end -->\nc\n\
                    <!-- broker-ignore-next-line -->\nd\ne\n<!-- broker-ignore-start -->\nf";
        let ranges = ignored_ranges(text);
        let kept: String = ["a", "b", "c", "d", "e", "f"]
            .into_iter()
            .filter(|w| {
                let at = text.find(&format!("\n{w}")).map_or(0, |i| i + 1);
                !ranges.iter().any(|r| r.contains(&at))
            })
            .collect();
        // 'b' inside a region, 'd' after next-line and 'f' in an unclosed region are left out.
        assert_eq!(kept, "ace");
        assert!(
            ignored_ranges("broker-ignored words\nx").is_empty(),
            "not a marker"
        );
    }

    #[test]
    fn front_matter_runs_to_its_closing_line() {
        let text = "---\r\ntitle: Latency\r\n---\r\nBody latency\n";
        assert_eq!(front_matter(text), Some(0..text.find("Body").unwrap()));
        assert_eq!(front_matter("Intro\n---\nx\n---\n"), None);
        assert_eq!(front_matter("---\nunclosed: yes\n"), None);
    }

    #[test]
    fn identifiers_and_paths_are_not_prose() {
        let t =
            "see pipeline.yml and deploy_id and docs/pipeline.md, get_lead() and the pipeline.\n\
                 [pipeline](https://x.y) <b class=\"k\">pipeline</b> _pipeline_ CI/pipeline";
        let at = |w: &str, n: usize| {
            let s = t.match_indices(w).nth(n).unwrap().0;
            s..s + w.len()
        };
        assert!(in_identifier(t, at("pipeline", 0)));
        assert!(in_identifier(t, at("deploy", 0)));
        assert!(in_identifier(t, at("pipeline", 1)));
        assert!(in_identifier(t, at("lead", 0)));
        assert!(
            !in_identifier(t, at("pipeline", 2)),
            "a sentence's full stop"
        );
    }
}
