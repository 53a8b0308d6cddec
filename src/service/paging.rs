//! Browsing the glossary page by page, with opaque page tokens.
//!
//! A token is URL-safe base64 of `v1:<glossary version>:<filter hash>:<offset>`. It is only
//! meaningful for the glossary version and the filter (tag, query) it was issued for: a token
//! that does not decode, or that belongs to another version or filter, is `INVALID_ARGUMENT`
//! rather than a silently wrong page.
//!
//! With a `query`, the page is a search: concepts whose id, a term or a definition contains the
//! query, best matches first (see [`Rank`]); without one, glossary order.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::error::ServiceError;
use crate::glossary::{is_dash, Concept, Glossary, Side};

/// `page_size` when the request leaves it at 0.
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// The largest page; bigger requests are served this many.
pub const MAX_PAGE_SIZE: usize = 1000;

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct PageRequest<'a> {
    /// 0 for the default.
    pub page_size: usize,
    /// Empty for the first page.
    pub page_token: &'a str,
    /// Only concepts with this tag; empty for all.
    pub tag: &'a str,
    /// Only concepts whose id, a term or a definition contains this (case-insensitive, a dash
    /// counting as a space), best matches first; empty for all, in glossary order.
    pub query: &'a str,
}

/// One page.
#[derive(Debug)]
pub struct Page<'g> {
    /// The concepts of the page: in glossary order, or best match first for a query.
    pub concepts: Vec<&'g Concept>,
    /// The next page's token; empty on the last page.
    pub next_page_token: String,
}

/// The page of `glossary` that `req` asks for.
///
/// # Errors
/// `INVALID_ARGUMENT` naming `page_token` for a token that is garbage or belongs to another
/// glossary version or filter.
pub fn list<'g>(glossary: &'g Glossary, req: &PageRequest<'_>) -> Result<Page<'g>, ServiceError> {
    let filter = filter_hash(req.tag, req.query);
    let offset = if req.page_token.is_empty() {
        0
    } else {
        decode(req.page_token, glossary.version(), &filter)?
    };
    let size = match req.page_size {
        0 => DEFAULT_PAGE_SIZE,
        n => n.min(MAX_PAGE_SIZE),
    };
    let query = fold(req.query);
    let tagged = glossary
        .concepts()
        .iter()
        .filter(|c| req.tag.is_empty() || c.tags.iter().any(|t| t == req.tag));
    let found: Vec<&Concept> = if query.is_empty() {
        tagged.collect()
    } else {
        let mut ranked: Vec<(Rank, &Concept)> = tagged
            .filter_map(|c| Some((Rank::of(c, &query)?, c)))
            .collect();
        // Stable: equal ranks keep glossary order, so pages are the same on every call.
        ranked.sort_by_key(|&(rank, _)| rank);
        ranked.into_iter().map(|(_, c)| c).collect()
    };
    let mut matching = found.into_iter().skip(offset);
    let concepts = matching.by_ref().take(size).collect::<Vec<_>>();
    let next_page_token = if matching.next().is_some() {
        encode(glossary.version(), &filter, offset + concepts.len())
    } else {
        String::new()
    };
    Ok(Page {
        concepts,
        next_page_token,
    })
}

/// How well a concept matches a search query; the smaller, the better. Compared field by
/// field: how the query meets a name, then whether it ends on a word boundary there, then
/// whether the name is a preferred term, then the name's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    how: Match,
    /// The query stops inside a word of the name ("pipe" in "pipeline").
    mid_word: bool,
    /// The name is not the first (preferred) term of its side: an alias, or the id.
    alias: bool,
    /// The name's length in bytes: the shorter, the closer to the query.
    len: usize,
}

/// Where the query occurs, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    /// The whole name is the query.
    Exact,
    /// The name starts with the query.
    Prefix,
    /// A later word of the name starts with the query.
    WordPrefix,
    /// The query is inside a word of the name.
    Substring,
    /// Only a definition holds the query.
    Definition,
}

impl Rank {
    /// The concept's best match for `query` (folded), or `None` when nothing holds it.
    fn of(c: &Concept, query: &str) -> Option<Rank> {
        let id = fold(&c.id);
        let names = Side::BOTH
            .iter()
            .flat_map(|&s| c.terms(s).iter().enumerate())
            .map(|(i, t)| (fold(&t.text), i > 0))
            .chain(std::iter::once((id, true)));
        let best = names
            .filter_map(|(name, alias)| Rank::name(&name, query, alias))
            .min();
        best.or_else(|| {
            Side::BOTH
                .iter()
                .filter_map(|&s| c.side(s))
                .any(|e| fold(&e.definition).contains(query))
                .then_some(Rank {
                    how: Match::Definition,
                    mid_word: true,
                    alias: true,
                    len: 0,
                })
        })
    }

    /// How `query` meets one name (both folded).
    fn name(name: &str, query: &str, alias: bool) -> Option<Rank> {
        let rank = |how, at: usize| Rank {
            how,
            mid_word: !(name[at + query.len()..].is_empty()
                || name[at + query.len()..].starts_with(' ')),
            alias,
            len: name.len(),
        };
        if name == query {
            return Some(rank(Match::Exact, 0));
        }
        let mut best: Option<Rank> = None;
        for (at, _) in name.match_indices(query) {
            let how = if at == 0 {
                Match::Prefix
            } else if name[..at].ends_with(' ') {
                Match::WordPrefix
            } else {
                Match::Substring
            };
            let r = rank(how, at);
            best = Some(best.map_or(r, |b| b.min(r)));
        }
        best
    }
}

/// Lower case, every dash a space, runs of spaces one space, no space at either end.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| c.is_whitespace() || is_dash(c))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

fn filter_hash(tag: &str, query: &str) -> String {
    let mut h = Sha256::new();
    h.update(tag.as_bytes());
    h.update([0]);
    h.update(query.to_lowercase().as_bytes());
    h.finalize()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn encode(version: &str, filter: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{version}:{filter}:{offset}"))
}

fn decode(token: &str, version: &str, filter: &str) -> Result<usize, ServiceError> {
    let garbage = || ServiceError::invalid("page_token", "not a page token issued by this server");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| garbage())?;
    let text = String::from_utf8(bytes).map_err(|_| garbage())?;
    let mut parts = text.split(':');
    let (Some("v1"), Some(v), Some(f), Some(offset), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(garbage());
    };
    let offset = offset.parse().map_err(|_| garbage())?;
    if v != version {
        return Err(ServiceError::invalid(
            "page_token",
            "the glossary changed since this token was issued; list again from the first page",
        ));
    }
    if f != filter {
        return Err(ServiceError::invalid(
            "page_token",
            "this token was issued for a different tag or query",
        ));
    }
    Ok(offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::{SideEntry, Source};

    fn glossary(n: usize) -> Glossary {
        let concepts = (0..n)
            .map(|i| Concept {
                id: format!("c{i:02}"),
                tags: vec![if i % 2 == 0 { "even" } else { "odd" }.into()],
                it: Some(SideEntry {
                    terms: vec![format!("Term {i}").as_str().into()],
                    definition: "d".into(),
                }),
                ..Concept::default()
            })
            .collect();
        Glossary::from_concepts(concepts, Source::Memory).unwrap()
    }

    fn ids(p: &Page<'_>) -> Vec<String> {
        p.concepts.iter().map(|c| c.id.clone()).collect()
    }

    #[test]
    fn pages_cover_everything_once() {
        let g = glossary(7);
        let mut token = String::new();
        let mut seen = Vec::new();
        loop {
            let req = PageRequest {
                page_size: 3,
                page_token: &token,
                ..PageRequest::default()
            };
            let page = list(&g, &req).unwrap();
            seen.extend(ids(&page));
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        assert_eq!(seen, (0..7).map(|i| format!("c{i:02}")).collect::<Vec<_>>());
    }

    fn concept(id: &str, it: &[&str], definition: &str, marketing: &[&str]) -> Concept {
        let side = |terms: &[&str]| SideEntry {
            terms: terms.iter().map(|&t| t.into()).collect(),
            definition: definition.into(),
        };
        Concept {
            id: id.into(),
            it: Some(side(it)),
            marketing: (!marketing.is_empty()).then(|| side(marketing)),
            ..Concept::default()
        }
    }

    /// A query lists the best matches first: the whole term, a term's start, a word's start,
    /// inside a word, then definitions; ties go to the preferred term, then the shorter one,
    /// then glossary order.
    #[test]
    fn a_query_ranks_by_match_quality() {
        let g = Glossary::from_concepts(
            vec![
                concept(
                    "database-trigger",
                    &["trigger", "pipeline trigger"],
                    "Runs on a change.",
                    &[],
                ),
                concept("plumbing", &["bagpipe"], "Wind instrument.", &[]),
                concept("water", &["faucet"], "Where the pipe ends.", &[]),
                concept(
                    "deal-stage",
                    &["deal stage", "pipeline stage"],
                    "A step.",
                    &[],
                ),
                concept(
                    "sales-pipeline",
                    &["sales funnel"],
                    "Deals.",
                    &["pipeline", "sales pipeline"],
                ),
                concept(
                    "ci-pipeline",
                    &["pipeline", "CI/CD pipeline"],
                    "Builds.",
                    &["release process"],
                ),
                concept("pipe", &["Pipe"], "A Unix pipe.", &[]),
                concept("data-pipe", &["data pipe"], "Moves data.", &[]),
                concept("unrelated", &["latency"], "Time to answer.", &[]),
            ],
            Source::Memory,
        )
        .unwrap();
        let search = |query| {
            ids(&list(
                &g,
                &PageRequest {
                    query,
                    ..PageRequest::default()
                },
            )
            .unwrap())
        };
        assert_eq!(
            search("pipe"),
            [
                "pipe",             // exact
                "sales-pipeline",   // start of a preferred term (glossary order among equals)
                "ci-pipeline",      //
                "deal-stage",       // start of an alias, shorter
                "database-trigger", // start of an alias, longer
                "data-pipe",        // start of a later word
                "plumbing",         // inside a word
                "water",            // only the definition
            ]
        );
        // Case and dashes do not matter; an id counts as a name.
        assert_eq!(search("PIPELINE-Trigger"), ["database-trigger"]);
        assert_eq!(search("ci pipe")[0], "ci-pipeline");
        assert!(search("nothing like it").is_empty());
    }

    #[test]
    fn filters_and_bad_tokens() {
        let g = glossary(6);
        let req = PageRequest {
            tag: "odd",
            query: "TERM",
            ..PageRequest::default()
        };
        assert_eq!(ids(&list(&g, &req).unwrap()), ["c01", "c03", "c05"]);
        let req = PageRequest {
            query: "c04",
            ..PageRequest::default()
        };
        assert_eq!(ids(&list(&g, &req).unwrap()), ["c04"]);

        let first = list(
            &g,
            &PageRequest {
                page_size: 2,
                ..PageRequest::default()
            },
        )
        .unwrap();
        let other_filter = PageRequest {
            page_token: &first.next_page_token,
            tag: "odd",
            ..PageRequest::default()
        };
        let err = list(&g, &other_filter).unwrap_err();
        assert!(err.to_string().starts_with("page_token: "), "{err}");
        let other_version = PageRequest {
            page_token: &first.next_page_token,
            ..PageRequest::default()
        };
        let err = list(&glossary(5), &other_version).unwrap_err();
        assert!(err.to_string().contains("glossary changed"), "{err}");
        for garbage in ["!!", "abc", &URL_SAFE_NO_PAD.encode("v1:x:y")] {
            let req = PageRequest {
                page_token: garbage,
                ..PageRequest::default()
            };
            assert!(list(&g, &req).is_err(), "{garbage}");
        }
    }
}
