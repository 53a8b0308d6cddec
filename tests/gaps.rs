//! Gap detection (SPEC §8): one test per rule, with sentences written from the rule, over a
//! small glossary.

use std::sync::Arc;

use broker::glossary::Source;
use broker::matcher::GapKind;
use broker::{Glossary, MatchOptions, Matcher};

const GLOSSARY: &str = r#"
[[concept]]
id = "sla"
tags = ["reliability"]
[concept.it]
terms = ["SLA", "service level agreement"]
definition = "The uptime we promise in the contract."
[concept.marketing]
terms = ["uptime promise"]
definition = "What we promise customers about availability."

[[concept]]
id = "architecture-tier"
tags = ["infrastructure"]
[concept.it]
terms = ["tier"]
definition = "A layer of an application."
[concept.marketing]
terms = ["application layer"]
definition = "One part of how the product is built."

[[concept]]
id = "text-campaign"
tags = ["campaigns"]
[concept.marketing]
terms = ["SMS campaign"]
definition = "A marketing message sent to phones as a text."
"#;

fn matcher() -> Matcher {
    let g = Glossary::from_files(&[("gaps.toml".into(), GLOSSARY.into())], Source::Memory)
        .expect("the test glossary loads");
    Matcher::new(Arc::new(g))
}

fn gaps(m: &Matcher, text: &str) -> Vec<(String, GapKind)> {
    gaps_as(m, text, MatchOptions::default())
}

fn gaps_as(m: &Matcher, text: &str, opts: MatchOptions) -> Vec<(String, GapKind)> {
    let annotations = m.find(text, &opts);
    m.gaps(text, &opts, &annotations)
        .into_iter()
        .map(|g| {
            assert_eq!(&text[g.start..g.end], g.text, "byte offsets");
            (g.text, g.kind)
        })
        .collect()
}

fn texts(v: &[(String, GapKind)]) -> Vec<&str> {
    v.iter().map(|(t, _)| t.as_str()).collect()
}

#[test]
fn unknown_acronyms_with_plurals_and_possessives_are_gaps() {
    let m = matcher();
    let g = gaps(&m, "Set the OKRs with the DRI. The SAE's plan is due.");
    // The gap is the acronym; a plural "s" is part of its word, a possessive is not.
    assert_eq!(texts(&g), ["OKRs", "DRI", "SAE"]);
    assert!(g.iter().all(|(_, k)| *k == GapKind::Acronym));
}

#[test]
fn known_words_and_glossary_terms_are_not_gaps() {
    let m = matcher();
    // A glossary acronym, well-known abbreviations, English in capitals, Roman numerals.
    for text in [
        "The SLA is signed.",
        "Ask the CEO of NASA for the PDF.",
        "NOTE: read this. DO NOT CHANGE THIS ANCHOR.",
        "Read Part II and Part IV.",
    ] {
        assert_eq!(gaps(&m, text), [], "{text}");
    }
}

#[test]
fn identifiers_addresses_and_names_are_not_gaps() {
    let m = matcher();
    for text in [
        "Set utm_source and TL;DR and v2.ABC here.",
        "Mail OPS@example.com or see https://example.com/QZX now.",
        "Shares of Informa PLC rose.",
    ] {
        assert_eq!(gaps(&m, text), [], "{text}");
    }
    // Code in Markdown is not prose.
    let md = MatchOptions {
        input: broker::InputFormat::Markdown,
        ..MatchOptions::default()
    };
    assert_eq!(gaps_as(&m, "Run `QZX --fast` first.", md), []);
}

#[test]
fn an_acronym_the_text_spells_out_is_defined() {
    let m = matcher();
    let g = gaps(
        &m,
        "Page the Incident Manager On Call (IMOC). The CMOC (Communications Manager On Call) writes.",
    );
    assert_eq!(
        g,
        [
            ("IMOC".to_string(), GapKind::Defined),
            ("CMOC".to_string(), GapKind::Defined)
        ]
    );
}

#[test]
fn repeated_capitalised_names_are_gaps_outside_headings() {
    let m = matcher();
    let text = "## Economic Buyer\n\nWe meet the Economic Buyer first. Later the Economic Buyer signs.\nOnce we saw Meeting Setting.\n";
    let md = MatchOptions {
        input: broker::InputFormat::Markdown,
        ..MatchOptions::default()
    };
    let g = gaps_as(&m, text, md);
    // Twice in prose (the heading does not count); "Meeting Setting" only once.
    assert_eq!(texts(&g), ["Economic Buyer", "Economic Buyer"]);
    assert!(g.iter().all(|(_, k)| *k == GapKind::Name));
    // Names of people are not gaps, however often they appear.
    assert_eq!(gaps(&m, "We met Marci Geisler. Marci Geisler agreed."), []);
}

#[test]
fn a_glossary_word_numbered_as_a_rank_is_a_gap_not_a_mention() {
    let m = matcher();
    let text = "Tier 1 accounts get more. The data tier is slow.";
    let found: Vec<String> = m
        .find(text, &MatchOptions::default())
        .into_iter()
        .map(|a| a.text)
        .collect();
    assert_eq!(found, ["tier"], "only the architecture sense");
    assert_eq!(texts(&gaps(&m, text)), ["Tier 1"]);
}

#[test]
fn offsets_count_chars_and_utf16_units() {
    let m = matcher();
    let text = "Café 🎉 DRI";
    let opts = MatchOptions::default();
    let g = m.gaps(text, &opts, &m.find(text, &opts));
    assert_eq!(g.len(), 1);
    assert_eq!((g[0].start, g[0].end), (11, 14));
    assert_eq!((g[0].char_start, g[0].char_end), (7, 10));
    assert_eq!((g[0].utf16_start, g[0].utf16_end), (8, 11));
}

#[test]
fn placeholders_are_not_gaps_but_a_domain_acronym_is() {
    let m = matcher();
    // Markers a writer leaves in a draft: no glossary could define them.
    assert_eq!(
        gaps(
            &m,
            "Owner: TBD. Budget: TODO, still WIP. FIXME before the launch."
        ),
        []
    );
    // Jargon a reader needs explained, which no dictionary holds.
    assert_eq!(
        texts(&gaps(&m, "The PRD lists what we review at each QBR.")),
        ["PRD", "QBR"]
    );
}

#[test]
fn names_of_people_and_what_follows_them_are_not_gaps() {
    let m = matcher();
    // A surname the tagger's lexicon knows only as a proper noun, repeated: no gap.
    assert_eq!(
        gaps(
            &m,
            "Ask Grant Hoffman first. Later Grant Hoffman approved it."
        ),
        []
    );
    // A job title and a region after a person's name are what the text says about them.
    assert_eq!(
        gaps(
            &m,
            "- Priya Raman - Senior Director, Field Sales for QZNA and QZEU\n"
        ),
        []
    );
    // The same letters away from a name are still a gap.
    assert_eq!(texts(&gaps(&m, "Our QZNA numbers grew.")), ["QZNA"]);
}

#[test]
fn an_organisation_acting_is_not_a_gap() {
    let m = matcher();
    // A bare acronym as the subject of a verb in the third person: a firm, not jargon.
    assert_eq!(
        gaps(&m, "QZR recommends three steps. Then, QZR announced more."),
        []
    );
    // With an article it is a thing the text talks about.
    assert_eq!(texts(&gaps(&m, "The QZR recommends three steps.")), ["QZR"]);
}

#[test]
fn what_the_glossary_or_the_lexicon_knows_is_not_a_gap_unless_the_text_defines_it() {
    let m = matcher();
    // "SMS" is a word of the glossary term "SMS campaign": known to the glossary.
    assert_eq!(gaps(&m, "Send a reminder by SMS or email."), []);
    // "BT" is a company to the tagger's lexicon...
    assert_eq!(gaps(&m, "Call BT about the line."), []);
    // ...but a text that spells it out uses it as its own jargon, everywhere.
    let g = gaps(
        &m,
        "Each Buyer Touchpoint (BT) is stored. Sales reads the BT's date.",
    );
    assert_eq!(
        g,
        [
            ("BT".to_string(), GapKind::Defined),
            ("BT".to_string(), GapKind::Acronym)
        ]
    );
}

#[test]
fn a_word_no_dictionary_holds_used_as_vocabulary_is_a_gap() {
    let m = matcher();
    let g = gaps(
        &m,
        "A consumer may nack a bad message. Nacked messages return to the queue, and \
         the worker retries what was nacked.",
    );
    assert_eq!(texts(&g), ["nack", "Nacked", "nacked"]);
    assert!(g.iter().all(|(_, k)| *k == GapKind::Word));
    // An unknown modifier with its noun: a term of art.
    assert_eq!(
        texts(&gaps(&m, "We keep sociographic data on every account.")),
        ["sociographic data"]
    );
}

#[test]
fn misspellings_compounds_names_and_handles_are_not_vocabulary() {
    let m = matcher();
    for text in [
        // A misspelling repeats one form, one edit from a word.
        "We read thier logs and thier alerts.",
        // English made of English: a compound, a prefix, a suffix.
        "The codebase grew; the codebase is old. It was unhandled, and unhandled twice.",
        // A name written in lower case once and capitalised inside a sentence elsewhere.
        "We use zorblat daily, and zorblat works. The Zorblat team agrees.",
        // A user name that only starts lines, never follows a word.
        "**qwzmark commented:**\nLooks good.\n\n**qwzmark commented:**\nShip it.\n",
        // Code and addresses.
        "Call `zorq_init` with zorq://host/zorq or mail zorq@example.com about zorq-x.",
    ] {
        assert_eq!(gaps(&m, text), [], "{text}");
    }
}

#[test]
fn a_title_case_name_counts_where_written_in_other_cases() {
    let m = matcher();
    // Once in title case inside a sentence, then where a list item starts with it and in
    // lower case: three places of one name.
    let text = "Each region runs its own Nurture Lanes.\n\n\
                - Nurture lanes: emails sent in turn to one group.\n\
                - Regions share a nurture lane when they are small.\n";
    let g = gaps(&m, text);
    assert_eq!(
        texts(&g),
        ["Nurture Lanes", "Nurture lanes", "nurture lane"]
    );
    assert!(g.iter().all(|(_, k)| *k == GapKind::Name));
    // Bold around the phrase that opens a list item, or quotation marks, introduce it too.
    for text in [
        "Each region runs its own Nurture Lanes.\n\n- **Nurture lanes**: emails sent in turn.\n",
        "Each region runs its own Nurture Lanes, each a \"nurture lane\" of emails.",
    ] {
        assert_eq!(gaps(&m, text).len(), 2, "{text}");
    }
    // Once, in any case: no repeat, no gap.
    assert_eq!(gaps(&m, "Each region runs its own Nurture Lanes."), []);
    // Written again only in lower case, never introduced: English the writer capitalised.
    assert_eq!(
        gaps(
            &m,
            "Ask the Field Team first. Later the field team plans the field team events."
        ),
        []
    );
    // Title case only where a sentence or a field starts it is typography: the lower-case
    // places do not make it a name.
    assert_eq!(
        gaps(
            &m,
            "title: Email Best Practices\n\nThese best practices help. Read the best practices."
        ),
        []
    );
}
