//! Typed ids of the compiled index: each is a number into one of its tables, typed so that one
//! kind is never used for another, with `Option` (not a sentinel value) where there may be none.

/// A word of the vocabulary: the folded words of every term, numbered as they enter the
/// lexicon (a word's lexicon id is its `WordId`).
pub(crate) type WordId = u32;

/// A glossary term's number in a compiled matcher: which form of which term of which
/// concept and side. Meaningful only with the matcher that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermId(pub(crate) u32);

impl TermId {
    /// The id of the `i`-th term.
    pub(crate) fn new(i: usize) -> TermId {
        TermId(i as u32)
    }

    /// Its place in the index's term table.
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A concept's number in a compiled matcher: its place in the glossary's concept list.
/// Meaningful only with the glossary the matcher was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ConceptId(u32);

impl ConceptId {
    /// The id of the `i`-th concept.
    pub(crate) fn new(i: usize) -> ConceptId {
        ConceptId(i as u32)
    }

    /// Its place in the glossary's concept list (and in tables kept per concept).
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

impl std::ops::Index<ConceptId> for [crate::glossary::Concept] {
    type Output = crate::glossary::Concept;

    fn index(&self, c: ConceptId) -> &crate::glossary::Concept {
        &self[c.index()]
    }
}

/// A lexicon id where there may be none, in four bytes: `Option<LexId>` is the size of a
/// `u32` (the bits are stored inverted, so that the unused id `u32::MAX` is the niche), which
/// keeps the per-token and memo tables of the finder as small as bare ids with a sentinel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LexId(std::num::NonZeroU32);

impl LexId {
    /// Lexicon id `l` (`None` only for `u32::MAX`, which no lexicon reaches).
    pub(crate) fn new(l: u32) -> Option<LexId> {
        std::num::NonZeroU32::new(!l).map(LexId)
    }

    /// The id.
    pub(crate) fn get(self) -> u32 {
        !self.0.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maybe_absent_lexicon_id_takes_four_bytes() {
        assert_eq!(std::mem::size_of::<Option<LexId>>(), 4);
        for l in [0, 1, 12_345, u32::MAX - 1] {
            assert_eq!(LexId::new(l).map(LexId::get), Some(l));
        }
        assert_eq!(LexId::new(u32::MAX), None);
    }
}
