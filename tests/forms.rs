//! Forms of terms (SPEC §3): a noun term is found in the verb forms that name its concept's
//! act — by conversion ("query": "queried") or derivation ("integration": "integrates") —
//! and such a form is a mention only where the sentence uses it as a verb and the concept's
//! cues or other terms stand near. Sentences written from the rule, both ways.

mod own_glossary;

use broker::Matcher;
use own_glossary::found;

const GLOSSARY: &str = r#"
[[concept]]
id = "database-query"
tags = ["data"]
cues = ["sql", "database", "table"]
[concept.it]
terms = ["query"]
definition = "A request that reads rows from a database."
[concept.marketing]
terms = ["data request"]
definition = "Asking the database for a list."

[[concept]]
id = "git-commit"
tags = ["version-control"]
cues = ["git", "repository", "branch"]
[concept.it]
terms = ["commit"]
definition = "A saved set of changes in version control."
[concept.marketing]
terms = ["saved change"]
definition = "One saved step of the code's history."

[[concept]]
id = "system-integration"
tags = ["integration"]
cues = ["api", "webhook", "connector"]
[concept.it]
terms = ["integration"]
definition = "Two systems connected so that data flows between them."
[concept.marketing]
terms = ["connected tools"]
definition = "Tools that share data without copying by hand."

[[concept]]
id = "marketing-attribution"
tags = ["analytics"]
cues = ["conversion", "campaign", "touchpoint"]
[concept.it]
terms = ["conversion credit"]
definition = "Crediting conversions to the campaigns that led to them."
[concept.marketing]
terms = ["attribution"]
definition = "Which campaigns get the credit for a sale."

[[concept]]
id = "sales-lead"
tags = ["sales"]
cues = ["crm", "prospect", "pipeline"]
[concept.it]
terms = ["lead record"]
definition = "A CRM row for a person who showed interest."
[concept.marketing]
terms = ["lead"]
definition = "A person who showed interest in buying."
"#;

fn matcher() -> Matcher {
    own_glossary::matcher("forms.toml", GLOSSARY)
}

fn has(m: &Matcher, text: &str, span: &str, concept: &str) -> bool {
    found(m, text)
        .iter()
        .any(|(t, c)| t == span && c == concept)
}

#[test]
fn a_noun_term_is_found_in_its_verb_forms_where_its_concept_is_near() {
    let m = matcher();
    for (text, span, concept) in [
        // Conversion: the noun is a regular verb of lemminflect's table.
        (
            "The nightly job queried every database table.",
            "queried",
            "database-query",
        ),
        (
            "Her script is querying the sales table in SQL.",
            "querying",
            "database-query",
        ),
        (
            "He committed the fix to the release branch.",
            "committed",
            "git-commit",
        ),
        // The noun's own text in a verb slot.
        (
            "Each report queries the orders table in the database.",
            "queries",
            "database-query",
        ),
        (
            "Please commit your change to the git repository.",
            "commit",
            "git-commit",
        ),
        // Derivation: a suffix undone to a verb of the table ("integration": "integrate").
        (
            "The connector integrates with their webhook API.",
            "integrates",
            "system-integration",
        ),
        (
            "We integrated the API with the billing system.",
            "integrated",
            "system-integration",
        ),
        (
            "You can attribute each conversion to a campaign.",
            "attribute",
            "marketing-attribution",
        ),
    ] {
        assert!(
            has(&m, text, span, concept),
            "{text:?}: {:?}",
            found(&m, text)
        );
    }
}

#[test]
fn an_everyday_use_of_the_verb_is_not_a_mention() {
    let m = matcher();
    for (text, span) in [
        // No cue nor other term of the concept in the sentence or the next.
        ("We are committed to answering every letter.", "committed"),
        (
            "She integrated into the new team within a week.",
            "integrated",
        ),
        ("They attribute their luck to hard work.", "attribute"),
        ("The guide queried whether we had eaten.", "queried"),
        // A derived form read as a noun is another word, cues or not.
        ("Each campaign row has a colour attribute.", "attribute"),
    ] {
        let hits = found(&m, text);
        assert!(!hits.iter().any(|(t, _)| t == span), "{text:?}: {hits:?}");
    }
}

#[test]
fn an_irregular_verb_is_a_word_of_its_own() {
    // "lead" inflects irregularly ("led"): English makes regular verbs of nouns, so the verb
    // is not the sales lead's act, whatever the CRM cues around it.
    let m = matcher();
    for (text, span) in [
        ("Our CRM prospects led us to a new pipeline.", "led"),
        ("Managers lead the CRM pipeline review.", "lead"),
    ] {
        let hits = found(&m, text);
        assert!(!hits.iter().any(|(t, _)| t == span), "{text:?}: {hits:?}");
    }
    let text = "Every new lead enters the CRM pipeline.";
    assert!(has(&m, text, "lead", "sales-lead"), "{:?}", found(&m, text));
}
