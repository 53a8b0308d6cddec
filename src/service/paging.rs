//! Browsing the glossary page by page, with opaque page tokens.
//!
//! A token is URL-safe base64 of `v1:<glossary version>:<filter hash>:<offset>`. It is only
//! meaningful for the glossary version and the filter (tag, query) it was issued for: a token
//! that does not decode, or that belongs to another version or filter, is `INVALID_ARGUMENT`
//! rather than a silently wrong page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::error::ServiceError;
use crate::glossary::{Concept, Glossary, Side};

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
    /// Only concepts whose id or a term contains this (case-insensitive); empty for all.
    pub query: &'a str,
}

/// One page.
#[derive(Debug)]
pub struct Page<'g> {
    /// The concepts of the page, in glossary order.
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
    let query = req.query.to_lowercase();
    let mut matching = glossary
        .concepts()
        .iter()
        .filter(|c| req.tag.is_empty() || c.tags.iter().any(|t| t == req.tag))
        .filter(|c| query.is_empty() || contains(c, &query))
        .skip(offset);
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

/// True when the concept's id or one of its terms contains `query` (already lower-cased).
fn contains(c: &Concept, query: &str) -> bool {
    c.id.contains(query)
        || Side::BOTH
            .iter()
            .flat_map(|&s| c.terms(s))
            .any(|t| t.text.to_lowercase().contains(query))
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
