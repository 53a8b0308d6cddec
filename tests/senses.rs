//! Sense resolution (SPEC §3 "Senses"): one test per mechanism, with sentences written from
//! the rule, over a small glossary of everyday-word terms.

mod own_glossary;

use broker::{MatchOptions, Matcher};
use own_glossary::found;

const GLOSSARY: &str = r#"
[[concept]]
id = "sales-lead"
tags = ["sales"]
cues = ["prospect", "crm", "qualified", "sales"]
[concept.it]
terms = ["lead record"]
definition = "A CRM row for a person who showed interest."
[concept.marketing]
terms = ["lead"]
definition = "A person who showed interest in buying."

[[concept]]
id = "product-launch"
tags = ["product"]
[concept.it]
terms = ["general availability"]
definition = "The release that makes a product available to all."
[concept.marketing]
terms = ["launch"]
definition = "Bringing a new product to market."

[[concept]]
id = "target-audience"
tags = ["campaigns"]
cues = ["campaign", "persona"]
not_in = ["moving target", "on target"]
[concept.it]
terms = ["user segment"]
definition = "The users a feature is built for."
[concept.marketing]
terms = ["target"]
definition = "The people a campaign wants to reach."

[[concept]]
id = "software-event"
tags = ["analytics"]
cues = ["tracking", "analytics", "queue"]
[concept.it]
terms = ["event"]
definition = "A record of something that happened in the software."
[concept.marketing]
terms = ["tracked action"]
definition = "Something a visitor did that analytics records."

[[concept]]
id = "film-production"
tags = ["infrastructure"]
[concept.it]
terms = ["production"]
definition = "The live system customers use."
[concept.marketing]
terms = ["live site"]
definition = "What customers see."

[[concept]]
id = "deployment"
tags = ["delivery"]
[concept.it]
terms = [{ text = "deploy", pos = "verb" }, "deployment"]
definition = "Installing a new version on the servers."
[concept.marketing]
terms = [{ text = "personalize", pos = "verb" }, "go-live"]
definition = "The moment a change reaches customers."

[[concept]]
id = "postmortem"
tags = ["reliability"]
[concept.it]
terms = ["postmortem", "incident review"]
definition = "A written review of an outage."
[concept.marketing]
terms = ["outage report"]
definition = "What went wrong and what we change."

[[concept]]
id = "incident"
tags = ["reliability"]
[concept.it]
terms = ["incident"]
definition = "An unplanned outage or degradation."
[concept.marketing]
terms = ["service disruption"]
definition = "A time when the product did not work."

[[concept]]
id = "opportunity"
tags = ["sales"]
cues = ["account", "salesforce"]
[concept.it]
terms = ["opportunity record"]
definition = "The CRM row of a possible sale."
[concept.marketing]
terms = ["opportunity"]
definition = "A possible sale being worked on."

[[concept]]
id = "customer-account"
tags = ["sales"]
cues = ["opportunity", "salesforce"]
[concept.it]
terms = ["tenant"]
definition = "A customer organisation's record."
[concept.marketing]
terms = ["account"]
definition = "A customer company."

[[concept]]
id = "software-release"
tags = ["delivery"]
cues = ["version", "changelog", "hotfix"]
[concept.it]
terms = ["release"]
definition = "A numbered version of the software."
[concept.marketing]
terms = ["new version"]
definition = "What customers get when the product changes."

[[concept]]
id = "press-release"
tags = ["pr"]
cues = ["journalist", "announcement", "newswire"]
[concept.it]
terms = []
definition = "A written announcement sent to journalists."
[concept.marketing]
terms = ["release"]
definition = "A formal announcement to the media."

[[concept]]
id = "split-test"
tags = ["experiments"]
[concept.it]
terms = ["A/B experiment"]
definition = "Two variants served at random and compared on one metric."
[concept.marketing]
terms = ["testing", { text = "test", pos = "verb" }]
definition = "Trying two versions of a message to see which works better."

[[concept]]
id = "saas"
tags = ["infrastructure"]
[concept.it]
terms = ["SaaS"]
definition = "Software run by its vendor and used over the web."
[concept.marketing]
terms = ["cloud software"]
definition = "Software customers use in the browser, with nothing to install."

[[concept]]
id = "cio"
tags = ["roles"]
[concept.it]
terms = ["CIO"]
definition = "Chief information officer."
[concept.marketing]
terms = ["CIO"]
definition = "Chief information officer."
"#;

fn matcher() -> Matcher {
    own_glossary::matcher("senses.toml", GLOSSARY)
}

fn has(m: &Matcher, text: &str, span: &str) -> bool {
    found(m, text).iter().any(|(t, _)| t == span)
}

#[test]
fn a_noun_term_used_as_a_verb_is_not_a_mention() {
    let m = matcher();
    // Verb slots: after a subject, an auxiliary, "to" with an object, before an object,
    // an imperative.
    for text in [
        "Managers lead their people through change.",
        "We lead by example.",
        "You should lead the meeting.",
        "She wants to lead the workshop.",
        "Lead with the strongest benefit.",
        "The good habits often lead to better prospects.",
        "Next week we launch the new site.",
        // "to" after an object pronoun, "how" or "in order" starts an infinitive.
        "The new tool allows us to launch campaigns faster.",
        "Here is how to launch products abroad.",
    ] {
        let span = if text.contains("launch") {
            "launch"
        } else {
            "lead"
        };
        let span = if text.starts_with("Lead") {
            "Lead"
        } else {
            span
        };
        assert!(!has(&m, text, span), "{text:?}: {:?}", found(&m, text));
    }
    // The noun, with evidence of its sales sense.
    for text in [
        "Every lead from the CRM gets a call.",
        "A qualified lead is worth ten visitors.",
        "Move each lead to the sales team.",
    ] {
        assert!(has(&m, text, "lead"), "{text:?}: {:?}", found(&m, text));
    }
    assert!(has(&m, "The launch slipped a week.", "launch"));
    // "to" as a preposition before the noun.
    assert!(has(&m, "It took us from launch to growth.", "launch"));
}

#[test]
fn a_word_inside_a_proper_name_is_not_a_mention() {
    let m = matcher();
    assert!(!has(
        &m,
        "Photo by Kessler Production for the blog.",
        "Production"
    ));
    assert!(!has(&m, "Read it in CIO Deutschland this week.", "CIO"));
    // A glossary term before a capitalised word is jargon, not a name.
    assert!(has(
        &m,
        "Our SaaS Production cluster is down.",
        "Production"
    ));
    // The same words outside a name.
    assert!(has(
        &m,
        "The bug reached production last night.",
        "production"
    ));
    assert!(has(&m, "Our CIO signed the budget.", "CIO"));
}

#[test]
fn idioms_listed_in_not_in_are_not_mentions() {
    let m = matcher();
    assert!(!has(
        &m,
        "Pricing is a moving target for the campaign.",
        "target"
    ));
    assert!(!has(&m, "The campaign is right on target.", "target"));
    assert!(has(&m, "Pick one target per campaign.", "target"));
}

#[test]
fn generic_words_need_evidence_of_the_jargon_sense() {
    let m = matcher();
    // "event" has cues: without one nearby (or twice in the text) it is ordinary English.
    assert!(!has(
        &m,
        "The event of the year was the summer party.",
        "event"
    ));
    assert!(has(
        &m,
        "Each event is sent to analytics. Tracking starts on page load.",
        "event"
    ));
}

#[test]
fn generic_words_are_no_evidence_for_each_other() {
    let m = matcher();
    // Each word is a cue of the other's concept, far apart: everyday English both times.
    let filler = " The weather was fine. Lunch was late. Nobody minded. Then we left.";
    let text = format!(
        "The review is a rare opportunity to learn.{filler} Her account of the day was funny.\
         {filler} His account was shorter."
    );
    assert!(!has(&m, &text, "opportunity"), "{:?}", found(&m, &text));
    assert!(!has(&m, &text, "account"), "{:?}", found(&m, &text));
    // A cue that is not everyday English counts anywhere in the document.
    let text = format!("{text}{filler} Salesforce holds the rest. Salesforce is slow.");
    assert!(has(&m, &text, "opportunity"), "{:?}", found(&m, &text));
}

#[test]
fn compounds_go_to_the_longest_term_and_hyphenated_modifiers_are_not_mentions() {
    let m = matcher();
    // The longer term wins: an incident review is a review, not an incident.
    let f = found(&m, "We hold an incident review every Friday.");
    assert_eq!(
        f,
        [("incident review".to_string(), "postmortem".to_string())]
    );
    let f = found(&m, "Incident Reviews are blameless.");
    assert_eq!(
        f,
        [("Incident Reviews".to_string(), "postmortem".to_string())]
    );
    // The first half of a hyphenated compound means something else.
    assert!(!has(
        &m,
        "An event-driven design with queue consumers.",
        "event"
    ));
    // As the second half, it is the compound's head.
    assert!(has(&m, "The auto-deploy failed.", "deploy"));
    // Unless the first half is a single letter: an X-word is a word of its own.
    assert!(!has(
        &m,
        "The X-event was tracked in analytics and the queue.",
        "event"
    ));
    assert!(has(
        &m,
        "The big event was tracked in analytics and the queue.",
        "event"
    ));
}

#[test]
fn verb_terms_are_found_in_their_inflections() {
    let m = matcher();
    let f = found(
        &m,
        "It was deployed twice and we are deploying again; it deploys fast.",
    );
    let spans: Vec<&str> = f.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(spans, ["deployed", "deploying", "deploys"]);
    assert!(f.iter().all(|(_, c)| c == "deployment"));
    let a = &m.find("personalized emails", &MatchOptions::default())[0];
    assert_eq!(
        (a.text.as_str(), a.term.as_str()),
        ("personalized", "personalize")
    );
    // A noun term has no verb forms (exact matching: "postmortemed" is no typo either).
    let exact = MatchOptions {
        exact_only: true,
        ..MatchOptions::default()
    };
    assert!(m.find("We postmortemed it.", &exact).is_empty());
}

#[test]
fn a_semicolon_glued_token_is_one_word() {
    let m = matcher();
    assert!(!has(&m, "The TL;CIO newsletter.", "CIO"));
}

#[test]
fn the_document_says_which_sense_an_ambiguous_word_has() {
    let m = matcher();
    let concept_of = |text: &str| {
        let f = found(&m, text);
        let mut it = f.iter().filter(|(t, _)| t == "release");
        it.next().map(|(_, c)| c.clone())
    };
    // Alone with a cue of one sense, the passage decides.
    assert_eq!(
        concept_of("The release reached every journalist by noon.").as_deref(),
        Some("press-release")
    );
    // A handbook about shipping software: one cue of the other sense in the next sentence
    // does not outweigh the whole text (cues of the software sense, all far away).
    let filler = " The weather was fine. Lunch was late. Nobody minded. Then we left.";
    let text = format!(
        "Every version gets a changelog entry.{filler} A hotfix gets its own version.{filler} \
         The changelog lists each hotfix.{filler} Each hotfix bumps the version.{filler} \
         Ask the release team first. \
         The announcement goes to the whole company."
    );
    assert_eq!(
        concept_of(&text).as_deref(),
        Some("software-release"),
        "{:?}",
        found(&m, &text)
    );
    // The same passage in a text about the media: the press sense.
    let text = format!(
        "Every journalist gets the newswire feed.{filler} A journalist reads the newswire.{filler} \
         The newswire reaches each journalist.{filler} \
         Ask the release team first. \
         The announcement goes to the whole company."
    );
    assert_eq!(concept_of(&text).as_deref(), Some("press-release"));
}

#[test]
fn a_noun_term_that_is_also_a_form_of_a_verb_term_fits_a_verb_slot() {
    let m = matcher();
    // "testing" is a noun term and the -ing form of the verb term "test" of the same
    // concept: in a verb slot the verb reading holds.
    let text = "We are testing a shorter subject line.";
    assert_eq!(
        found(&m, text),
        [("testing".to_string(), "split-test".to_string())]
    );
    assert!(has(&m, "Testing takes a week.", "Testing"));
    // A noun term with no verb term of its concept stays out of verb slots.
    assert!(!has(&m, "They lead the team.", "lead"));
}

#[test]
fn a_cue_as_the_words_modifier_names_its_sense() {
    let m = matcher();
    // A page about press work: every cue around says press release.
    let press = "The journalist got our announcement on the newswire. Each journalist reads the \
                 announcement first. ";
    let sense_of_release = |text: &str| {
        found(&m, text)
            .into_iter()
            .find(|(t, _)| t == "release")
            .map(|(_, c)| c)
    };
    assert_eq!(
        sense_of_release(&format!("{press}The release went out on Monday.")).as_deref(),
        Some("press-release")
    );
    // "hotfix release": the modifier is a cue of the software sense, and the compound is a
    // kind of software release whatever the page is about.
    assert_eq!(
        sense_of_release(&format!("{press}The hotfix release went out on Monday.")).as_deref(),
        Some("software-release")
    );
    // A cue further away is evidence, not a modifier: the page still decides.
    assert_eq!(
        sense_of_release(&format!(
            "{press}A hotfix came first; the release went out on Monday."
        ))
        .as_deref(),
        Some("press-release")
    );
}

#[test]
fn a_heading_or_paragraph_is_a_sentence_of_its_own() {
    let m = matcher();
    // Blocks without a full stop (a heading, short paragraphs) are sentences of their own:
    // a cue four blocks away is not evidence for the word, one block away is.
    let far = "The event of the year\n\nEveryone came early\n\nThe room was full\n\n\
               The party was long\n\nAnalytics was down";
    assert!(!has(&m, far, "event"), "{:?}", found(&m, far));
    let near = "The event of the year\n\nAnalytics was down";
    assert!(has(&m, near, "event"), "{:?}", found(&m, near));
    // The same in Markdown, where a heading ends at its line.
    let md = "# The event of the year\nEveryone came early\n\n- The room was full\n\
              - The party was long\n\n## Analytics was down\n";
    let opts = MatchOptions {
        input: broker::InputFormat::Markdown,
        ..MatchOptions::default()
    };
    let spans: Vec<String> = m.find(md, &opts).into_iter().map(|x| x.text).collect();
    assert!(!spans.iter().any(|t| t == "event"), "{spans:?}");
}

#[test]
fn a_word_keeps_the_sense_its_text_established() {
    let m = matcher();
    let filler = " The weather was fine. Lunch was late. Nobody minded. Then we left.";
    // One sense per discourse: "account" is established as a customer company where
    // Salesforce and an opportunity stand next to it; pages later, with nothing around it,
    // it is still that.
    let text = format!(
        "Each account in Salesforce has an opportunity owner.{filler}{filler} The account pays \
         monthly."
    );
    let accounts = found(&m, &text)
        .into_iter()
        .filter(|(t, _)| t == "account")
        .count();
    assert_eq!(accounts, 2, "{:?}", found(&m, &text));
    // A mention that was itself kept on weak grounds (the word twice in the text) lends
    // nothing: everyday "account" stays everyday.
    let text = format!(
        "Her account of the day was funny.{filler}{filler} His account was shorter.{filler} \
         Salesforce holds the rest."
    );
    assert!(!has(&m, &text, "account"), "{:?}", found(&m, &text));
}

#[test]
fn a_word_the_text_defines_takes_the_sense_its_definition_fits() {
    let m = matcher();
    let concepts = |text: &str, word: &str| -> Vec<String> {
        found(&m, text)
            .into_iter()
            .filter(|(t, _)| t.eq_ignore_ascii_case(word))
            .map(|(_, c)| c)
            .collect()
    };
    // Without a definition, a journalist nearby makes "release" the press release.
    let plain = "Every journalist asks about the next release.";
    assert_eq!(concepts(plain, "release"), ["press-release"]);
    // The text defines the word: its definition fits the software sense, and that sense
    // holds wherever the word appears in the text, decided.
    let defined = "- Release: a numbered version of the software, listed in the changelog.\n\n\
                   Every journalist asks about the next release.";
    assert_eq!(
        concepts(defined, "release"),
        ["software-release", "software-release"],
        "{:?}",
        found(&m, defined)
    );
    // A definition that fits none of the glossary's senses makes the word the text's own
    // term: no note anywhere in the text, though a campaign is named right next to it.
    let campaign = "Send the campaign to all targets.";
    assert_eq!(concepts(campaign, "targets"), ["target-audience"]);
    let own = "Targets, which are the phone numbers and addresses of one person, get each \
               message.\n\nSend the campaign to all targets.";
    assert!(concepts(own, "targets").is_empty(), "{:?}", found(&m, own));
    // The kind of thing a definition names is the kind its sense is, even with no other word
    // in common: "records" are what a software event is, and the word needs no more evidence.
    assert!(concepts("We count the events daily.", "events").is_empty());
    let kind = "- Events: records kept for each visit.\n\nWe count the events daily.";
    assert_eq!(
        concepts(kind, "events"),
        ["software-event", "software-event"],
        "{:?}",
        found(&m, kind)
    );
    // A relative clause that describes the thing does not define it.
    let described = "Our release, which is late again, reached every journalist.";
    assert_eq!(concepts(described, "release"), ["press-release"]);
}
