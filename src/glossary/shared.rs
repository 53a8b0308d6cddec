//! Terms two concepts share, and what a glossary editor should make of them.
//!
//! Sharing a term is often deliberate: a **false friend** ("pipeline" on the IT side of one
//! concept and the marketing side of another) is the glossary's most valuable entry, and an
//! ambiguous word whose concepts carry `cues` ("target") is resolved by them. But the same term
//! on the same side of two concepts without cues is usually a duplicate concept ("NPS" added as
//! `nps` beside `net-promoter-score`), and the matcher can only guess between them. Edits and
//! `broker glossary check` report such terms as warnings worded for the editor; nothing is
//! refused.

use std::fmt;

use super::{Concept, Glossary, Side};

/// A term of one concept that another concept also has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedTerm {
    /// The concept being looked at.
    pub id: String,
    /// The term, as that concept writes it.
    pub term: String,
    /// Its side in that concept.
    pub side: Side,
    /// The other concept.
    pub other_id: String,
    /// The term's side in the other concept.
    pub other_side: Side,
    /// Both concepts list `cues`, so the matcher can tell the senses apart.
    pub disambiguated: bool,
}

impl SharedTerm {
    /// True for a false friend: the two concepts have the term on different sides.
    pub fn is_false_friend(&self) -> bool {
        self.side != self.other_side
    }

    /// True when an editor should look at it: the same side of two concepts without cues on
    /// both (a likely duplicate, or an ambiguity broker cannot resolve).
    pub fn needs_attention(&self) -> bool {
        !self.is_false_friend() && !self.disambiguated
    }
}

impl fmt::Display for SharedTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = side_name(self.side);
        let other = side_name(self.other_side);
        write!(
            f,
            "concept '{}': {side} term '{}' is also {} {other} term of '{}'",
            self.id,
            self.term,
            if self.other_side == Side::It {
                "an"
            } else {
                "a"
            },
            self.other_id
        )?;
        if self.is_false_friend() {
            write!(
                f,
                ": a false friend, which is fine when both senses are real (broker tells each \
                 reader which sense is meant)"
            )
        } else if self.disambiguated {
            write!(f, ": both concepts have cues, which decide between them")
        } else {
            write!(
                f,
                ": if both mean the same, merge them into one concept; if the word has two \
                 senses, give each concept `cues` so broker can tell them apart"
            )
        }
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::It => "IT",
        Side::Marketing => "marketing",
    }
}

/// A term as compared between concepts: lower case, any dash as a space, one space between
/// words (the matcher treats these forms as one term, SPEC §3).
pub(crate) fn term_key(term: &str) -> String {
    term.split(|c: char| c.is_whitespace() || super::is_dash(c))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every term of `concept` that another (non-draft) concept of `glossary` also has, in the
/// order of `concept`'s terms. `concept` itself (by id) is skipped in `glossary`.
pub fn shared_terms(glossary: &Glossary, concept: &Concept) -> Vec<SharedTerm> {
    let mut out = Vec::new();
    for side in Side::BOTH {
        for term in concept.terms(side) {
            let key = term_key(&term.text);
            for other in glossary.concepts() {
                if other.id == concept.id || other.draft {
                    continue;
                }
                for other_side in Side::BOTH {
                    if other
                        .terms(other_side)
                        .iter()
                        .any(|t| term_key(&t.text) == key)
                    {
                        out.push(SharedTerm {
                            id: concept.id.clone(),
                            term: term.text.clone(),
                            side,
                            other_id: other.id.clone(),
                            other_side,
                            disambiguated: !concept.cues.is_empty() && !other.cues.is_empty(),
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::{SideEntry, Source, Term};

    fn concept(id: &str, it: &[&str], marketing: &[&str], cues: &[&str]) -> Concept {
        let side = |terms: &[&str]| {
            (!terms.is_empty()).then(|| SideEntry {
                terms: terms.iter().map(|t| Term::new(*t)).collect(),
                definition: "Something.".into(),
            })
        };
        Concept {
            id: id.into(),
            it: side(it),
            marketing: side(marketing),
            cues: cues.iter().map(|c| c.to_string()).collect(),
            ..Concept::default()
        }
    }

    #[test]
    fn same_side_without_cues_needs_attention_and_false_friends_do_not() {
        let g = Glossary::from_concepts(
            vec![
                concept(
                    "net-promoter-score",
                    &[],
                    &["NPS", "net promoter score"],
                    &[],
                ),
                concept(
                    "ci-pipeline",
                    &["pipeline"],
                    &["release process"],
                    &["deploy"],
                ),
            ],
            Source::Embedded,
        )
        .unwrap();
        let nps = concept(
            "nps",
            &["recommendation score"],
            &["nps", "Net-Promoter score"],
            &[],
        );
        let found = shared_terms(&g, &nps);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(SharedTerm::needs_attention));
        let text = found[0].to_string();
        assert!(
            text.starts_with("concept 'nps': marketing term 'nps' is also a marketing term of 'net-promoter-score': if both mean the same, merge them"),
            "{text}"
        );
        let sales = concept("sales-pipeline", &[], &["pipeline"], &["deal"]);
        let found = shared_terms(&g, &sales);
        assert_eq!(found.len(), 1);
        assert!(found[0].is_false_friend() && !found[0].needs_attention());
        assert!(
            found[0].to_string().contains("false friend"),
            "{}",
            found[0]
        );
        // The concept itself does not count (a replace of an existing concept).
        assert!(shared_terms(&g, &g.concepts()[0].clone()).is_empty());
    }

    #[test]
    fn loading_warns_once_per_shared_term_at_its_line() {
        let text = "[[concept]]\nid = \"net-promoter-score\"\n[concept.marketing]\nterms = [\"NPS\"]\ndefinition = \"d\"\n\n[[concept]]\nid = \"nps\"\n[concept.marketing]\nterms = [\"nps\", \"score\"]\ndefinition = \"d\"\n[concept.it]\nterms = [\"NPS\"]\ndefinition = \"d\"\n";
        let g = Glossary::from_files(&[("a.toml".into(), text.into())], Source::Memory).unwrap();
        let w: Vec<String> = g.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("a.toml:10: concept 'nps': marketing term 'nps'"),
            "{w:?}"
        );
    }
}
