//! The embedded default glossary meets the bar of issue 3: size, two-sided coverage, false
//! friends with cues, tags everywhere, no warnings, and every concept findable by its
//! preferred term.

use std::collections::HashSet;
use std::sync::Arc;

use broker::{translate, Format, Glossary, Matcher, Side, TranslateRequest};

#[test]
fn is_large_and_mostly_two_sided() {
    let stats = Glossary::embedded().stats();
    assert!(stats.concepts >= 300, "{} concepts", stats.concepts);
    assert!(stats.two_sided >= 250, "{} two-sided", stats.two_sided);
    assert!(
        stats.false_friends >= 30,
        "{} false friends",
        stats.false_friends
    );
}

#[test]
fn loads_without_warnings() {
    let glossary = Glossary::embedded();
    let warnings = glossary
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>();
    assert!(warnings.is_empty(), "warnings:\n{}", warnings.join("\n"));
}

#[test]
fn every_concept_has_tags() {
    let glossary = Glossary::embedded();
    let untagged = glossary
        .concepts()
        .iter()
        .filter(|c| c.tags.is_empty())
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>();
    assert!(untagged.is_empty(), "concepts without tags: {untagged:?}");
}

#[test]
fn every_false_friend_concept_has_cues() {
    let glossary = Glossary::embedded();
    let mut missing = Vec::new();
    for (term, (it, marketing)) in glossary.false_friend_terms() {
        for id in it.iter().chain(&marketing) {
            let concept = glossary.get(id).expect("false friends name known concepts");
            if concept.cues.is_empty() {
                missing.push(format!("{term}: {id}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "false-friend concepts without cues: {missing:?}"
    );
}

#[test]
fn acronyms_are_written_in_capitals() {
    // A term without lower-case letters is matched only in capitals, which needs at least two.
    let glossary = Glossary::embedded();
    let mut weak = Vec::new();
    for c in glossary.concepts() {
        for side in Side::BOTH {
            for t in c.terms(side) {
                let upper = t.text.chars().filter(|ch| ch.is_uppercase()).count();
                let lower = t.text.chars().any(|ch| ch.is_lowercase());
                if !lower && upper < 2 && t.text.chars().any(char::is_alphabetic) {
                    weak.push(format!("{}: {}", c.id, t.text));
                }
            }
        }
    }
    assert!(weak.is_empty(), "single-capital acronyms: {weak:?}");
}

#[test]

fn every_concept_is_found_by_its_preferred_terms() {
    let glossary = Arc::new(Glossary::embedded());
    let matcher = Matcher::new(glossary.clone());
    let mut failures = Vec::new();
    for c in glossary.concepts() {
        let preferred = Side::BOTH
            .iter()
            .filter_map(|&side| c.side(side).and_then(|s| s.preferred()))
            .map(|t| t.text.clone())
            .collect::<HashSet<_>>();
        // An everyday word needs evidence of its jargon sense (SPEC §3 "Senses"): the next
        // sentence gives it, with the concept's first cue or another of its terms.
        let context = c.cues.first().cloned().or_else(|| {
            Side::BOTH
                .iter()
                .flat_map(|&side| c.terms(side))
                .map(|t| t.text.clone())
                .find(|t| !preferred.contains(t))
        });
        for term in &preferred {
            let text = match &context {
                Some(cx) => format!("We discussed {term} today. Also {cx}."),
                None => format!("We discussed {term} today."),
            };
            let req = TranslateRequest {
                text,
                format: Format::None,
                ..Default::default()
            };
            let resp = translate(&matcher, &req).expect("a valid request");
            let found = resp.annotations.iter().any(|a| {
                a.term == *term
                    && (a.concept_id == c.id || a.alternatives.iter().any(|id| id == &c.id))
            });
            // Common knowledge (the same terms and definition on both sides) takes a word it
            // shares with other concepts and is then not annotated at all: no reader needs it.
            let shares_its_word = glossary.concepts().iter().any(|o| {
                o.id != c.id
                    && Side::BOTH
                        .iter()
                        .flat_map(|&side| o.terms(side))
                        .any(|t| t.text.eq_ignore_ascii_case(term))
            });
            if c.is_common_knowledge() && shares_its_word {
                if resp.annotations.iter().any(|a| a.concept_id == c.id) {
                    failures.push(format!("{}: '{term}' annotated (common knowledge)", c.id));
                }
            } else if !found {
                failures.push(format!("{}: '{term}'", c.id));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} preferred terms not found:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Everyday words with a common-knowledge sense in the default glossary ("platform" as a
/// company's product, "audience" as the people at a talk) besides their jargon senses: each is
/// told apart by what the text says around it, and the common-knowledge one gets no note.
#[test]
fn everyday_words_are_read_in_the_sense_their_text_gives_them() {
    let glossary = Arc::new(Glossary::embedded());
    let matcher = Matcher::new(glossary);
    let concept_of = |word: &str, text: &str| {
        let req = TranslateRequest {
            text: text.to_string(),
            format: Format::None,
            ..TranslateRequest::default()
        };
        let resp = translate(&matcher, &req).expect("a valid request");
        resp.annotations
            .iter()
            .find(|a| a.text.eq_ignore_ascii_case(word))
            .map(|a| a.concept_id.clone())
    };
    let cases = [
        (
            "platform",
            "Customers on our hosted SaaS platform saw lower availability this month; \
             the subscription includes an uptime commitment.",
            None,
        ),
        (
            "platform",
            "Marketing wants a platform with open integrations and connectors, so that \
             best-of-breed tools plug into it.",
            Some("marketing-platform"),
        ),
        (
            "platform",
            "The platform team gives developers self-service deploys on Kubernetes, a \
             golden path for every engineering team.",
            Some("internal-platform"),
        ),
        (
            "audience",
            "After the keynote the speaker took questions from the audience in the room.",
            None,
        ),
        (
            "audience",
            "The campaign's audience is IT managers; the persona and the ads speak to them.",
            Some("target-audience"),
        ),
        // Everyday words of one field, each with nothing of its field around it, do not
        // prove each other.
        (
            "queue",
            "The model of the new car was red. She wants to scale back her hours. A queue \
             formed outside the theatre.",
            None,
        ),
        (
            "model",
            "The model of the new car was red. She wants to scale back her hours. A queue \
             formed outside the theatre.",
            None,
        ),
    ];
    for (word, text, want) in cases {
        assert_eq!(
            concept_of(word, text).as_deref(),
            want,
            "{word:?} in {text:?}"
        );
    }
}
