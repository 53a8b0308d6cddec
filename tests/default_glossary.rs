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

/// The concept of the first annotation whose text is `word` (any case), read with the embedded
/// glossary for both readers; `None` when the word gets no annotation.
fn sense_of(matcher: &Matcher, word: &str, text: &str) -> Option<String> {
    let req = TranslateRequest {
        text: text.to_string(),
        format: Format::None,
        ..TranslateRequest::default()
    };
    let resp = translate(matcher, &req).expect("a valid request");
    resp.annotations
        .iter()
        .find(|a| a.text.eq_ignore_ascii_case(word))
        .map(|a| a.concept_id.clone())
}

/// Asserts each `(word, text, concept)` case, listing every case that fails.
fn check_senses(cases: &[(&str, &str, Option<&str>)]) {
    let matcher = Matcher::new(Arc::new(Glossary::embedded()));
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(word, text, want)| {
            let got = sense_of(&matcher, word, text);
            (got.as_deref() != want)
                .then(|| format!("{word:?}: got {got:?}, want {want:?} in {text:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Work words in their everyday sense, in the kinds of text broker reads (handbooks, runbooks,
/// case studies, reviews): no reader needs a note, so none is given. Written from the rules of
/// glossary/README.md ("Writing a concept so that its senses can be told apart"): everyday
/// senses as common-knowledge concepts, cues that name a field, names and fixed compounds.
#[test]
fn everyday_senses_of_work_words_get_no_note() {
    check_senses(&[
        (
            "engagement",
            "The consulting engagement with the client ran for six months and ended with a \
             handover workshop.",
            None,
        ),
        (
            "engagement",
            "Field marketing handbook. Executive engagement tactics: dinners with a customer's \
             executives, briefings at our headquarters and invitations to our user conference \
             keynote.",
            None,
        ),
        (
            "engagement",
            "Incident review template. Customer engagement: who spoke to the affected customer, \
             through which point of contact, and what they were told.",
            None,
        ),
        (
            "go live",
            "Blog workflow. Once the editor approves the draft, schedule the post; it will go \
             live on the site at 9am on the chosen day and be shared on social media.",
            None,
        ),
        (
            "regression",
            "Marketing mix modelling. We ran a regression of weekly sales on spend per channel \
             to estimate the return on each channel.",
            None,
        ),
        (
            "tag",
            "Outages runbook. When a deploy breaks production, post in the #incidents channel \
             on Slack, tag the release manager and the on-call engineer, and roll back to the \
             previous version.",
            None,
        ),
        (
            "contact",
            "Sales playbook. Before the first call, check the CRM for any previous contact with \
             the account, such as a webinar visit or a support ticket.",
            None,
        ),
        (
            "stories",
            "At the user conference, customers shared stories and lessons learned about rolling \
             the product out across their teams.",
            None,
        ),
        (
            "stack",
            "Community. Answer questions on Stack Overflow and in the forum within two days.",
            None,
        ),
        (
            "tags",
            "Booth checklist: banners, price tags for the swag shop and name tags for the staff.",
            None,
        ),
        (
            "macro",
            "Quarterly review. The macro environment makes buyers cautious, so deals take \
             longer to close.",
            None,
        ),
        (
            "platform",
            "Launch post. Our open-source platform now runs as a hosted SaaS offering as well, \
             with the same features for every customer.",
            None,
        ),
        (
            "account",
            "Please take into account that the office is closed on Friday.",
            None,
        ),
        (
            "stage",
            "At this stage of the project we only need a rough estimate.",
            None,
        ),
        (
            "signal",
            "A rising error rate is a signal that the deployment should be rolled back.",
            None,
        ),
        (
            "sync",
            "Let's sync on Thursday about the launch plan.",
            None,
        ),
        (
            "feature",
            "The article will feature three of our customers.",
            None,
        ),
        (
            "checkout",
            "Hotel checkout is at 11am on the last day of the summit.",
            None,
        ),
        (
            "sprint",
            "The team did a sprint to finish the deck before the board meeting.",
            None,
        ),
        (
            "persona",
            "His public persona is very different from how he is in meetings.",
            None,
        ),
        (
            "tickets",
            "Early bird tickets for the summit go on sale Monday; ticket sales close a week \
             before.",
            None,
        ),
    ]);
}

/// A word shared by several fields takes the sense of the field its text is in: a vendor's
/// login is a user account, the releases a social-media plan posts are new versions, a
/// database that runs out of connections is a database, a trigger that starts a function is
/// the IT trigger, and each word's other sense keeps its own texts.
#[test]
fn shared_work_words_take_the_sense_of_their_field() {
    check_senses(&[
        (
            "account",
            "Changelog 4.2. Added an SMS channel through Twilio: enter the account SID and auth \
             token from your Twilio account under Settings.",
            Some("user-account"),
        ),
        (
            "account",
            "CRM handbook. Log in to your Salesforce account with SSO, open the opportunity, and \
             update the close date and the amount before the forecast call.",
            Some("user-account"),
        ),
        (
            "account",
            "Account plan. For each strategic account, the account executive lists the buying \
             committee, open opportunities and the renewal date.",
            Some("b2b-account"),
        ),
        (
            "releases",
            "Social media plan. We announce major releases with a blog post and a tweet thread; \
             new releases also get a line in the monthly newsletter.",
            Some("software-release"),
        ),
        (
            "release",
            "Press and social. For the funding announcement, the release goes to journalists \
             under embargo and to the newswire at 6am.",
            Some("press-release"),
        ),
        (
            "events",
            "Social media plan. We publish three posts a week on LinkedIn and stream our monthly \
             community call on YouTube. Topics: product news, tutorials, and events where the \
             team speaks.",
            Some("marketing-event"),
        ),
        (
            "event",
            "Each event carries a timestamp, a user ID and a JSON payload with its properties.",
            Some("software-event"),
        ),
        (
            "database",
            "Postmortem. At 14:02 the primary database ran out of connections and the API \
             returned errors for 12 minutes. We raised the pool size and added an alert on \
             connection count.",
            Some("database"),
        ),
        (
            "database",
            "Email marketing handbook. Keep the database clean: remove hard bounces after every \
             send, and sunset subscribers who have not opened an email in six months.",
            Some("contact-database"),
        ),
        (
            "triggers",
            "RFC: step functions. A wait step pauses a run until a matching event arrives; the \
             runtime stores such triggers in Redis with an expiry, and a worker resumes the \
             function when one fires.",
            Some("database-trigger"),
        ),
        (
            "trigger",
            "Lifecycle email playbook. Each trigger sends a message when a customer does \
             something: signs up, abandons a cart, or has not logged in for 30 days.",
            Some("triggered-message"),
        ),
        (
            "engagement",
            "Social media report. Engagement rose 40% this month: likes, comments and shares all \
             grew after we started posting short videos.",
            Some("engagement"),
        ),
        (
            "regression",
            "QA notes. The 3.1 update introduced a regression: exports that worked in 3.0 now \
             fail, so we are shipping a fix today.",
            Some("regression"),
        ),
        (
            "go live",
            "The new checkout service will go live after the deployment on Friday.",
            Some("deployment"),
        ),
        (
            "tag",
            "Ticket: the Google Optimize tag is missing on the new sign-up domain, so the A/B \
             test does not load there.",
            Some("tracking-pixel"),
        ),
        (
            "benchmark",
            "Engineering blog. The benchmark shows the new engine answers 40,000 requests per \
             second on four cores, twice as fast as the old one.",
            Some("performance-benchmark"),
        ),
        (
            "contact",
            "CRM docs. Each contact has an owner, a lifecycle stage and the company it belongs \
             to; merge duplicate contacts before a campaign.",
            Some("customer-profile"),
        ),
        (
            "query",
            "Engineering notes. The user query that lists recent orders takes two seconds, so \
             we will add an index on the orders table.",
            Some("database-query"),
        ),
        (
            "pipelines",
            "Outage notice. Some users' pipelines failed to run last night because the scheduler \
             was down; no data was lost, and the runs were retried this morning.",
            Some("etl"),
        ),
        (
            "target",
            "Campaign brief. Our target is operations managers at logistics companies; the ads \
             and the persona speak to them.",
            Some("target-audience"),
        ),
        (
            "package",
            "Pricing page. The enterprise package includes SSO, audit logs and a dedicated \
             success manager, billed per year.",
            Some("product-bundle"),
        ),
        (
            "package",
            "Install the package with npm and import it in your build.",
            Some("software-package"),
        ),
        (
            "sprint",
            "The team commits to six user stories in each two-week sprint and demos them at the \
             end.",
            Some("sprint"),
        ),
        (
            "social media monitoring",
            "Our social media monitoring picked up 300 brand mentions after the launch.",
            Some("social-listening"),
        ),
        (
            "pixels",
            "Export the logo at 512 by 512 pixels for the app store.",
            Some("display-pixel"),
        ),
    ]);
}
