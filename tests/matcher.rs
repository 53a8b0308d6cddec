//! Table-driven tests of matching (SPEC §3) against the fixture glossary in
//! `tests/fixtures/glossary`: every rule, positives and negatives.

use std::path::Path;
use std::sync::Arc;

use broker::matcher::{InputFormat, MatchKind, MatchOptions, Matcher};
use broker::{Annotation, Glossary, Side};

fn matcher() -> Matcher {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/glossary");
    Matcher::new(Arc::new(
        Glossary::load_dir(&dir).expect("fixture glossary loads"),
    ))
}

use MatchKind::{Exact as E, Fuzzy as F, Normalized as N};

/// Expected mentions: `(span as written, concept id, kind)`.
type Want = &'static [(&'static str, &'static str, MatchKind)];

/// `(text, expected mentions)` with default options.
const PLAIN: &[(&str, Want)] = &[
    // Exact and normalised forms.
    ("Our latency is high.", &[("latency", "latency", E)]),
    ("Latency is high.", &[("Latency", "latency", N)]),
    ("LATENCY!", &[("LATENCY", "latency", N)]),
    (
        "What is the response   time?",
        &[("response   time", "latency", N)],
    ),
    (
        "What is the response\ntime?",
        &[("response\ntime", "latency", N)],
    ),
    (
        "Our click-through rate",
        &[("click-through rate", "ctr", E)],
    ),
    (
        "Our click through rate",
        &[("click through rate", "ctr", N)],
    ),
    (
        "Our click—through rate",
        &[("click—through rate", "ctr", N)],
    ),
    ("Our ｌａｔｅｎｃｙ", &[("ｌａｔｅｎｃｙ", "latency", N)]),
    // Plural and possessive of the last word.
    (
        "Three APIs and two webhooks",
        &[("APIs", "api", N), ("webhooks", "webhook", N)],
    ),
    ("Our client companies", &[("client companies", "tenant", N)]),
    ("The tenant's data", &[("tenant's", "tenant", N)]),
    ("The tenant’s data", &[("tenant’s", "tenant", N)]),
    ("The API's docs", &[("API's", "api", N)]),
    // Acronyms match only in capitals.
    ("IT said no.", &[("IT", "it-department", E)]),
    ("it said no.", &[]),
    ("It said no.", &[]),
    (
        "Talk to the IT department",
        &[("IT department", "it-department", E)],
    ),
    ("the api is down", &[]),
    ("Our CTR and CTRs", &[("CTR", "ctr", E), ("CTRs", "ctr", N)]),
    // Case-sensitive override.
    ("We write Go.", &[("Go", "golang", E)]),
    ("We go home.", &[]),
    ("We write golang.", &[("golang", "golang", N)]),
    // Whole words only.
    ("A rapid change", &[]),
    ("A cloudy day", &[]),
    ("The clouds", &[("clouds", "cloud", N)]),
    ("Latencies", &[("Latencies", "latency", N)]),
    ("Latent issues", &[]),
    // Fuzzy: one edit for 5–8 letters, two for 9+, a score threshold, guarded words.
    ("A phising mail", &[("phising", "phishing", F)]),
    ("A phihsing mail", &[("phihsing", "phishing", F)]),
    ("Add a webhok", &[("webhok", "webhook", F)]),
    (
        "Brand awarness grew",
        &[("Brand awarness", "brand-awareness", F)],
    ),
    (
        "Brand awarenes grew",
        &[("Brand awarenes", "brand-awareness", F)],
    ),
    ("Brand awrnss grew", &[]),
    ("Our latncy", &[("latncy", "latency", F)]),
    ("The market grew", &[]),
    ("A markr", &[("markr", "marker", F)]),
    ("Fishing trips", &[]),
    ("The clud", &[("clud", "cloud", F)]),
    ("The tenent", &[("tenent", "tenant", F)]),
    ("A clod of earth", &[]),
    ("The RTX and the APl", &[]),
    ("We Goo", &[]),
    // Joined and split forms count as one edit.
    ("Our clickthrough rate", &[("clickthrough rate", "ctr", F)]),
    ("Add a web hook", &[("web hook", "webhook", F)]),
    ("Add two web hooks", &[("web hooks", "webhook", F)]),
    ("The data base is slow", &[("data base", "database", F)]),
    // A term with fuzzy = false.
    ("Turn on the feature flag", &[("feature flag", "marker", E)]),
    ("Turn on the feature flga", &[]),
    // Terms with punctuation.
    (
        "We offer 24/7 support.",
        &[("24/7 support", "twenty-four-seven", E)],
    ),
    ("We offer 24 / 7 support.", &[]),
    // Leftmost, then longest.
    (
        "The build pipeline failed",
        &[("build pipeline", "ci-pipeline", E)],
    ),
    (
        "The sales pipeline grew",
        &[("sales pipeline", "sales-pipeline", E)],
    ),
    // Unicode around terms.
    (
        "Résumé: the latency 🔥 of the API.",
        &[("latency", "latency", E), ("API", "api", E)],
    ),
    ("", &[]),
];

fn check(m: &Matcher, text: &str, opts: &MatchOptions, want: &[(&str, &str, MatchKind)]) {
    let got = m.find(text, opts);
    let got_view: Vec<(&str, &str, MatchKind)> = got
        .iter()
        .map(|a| (a.text.as_str(), a.concept_id.as_str(), a.kind))
        .collect();
    assert_eq!(got_view, want, "text {text:?} with {opts:?}");
    for a in &got {
        assert_eq!(&text[a.start..a.end], a.text);
        assert!(a.score > 0.0 && a.score <= 1.0);
        if a.kind != MatchKind::Fuzzy {
            assert_eq!(a.score, 1.0);
        }
    }
}

#[test]
fn plain_text_rules() {
    let m = matcher();
    for (text, want) in PLAIN {
        check(&m, text, &MatchOptions::default(), want);
    }
}

#[test]
fn fuzzy_score_and_min_score() {
    let m = matcher();
    let a = &m.find("A phising mail", &MatchOptions::default())[0];
    assert!((a.score - (1.0 - 1.0 / 8.0)).abs() < 1e-6, "{}", a.score);
    let strict = MatchOptions {
        min_score: 0.9,
        ..MatchOptions::default()
    };
    check(&m, "A phising mail", &strict, &[]);
    check(
        &m,
        "Brand awarness",
        &strict,
        &[("Brand awarness", "brand-awareness", F)],
    );
    let exact = MatchOptions {
        exact_only: true,
        ..MatchOptions::default()
    };
    check(
        &m,
        "A phising mail, a web hook and our latency",
        &exact,
        &[("latency", "latency", E)],
    );
}

#[test]
fn ambiguity_uses_cues_and_other_terms() {
    let m = matcher();
    let opts = MatchOptions::default();
    let one = |text: &str| {
        m.find(text, &opts)
            .into_iter()
            .find(|a| a.text == "pipeline")
            .unwrap()
    };
    let a = one("The pipeline broke after the last commit.");
    assert_eq!(a.concept_id, "ci-pipeline");
    assert_eq!(a.alternatives, vec!["sales-pipeline"]);
    assert!(a.false_friend);
    let a = one("The pipeline for this quarter looks thin: two deals.");
    assert_eq!(a.concept_id, "sales-pipeline");
    assert_eq!(a.alternatives, vec!["ci-pipeline"]);
    // Another term of the concept nearby is evidence too.
    let a = one("The build pipeline is green. The pipeline ran twice.");
    assert_eq!(a.concept_id, "ci-pipeline");
    // Cues count in their verb forms too ("forecasted" for "forecast").
    let a = one("We forecasted the pipeline.");
    assert_eq!(a.concept_id, "sales-pipeline");
    // No cue or term evidence, no reader: the text's domain (concepts sharing a tag nearby).
    let a = one("Look at the pipeline of client companies.");
    assert_eq!(a.concept_id, "sales-pipeline");
    // An everyday word with no evidence at all is not taken for jargon (SPEC §3 "Senses").
    assert!(m
        .find("Look at the pipeline.", &opts)
        .iter()
        .all(|a| a.text != "pipeline"));
    // The reader's side comes before the domain hint (SPEC §3).
    let opts_mk = MatchOptions {
        audience: Some(Side::Marketing),
        ..MatchOptions::default()
    };
    let a = m
        .find("Look at the pipeline of client companies.", &opts_mk)
        .into_iter()
        .find(|a| a.text == "pipeline")
        .unwrap();
    assert_eq!(a.concept_id, "ci-pipeline");
    // Evidence for both senses alike: the concept whose term is on the side the reader
    // does not speak.
    for (reader, want) in [
        (Side::It, "sales-pipeline"),
        (Side::Marketing, "ci-pipeline"),
    ] {
        let opts = MatchOptions {
            audience: Some(reader),
            ..MatchOptions::default()
        };
        let a = m
            .find("One deal, one commit: look at the pipeline.", &opts)
            .into_iter()
            .find(|a| a.text == "pipeline")
            .unwrap();
        assert_eq!(a.concept_id, want, "for {reader}");
        assert!(a.false_friend);
    }
}

#[test]
fn annotation_fields() {
    let m = matcher();
    // The matcher finds the mention; render looks up what a reader is told about it.
    let annotate = |text: &str| {
        let found = m.find(text, &MatchOptions::default()).remove(0);
        Annotation::new(&m, found)
    };
    let a = annotate("Our latency");
    assert_eq!(a.side, Side::It);
    assert_eq!(a.term, "latency");
    assert_eq!(m.term(a.terms[0]).text, "latency");
    assert_eq!(a.equivalents, vec!["page speed", "load time"]);
    assert_eq!(
        a.definition,
        "How long a customer waits for a page to appear."
    );
    assert!(!a.false_friend && !a.shared && a.alternatives.is_empty());
    assert!(!a.undecided && a.senses.is_empty() && a.misread_as.is_none());
    let a = annotate("Our KPI");
    assert!(a.shared);
    // One-sided concept: the other side's definition explains it.
    let a = annotate("We write Go");
    assert!(a.equivalents.is_empty());
    assert_eq!(
        a.definition,
        "The programming language our backend is written in."
    );
}

#[test]
fn markdown_skips_code_urls_and_link_targets() {
    let m = matcher();
    let md = "Check the `latency` of the API ([latency docs](https://x.io/latency)).\n\n\
              ```\nlatency\n```\n\n    latency in an indented block\n\nSee https://x.io/api or <https://x.io/latency>.\n\n\
              [ref]: https://x.io/latency\n";
    let opts = MatchOptions {
        input: InputFormat::Markdown,
        ..MatchOptions::default()
    };
    let got: Vec<_> = m
        .find(md, &opts)
        .into_iter()
        .map(|a| (a.text, a.start))
        .collect();
    let api = md.find("API").unwrap();
    let docs = md.find("latency docs").unwrap();
    assert_eq!(
        got,
        vec![("API".to_string(), api), ("latency".to_string(), docs)]
    );
}

#[test]
fn html_skips_tags_attributes_and_code() {
    let m = matcher();
    let html = "<p title=\"latency\">The <b>latency</b> of <code>API</code> calls</p>\
                <script>var latency = 1;</script><a href=\"/api\">docs</a> &amp; API";
    let opts = MatchOptions {
        input: InputFormat::Html,
        ..MatchOptions::default()
    };
    let got: Vec<_> = m.find(html, &opts).into_iter().map(|a| a.start).collect();
    assert_eq!(
        got,
        vec![
            html.find(">latency<").unwrap() + 1,
            html.rfind("API").unwrap()
        ]
    );
}

#[test]
fn offsets_in_three_units() {
    let m = matcher();
    let text = "é🔥 latency";
    let a = &m.find(text, &MatchOptions::default())[0];
    assert_eq!((a.start, a.end), (7, 14));
    assert_eq!((a.char_start, a.char_end), (3, 10));
    assert_eq!((a.utf16_start, a.utf16_end), (4, 11));
}

#[test]
fn lookup_and_suggest() {
    let m = matcher();
    let hits = m.lookup("latency", None, 5);
    assert_eq!(hits[0].concept_id, "latency");
    assert_eq!(hits[0].kind, MatchKind::Exact);
    assert_eq!(m.lookup("ctr", None, 5)[0].concept_id, "ctr");
    assert_eq!(
        m.lookup("what does CTR mean?", None, 5)[0].concept_id,
        "ctr"
    );
    assert_eq!(m.lookup("lattency", None, 5)[0].concept_id, "latency");
    let both = m.lookup("pipeline", None, 5);
    assert_eq!(both.len(), 2);
    assert!(m.lookup("zzzz qqqq", None, 5).is_empty());
    let s = m.suggest("LAT", None, 10);
    assert_eq!(
        s.iter().map(|s| s.term.as_str()).collect::<Vec<_>>(),
        vec!["latency"]
    );
    let s = m.suggest("p", Some(Side::Marketing), 10);
    assert!(s.iter().all(|s| s.side == Side::Marketing));
    assert!(s.iter().any(|s| s.term == "page speed") && s.iter().any(|s| s.term == "pipeline"));
    assert_eq!(m.suggest("p", None, 2).len(), 2);
}
