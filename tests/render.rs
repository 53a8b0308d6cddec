//! Table-driven tests of rendering (SPEC §4) through the `translate` use case.

use std::path::Path;
use std::sync::Arc;

use broker::{translate, Explain, Format, Glossary, Matcher, Side, TranslateRequest};

fn matcher() -> Matcher {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/glossary");
    Matcher::new(Arc::new(Glossary::load_dir(&dir).unwrap()))
}

fn render(m: &Matcher, text: &str, reader: Side, format: Format) -> String {
    let req = TranslateRequest {
        text: text.into(),
        audience: Some(reader),
        format,
        ..TranslateRequest::default()
    };
    let resp = translate(m, &req).unwrap();
    assert_eq!(resp.renderings.len(), 1);
    assert_eq!(resp.renderings[0].audience, reader);
    resp.renderings[0].text.clone()
}

/// `(text, reader, format, expected rendering)`.
const CASES: &[(&str, Side, Format, &str)] = &[
    // Inline: only the other side's jargon is explained; the rest is byte-identical.
    ("Our latency  is high.", Side::Marketing, Format::Inline, "Our latency [≈ page speed]  is high."),
    ("Our latency  is high.", Side::It, Format::Inline, "Our latency  is high."),
    ("The CTR dropped.", Side::It, Format::Inline, "The CTR [≈ click rate metric] dropped."),
    // No equivalent on the other side: the definition.
    ("We write Go.", Side::Marketing, Format::Inline, "We write Go [The programming language our backend is written in]."),
    // Shared vocabulary is never explained.
    ("Our KPI.", Side::Marketing, Format::Inline, "Our KPI."),
    ("Our KPI.", Side::It, Format::Inline, "Our KPI."),
    // False friends: the note says which sense is meant and which the reader would assume;
    // a reader's own word in their own sense gets nothing.
    ("The pipeline broke after the commit.", Side::Marketing, Format::Inline,
     "The pipeline [IT sense: release process, not sales pipeline] broke after the commit."),
    ("The pipeline broke after the commit.", Side::It, Format::Inline,
     "The pipeline broke after the commit."),
    ("The pipeline broke after the commit.", Side::Marketing, Format::Markdown,
     "The pipeline[^1] broke after the commit.\n\n[^1]: **pipeline** — IT sense: release process, not sales pipeline. The checks every product change passes before customers get it.\n"),
    ("The pipeline broke after the commit.", Side::Marketing, Format::Html,
     "The <abbr class=\"broker false-friend\" data-concept=\"ci-pipeline\" title=\"IT sense: release process, not sales pipeline. The checks every product change passes before customers get it.\">pipeline</abbr> broke after the commit."),
    ("The pipeline broke after the commit.", Side::Marketing, Format::Rewrite,
     "The release process broke after the commit."),
    // Once per concept: the first mention is explained, the later ones are not.
    ("Latency, then latency again.", Side::Marketing, Format::Inline,
     "Latency [≈ page speed], then latency again."),
    // Rewrite keeps a leading capital and the plural.
    ("Latency and two APIs.", Side::Marketing, Format::Rewrite, "Page speed and two integration points."),
    ("Our client companies.", Side::It, Format::Rewrite, "Our tenants."),
    ("We write Go.", Side::Marketing, Format::Rewrite, "We write Go."),
    // Markdown: one footnote per concept; code untouched.
    ("Latency, `latency` and latency.", Side::Marketing, Format::Markdown,
     "Latency[^1], `latency` and latency.\n\n[^1]: **Latency** — page speed: How long a customer waits for a page to appear.\n"),
    // HTML: text nodes only, attribute values escaped.
    ("<p title=\"latency\">The <b>latency</b> &amp; RTT</p>", Side::Marketing, Format::Html,
     "<p title=\"latency\">The <b><abbr class=\"broker\" data-concept=\"latency\" title=\"page speed — How long a customer waits for a page to appear.\">latency</abbr></b> &amp; RTT</p>"),
    ("<i>We write Go</i>", Side::Marketing, Format::Html,
     "<i>We write <abbr class=\"broker\" data-concept=\"golang\" title=\"The programming language our backend is written in.\">Go</abbr></i>"),
];

#[test]
fn renderings() {
    let m = matcher();
    for (text, reader, format, want) in CASES {
        assert_eq!(
            &render(&m, text, *reader, *format),
            want,
            "{text:?} for {reader} as {format:?}"
        );
    }
}

#[test]
fn both_readers_and_none() {
    let m = matcher();
    let req = TranslateRequest {
        text: "Our latency and CTR".into(),
        ..TranslateRequest::default()
    };
    let resp = translate(&m, &req).unwrap();
    assert_eq!(resp.annotations.len(), 2);
    let texts: Vec<_> = resp
        .renderings
        .iter()
        .map(|r| (r.audience, r.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        vec![
            (Side::It, "Our latency and CTR [≈ click rate metric]"),
            (Side::Marketing, "Our latency [≈ page speed] and CTR"),
        ]
    );
    assert_eq!(resp.glossary_version, m.glossary().version());
    let none = translate(
        &m,
        &TranslateRequest {
            format: Format::None,
            ..req
        },
    )
    .unwrap();
    assert!(none.renderings.is_empty());
    assert_eq!(none.annotations.len(), 2);
}

#[test]
fn bad_min_score_names_the_field() {
    let m = matcher();
    let req = TranslateRequest {
        text: "x".into(),
        min_score: Some(1.5),
        ..TranslateRequest::default()
    };
    let err = translate(&m, &req).unwrap_err();
    assert!(err.to_string().starts_with("min_score:"), "{err}");
}

#[test]
fn explain_every_explains_each_mention_and_first_mention_marks_the_first() {
    let m = matcher();
    let text = "Latency, RTT and latency.";
    for (format, want) in [
        (Format::Inline, "Latency [≈ page speed], RTT [≈ page speed] and latency [≈ page speed]."),
        (Format::Markdown, "Latency[^1], RTT[^1] and latency[^1].\n\n[^1]: **Latency** — page speed: How long a customer waits for a page to appear.\n"),
        (Format::Rewrite, "Page speed, page speed and page speed."),
    ] {
        let req = TranslateRequest {
            text: text.into(),
            audience: Some(Side::Marketing),
            format,
            explain: Explain::Every,
            ..TranslateRequest::default()
        };
        let resp = translate(&m, &req).unwrap();
        assert_eq!(resp.renderings[0].text, want, "{format:?}");
        let firsts: Vec<bool> = resp.annotations.iter().map(|a| a.first_mention).collect();
        assert_eq!(firsts, [true, false, false], "{format:?}");
    }
}

/// REWRITE reads as English (SPEC §4) for every term of the default glossary, in sentence
/// frames: a leading capital, "a"/"an" agreeing with the equivalent, the plural kept, no word
/// doubled.
#[test]
fn rewrite_reads_as_english_over_the_default_glossary() {
    let glossary = Arc::new(Glossary::embedded());
    let m = Matcher::new(glossary.clone());
    let rewrite = |text: &str, reader: Side| {
        let req = TranslateRequest {
            text: text.into(),
            audience: Some(reader),
            format: Format::Rewrite,
            explain: Explain::Every,
            ..TranslateRequest::default()
        };
        let resp = translate(&m, &req).unwrap();
        (resp.renderings[0].text.clone(), resp.annotations)
    };
    let doubled = |s: &str| {
        let words: Vec<String> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        words.windows(2).any(|w| w[0] == w[1] && w[0].len() > 1)
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for c in glossary.concepts() {
        for side in Side::BOTH {
            let reader = side.other();
            let Some(eq) = c.terms(reader).first().map(|t| t.text.clone()) else {
                continue;
            };
            for term in c.terms(side) {
                let t = &term.text;
                if c.terms(reader)
                    .iter()
                    .any(|r| r.text.eq_ignore_ascii_case(t))
                {
                    continue; // a shared term: never explained
                }
                let last = eq.rsplit(' ').next().unwrap_or(&eq).to_string();
                let mut cap = t.chars();
                let capital: String = cap
                    .next()
                    .map_or_else(String::new, |f| f.to_uppercase().chain(cap).collect());
                for frame in ["a {} helps.", "{} helps.", "The {} {last} works."] {
                    let span = if frame.starts_with("{}") { &capital } else { t };
                    let text = frame.replace("{}", span).replace("{last}", &last);
                    let (out, anns) = rewrite(&text, reader);
                    // Only frames where the whole term was found as this concept.
                    let whole = anns.len() == 1
                        && anns[0].text == *span
                        && anns[0].concept_id == c.id
                        // (the equivalent broker uses: not one that drops the span's head)
                        && broker::render::equivalent(&anns[0]) == Some(eq.as_str())
                        // (a decided sense: an undecided one is never rewritten)
                        && anns[0].senses.is_empty();
                    if !whole {
                        continue;
                    }
                    checked += 1;
                    let bad = if frame.starts_with("{}") {
                        !out.starts_with(char::is_uppercase)
                            && !out.starts_with(|c: char| !c.is_alphabetic())
                    } else if frame.starts_with("a ") {
                        let next = out.split(' ').nth(1).unwrap_or("");
                        let first = next.chars().next().unwrap_or('x');
                        let lower = next.chars().any(char::is_lowercase);
                        let sounds_like_w = ["one", "once", "uni", "use", "eu"]
                            .iter()
                            .any(|p| next.to_lowercase().starts_with(p));
                        let want_an = "aeio".contains(first) && lower && !sounds_like_w;
                        let want_a = "bcdfgjklmnpqrstvwxyz".contains(first) && lower;
                        (want_an && !out.starts_with("an ")) || (want_a && !out.starts_with("a "))
                    } else {
                        doubled(&out) && !doubled(&eq)
                    };
                    if bad {
                        failures.push(format!("{text:?} -> {out:?}"));
                    }
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} frames checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rewrite_keeps_the_plural() {
    let m = matcher();
    let req = TranslateRequest {
        text: "Two outages and one API.".into(),
        audience: Some(Side::Marketing),
        format: Format::Rewrite,
        ..TranslateRequest::default()
    };
    let out = translate(&m, &req).unwrap().renderings[0].text.clone();
    assert_eq!(out, "Two outages and one integration point.");
}

#[test]
fn a_false_friend_without_an_equivalent_is_named_by_its_own_term_not_its_definition() {
    // "release" in the press sense has no IT term: the note names the sense by its longer
    // marketing term, and the definition goes to the footnote.
    let m = Matcher::new(Arc::new(Glossary::embedded()));
    let text = "We need a release about the launch for the journalists.";
    let inline = render(&m, text, Side::It, Format::Inline);
    assert_eq!(
        inline,
        "We need a release [marketing sense: press release, not software release] about the \
         launch for the journalists."
    );
    let md = render(&m, text, Side::It, Format::Markdown);
    assert!(
        md.contains("[^1]: **release** — marketing sense: press release, not software release. A "),
        "{md}"
    );
}

#[test]
fn a_jargon_modifier_picks_the_sense_of_its_side() {
    // "campaign" is a marketing campaign and an attack campaign; the modifier right before it
    // says which, with nothing else in the sentence to tell. Engineers say "campaign" in the
    // marketing sense too (a word both sides use), so the marketing sense needs no note for
    // them: the sense shows in the annotation.
    let m = Matcher::new(Arc::new(Glossary::embedded()));
    let marketing = "We create personalized campaigns for small cohorts.";
    assert!(!render(&m, marketing, Side::Marketing, Format::Inline).contains("attack"));
    assert_eq!(render(&m, marketing, Side::It, Format::Inline), marketing);
    let concept_of = |text: &str, word: &str| {
        let req = TranslateRequest {
            text: text.into(),
            ..TranslateRequest::default()
        };
        let resp = translate(&m, &req).unwrap();
        let a = resp
            .annotations
            .iter()
            .find(|a| a.text == word)
            .expect(word);
        (a.concept_id.clone(), a.alternatives.clone())
    };
    let (sense, others) = concept_of(marketing, "campaigns");
    assert_eq!(sense, "marketing-campaign");
    assert!(others.iter().any(|c| c == "attack-campaign"), "{others:?}");
    assert_eq!(
        concept_of("The phishing campaigns hit finance.", "campaigns").0,
        "attack-campaign"
    );
    let it = "The phishing campaigns hit finance.";
    assert!(render(&m, it, Side::Marketing, Format::Inline)
        .contains("campaigns [IT sense: attack campaign, not marketing campaign]"));
    assert_eq!(render(&m, it, Side::It, Format::Inline), it);
}
