//! Reading text nobody tuned on (issue 29): the tagger's part-of-speech decisions, forms of
//! multi-word verb terms and numbered acronyms, senses weighed by what the glossary says about
//! each, and no guessing where the text does not tell senses apart. Sentences are written from
//! the rules, over a glossary of this file's own.

mod own_glossary;

use broker::matcher::pos::tag_text;
use broker::render::{annotate, render};
use broker::{Explain, Format, MatchOptions, Matcher, Side};
use own_glossary::found;

const GLOSSARY: &str = r#"
[[concept]]
id = "rollback"
tags = ["delivery"]
[concept.it]
terms = [{ text = "roll back", pos = "verb" }, "rollback"]
definition = "Putting the previous version back in production after a bad release."
[concept.marketing]
terms = ["undo the update"]
definition = "Going back to the version customers had before, because the new one broke something."

[[concept]]
id = "sev1"
tags = ["incidents"]
[concept.it]
terms = ["Sev1", "severity 1 incident"]
definition = "The most severe incident class: the service is down for many customers."
[concept.marketing]
terms = ["major outage"]
definition = "Customers cannot use the product at all."

[[concept]]
id = "continuous-integration"
tags = ["delivery"]
cues = ["merge", "branch", "build"]
[concept.it]
terms = ["CI", "continuous integration"]
definition = "Every merge is built and tested automatically."
[concept.marketing]
terms = ["automated quality checks"]
definition = "Machines test every change as soon as it is made."

[[concept]]
id = "competitive-intelligence"
tags = ["strategy"]
cues = ["competitor", "rival", "battlecard"]
[concept.it]
terms = ["competitor research"]
definition = "Collecting facts on rival products and their prices."
[concept.marketing]
terms = ["CI", "competitive intelligence"]
definition = "What we learn about competitors to win deals against them."

[[concept]]
id = "pull-request"
tags = ["code-review"]
[concept.it]
terms = ["PR", "pull request"]
definition = "A proposed code change on a branch that reviewers comment on before it is merged."
[concept.marketing]
terms = ["proposed change"]
definition = "A change to the product that colleagues check before it goes in."

[[concept]]
id = "public-relations"
tags = ["communications"]
[concept.it]
terms = ["press work"]
definition = "Managing how journalists and the media cover the company."
[concept.marketing]
terms = ["PR", "public relations"]
definition = "Earning coverage of the company by journalists and media outlets."

[[concept]]
id = "product-launch"
tags = ["go-to-market"]
cues = ["announce", "announcement"]
[concept.it]
terms = ["general availability release"]
definition = "The day a new product or feature is made available and announced."
[concept.marketing]
terms = ["launch", "product launch"]
definition = "The coordinated announcement of a new product or feature."

[[concept]]
id = "process-start"
tags = ["operations"]
cues = ["binary", "executable"]
[concept.it]
terms = ["launch"]
definition = "Starting a program as a new operating-system process."
[concept.marketing]
terms = ["app start"]
definition = "The moment an app opens on someone's device."
"#;

fn matcher() -> Matcher {
    own_glossary::matcher("reading.toml", GLOSSARY)
}

/// Each (text, word, tag): the word of the text is tagged with the tag or one of its forms
/// ("NN" takes "NNS").
fn assert_tags(cases: &[(&str, &str, &str)]) {
    for &(text, word, want) in cases {
        let got = tag_of(text, word);
        assert!(
            got.starts_with(want),
            "{word:?} in {text:?}: tagged {got}, expected {want}"
        );
    }
}

fn tag_of(text: &str, word: &str) -> &'static str {
    tag_text(text)
        .into_iter()
        .find(|(w, _)| *w == word)
        .map(|(_, t)| t)
        .expect("the word is tagged")
}

#[test]
fn the_tagger_tells_verbs_from_nouns_by_their_neighbours() {
    let cases = [
        ("They lead their teams well.", "lead", "VB"),
        ("The lead signed the contract.", "lead", "NN"),
        ("We want to track every order.", "track", "VB"),
        ("Each track has three stages.", "track", "NN"),
        ("Marketing will launch the site.", "launch", "VB"),
        ("The launch went well.", "launch", "NN"),
        ("Sales gathered new leads at the fair.", "leads", "NNS"),
        ("She leads the team.", "leads", "VBZ"),
        ("Two regressions slipped through.", "regressions", "NNS"),
    ];
    assert_tags(&cases);
}

#[test]
fn an_instruction_starts_with_a_verb_after_a_list_or_heading_marker() {
    let cases = [
        // Imperatives: a verb's plain form, then a preposition, determiner or pronoun.
        ("Deal with the backlog first.", "Deal", "VB"),
        ("- Account for refunds in the report.", "Account", "VB"),
        ("## Contact your manager", "Contact", "VB"),
        ("* Lead with the customer's problem.", "Lead", "VB"),
        // Noun phrases stay nouns: "of" after the word, a word that is no verb, or a noun after.
        ("## Release of version 2", "Release", "NN"),
        ("- Integration with the billing system", "Integration", "NN"),
        ("* Deal size grew this quarter.", "Deal", "NN"),
        // Inside a sentence nothing changes.
        ("The deal with the reseller closed.", "deal", "NN"),
    ];
    assert_tags(&cases);
}

#[test]
fn any_word_of_a_verb_term_inflects_and_numbered_acronyms_match_every_spelling() {
    let m = matcher();
    let opts = MatchOptions::default();
    for text in [
        "We rolled back the deploy.",
        "They are rolling back now.",
        "It rolls back by itself.",
    ] {
        let found = m.find(text, &opts);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        assert_eq!(found[0].concept_id, "rollback", "{text}");
    }
    for text in [
        "A SEV-1 was declared.",
        "A SEV 1 was declared.",
        "A Sev1 was declared.",
    ] {
        let found = m.find(text, &opts);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        assert_eq!(found[0].concept_id, "sev1", "{text}");
    }
}

#[test]
fn without_evidence_a_specific_term_names_every_sense_and_guesses_none() {
    let m = matcher();
    let text = "CI is red again today.";
    let a = &annotate(&m, m.find(text, &MatchOptions::default()))[0];
    assert_eq!(a.text, "CI");
    assert_eq!(a.senses.len(), 2, "{a:?}");
    assert!(a.senses.iter().any(|s| s == "continuous integration"));
    assert!(a.senses.iter().any(|s| s == "competitive intelligence"));
    // Both readers are told both senses, and no rewrite picks one.
    for reader in [Side::It, Side::Marketing] {
        let out = render(
            text,
            std::slice::from_ref(a),
            reader,
            Format::Inline,
            Explain::First,
        );
        assert!(
            out.contains("continuous integration or competitive intelligence")
                || out.contains("competitive intelligence or continuous integration"),
            "{out}"
        );
        let out = render(
            text,
            std::slice::from_ref(a),
            reader,
            Format::Rewrite,
            Explain::First,
        );
        assert_eq!(out, text);
    }
    // With evidence (a cue of one sense nearby), the sense is decided and no other is named.
    let found = m.find(
        "The build failed after the merge. CI is red again.",
        &MatchOptions::default(),
    );
    let a = &annotate(&m, found)[0];
    assert_eq!(a.concept_id, "continuous-integration");
    assert!(a.senses.is_empty(), "{a:?}");
}

#[test]
fn what_the_glossary_says_of_each_sense_decides_for_the_whole_document() {
    let m = matcher();
    // No cues on either concept: the words of their definitions in the text decide.
    let code = "The PR is open.\n\nReviewers commented on the branch; it is merged tomorrow.";
    let a = &annotate(&m, m.find(code, &MatchOptions::default()))[0];
    assert_eq!(a.text, "PR");
    assert_eq!(a.concept_id, "pull-request", "{a:?}");
    assert!(a.senses.is_empty(), "decided: {a:?}");
    let press = "The PR is open.\n\nJournalists and media outlets will cover the company.";
    let a = &annotate(&m, m.find(press, &MatchOptions::default()))[0];
    assert_eq!(a.text, "PR");
    assert_eq!(a.concept_id, "public-relations", "{a:?}");
    assert!(a.senses.is_empty(), "decided: {a:?}");
}

#[test]
fn a_word_glued_to_a_hash_or_an_at_sign_is_a_handle_not_a_mention() {
    let m = matcher();
    let text = "We announce the launch on Monday: post the announcement in #launch, ask @launch.";
    let found: Vec<_> = m
        .find(text, &MatchOptions::default())
        .into_iter()
        .filter(|a| a.concept_id == "product-launch")
        .map(|a| a.start)
        .collect();
    assert_eq!(found, vec![text.find("launch").unwrap()], "{text}");
}

#[test]
fn an_everyday_word_whose_senses_stay_apart_is_listed_but_no_reader_is_told_a_sense() {
    let m = matcher();
    // One cue of each sense: the word is jargon here, but which jargon the text does not say.
    let text = "We announce the launch of the binary.";
    let found = annotate(&m, m.find(text, &MatchOptions::default()));
    let a = found.iter().find(|a| a.text == "launch").expect("listed");
    assert!(a.undecided && a.generic, "{a:?}");
    for reader in [Side::It, Side::Marketing] {
        let out = render(text, &found, reader, Format::Inline, Explain::First);
        assert_eq!(out, text, "for {reader}");
    }
}

#[test]
fn an_abbreviation_the_text_defines_means_what_its_long_form_means() {
    let m = matcher();
    let concepts = |text: &str| found(&m, text);
    // The text defines "GAR" by a long form whose head is a term: every "GAR" (plural and
    // possessive too) is that concept, the one in brackets included.
    let text = "Our general availability release (GAR) is on Friday. Two GARs a year; the GAR's date moves.";
    let got = concepts(text);
    let gar: Vec<&str> = got
        .iter()
        .filter(|(_, c)| c == "product-launch")
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(
        gar,
        ["general availability release", "GAR", "GARs", "GAR's"],
        "{got:?}"
    );
    // The other order: abbreviation first, long form in brackets.
    let got = concepts("GAR (general availability release) dates are set. After GAR, rest.");
    assert_eq!(got.iter().filter(|(t, _)| t == "GAR").count(), 2, "{got:?}");
    // The text's definition outranks what the evidence would say of the abbreviation: the
    // cues around the second "CI" (build, merge) speak for continuous integration, yet the
    // text said what its CI is.
    let told = "The build broke after the merge, and CI wrote it up.";
    let got = concepts(told);
    assert!(
        got.iter()
            .any(|(t, c)| t == "CI" && c == "continuous-integration"),
        "{got:?}"
    );
    let got = concepts(&format!(
        "Our competitive intelligence (CI) team met. {told}"
    ));
    let ci: Vec<&str> = got
        .iter()
        .filter(|(t, _)| t == "CI")
        .map(|(_, c)| c.as_str())
        .collect();
    assert_eq!(
        ci,
        ["competitive-intelligence", "competitive-intelligence"],
        "{got:?}"
    );
    // Letters that are not the long form's initials define nothing.
    let got = concepts("Our general availability release (GA) is on Friday. GA moves.");
    assert!(got.iter().all(|(t, _)| t != "GA"), "{got:?}");
}

#[test]
fn a_sense_written_the_same_for_both_readers_takes_its_word_and_needs_no_note() {
    // "room" is a meeting-booking term; the same word as a chat room is common knowledge:
    // the same terms and definition on both sides.
    let glossary = r#"
[[concept]]
id = "meeting-room"
tags = ["facilities"]
cues = ["booking", "calendar", "projector"]
[concept.it]
terms = ["room"]
definition = "A bookable meeting space with a calendar of its own."
[concept.marketing]
terms = ["meeting room"]
definition = "A space you book in the calendar for a meeting."

[[concept]]
id = "chat-room"
tags = ["chat"]
cues = ["chat", "messages", "emoji", "thread"]
[concept.it]
terms = ["room"]
definition = "A named place in a chat tool where messages on one topic are posted."
[concept.marketing]
terms = ["room"]
definition = "A named place in a chat tool where messages on one topic are posted."
"#;
    let m = own_glossary::matcher("common.toml", glossary);
    let found =
        |text: &str| -> Vec<String> { found(&m, text).into_iter().map(|(_, c)| c).collect() };
    // About the calendar: the meeting room, annotated.
    assert_eq!(
        found("Check the calendar booking before you take the room."),
        ["meeting-room"]
    );
    // About chat: the common sense takes the word, and nothing is annotated.
    assert!(found("Post your messages in the chat room, with an emoji.").is_empty());
}
