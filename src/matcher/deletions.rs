//! The table of the SymSpell deletion index: which words have a deletion variant of a given
//! hash, read in one cache line.
//!
//! An entry is one `u32`: the word id in the low `id_bits`, a fragment of the variant's hash
//! above it. Entries are grouped by bucket (the variant hash's top 32 bits scaled to the
//! number of buckets), and bucket `b`'s run of entries starts in line `b` of the table when it
//! can: a line is 64 bytes, slot 0 a header (where in the line the run starts, and its length)
//! and 15 slots of entries. The table is filled to about 90%, so most runs lie in their own
//! line, and a look-up reads that one line where a directory and a separate array of entries
//! took two dependent cache misses. A run that does not fit continues into the next lines
//! (linear probing, in bucket order), which later buckets' runs then start after.
//! Built in place: a two-level counting sort packs the entries in bucket order into the table,
//! then the runs are spread to their places from the last one backwards.

use rustc_hash::FxHashMap;

use super::ids::WordId;
use super::lexicon::prefetch;

/// Entry slots per line (slot 0 is the header).
const DATA: usize = 15;
/// Header of a bucket whose run the header cannot place (see [`Table::far`]).
const FAR: u32 = u32::MAX;
/// Entries per line the table is sized for: 90% of [`DATA`].
const LOAD: f64 = 0.9 * DATA as f64;

/// One cache line: a header and [`DATA`] entries.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
struct Line([u32; 16]);

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct Table {
    /// One home line per bucket, then the lines runs may spill into.
    lines: Vec<Line>,
    buckets: usize,
    id_bits: u32,
    /// Runs whose start or length does not fit in 16 bits each: bucket → (first entry, length),
    /// entries counted over the data slots of all lines.
    far: FxHashMap<u32, (u32, u32)>,
}

/// An entry: word `id` below the low bits of `h` (as many as fit in 32 bits).
#[inline]
fn pack(h: u64, id: WordId, id_bits: u32) -> u32 {
    ((h << id_bits) as u32) | id
}

/// The bucket of hash `h` among `buckets`: its top 32 bits, scaled.
#[inline]
fn bucket(h: u64, buckets: usize) -> usize {
    (((h >> 32) * buckets as u64) >> 32) as usize
}

/// Slot `i` of the lines seen as one array.
#[inline]
fn flat(lines: &mut [Line], i: usize) -> &mut u32 {
    &mut lines[i / 16].0[i % 16]
}

/// The line of entry `d` (counted over data slots), and its slot in the line.
#[inline]
fn place(d: usize) -> (usize, usize) {
    (d / DATA, 1 + d % DATA)
}

/// The slot of entry `d` (counted over data slots) in the table's flat view.
#[inline]
fn slot(d: usize) -> usize {
    let (line, at) = place(d);
    line * 16 + at
}

impl Table {
    /// The table of the entries that `each` gives, each as `(hash, word id)` with ids below
    /// `words`. `each` is called twice and must give the same entries both times (the caller
    /// makes them again or holds them: `Index::build_deletions` holds them up to a bound, past
    /// which they would take more memory than the table).
    ///
    /// Memory besides the table while building: two bytes per entry, and eight per bucket.
    pub(crate) fn build(words: usize, each: impl Fn(&mut dyn FnMut(u64, WordId))) -> Table {
        assert!(words < 1 << 31, "too many words for 32-bit entries");
        let id_bits = (usize::BITS - words.leading_zeros()).max(1);
        // Pass 1: how many entries by the top 16 bits of their hash.
        let mut fine = vec![0u32; 1 << 16];
        each(&mut |h, _| fine[(h >> 48) as usize] += 1);
        let n = fine.iter().map(|&c| c as usize).sum::<usize>();
        if n == 0 {
            return Table {
                id_bits,
                ..Table::default()
            };
        }
        // Parts (the hash's top `part_bits` bits): at least 256, each of at most 2^16 buckets.
        let want = ((n as f64 / LOAD).ceil() as usize).max(1);
        let part_bits = (usize::BITS - (want >> 16).leading_zeros()).clamp(8, 16);
        let parts = 1usize << part_bits;
        // A multiple of the parts, so that no bucket takes entries of two parts.
        let buckets = want.div_ceil(parts) * parts;
        let per_part = buckets / parts;
        let bucket = |h: u64| bucket(h, buckets);
        let part = |h: u64| (h >> (64 - part_bits)) as usize;
        let mut part_at = vec![0u32; parts + 1];
        for (p, c) in fine.chunks(fine.len() / parts).enumerate() {
            part_at[p + 1] = part_at[p] + c.iter().sum::<u32>();
        }
        drop(fine);
        // The table, whose data slots first hold the entries packed in bucket order: placed
        // by a counting sort in two levels (into parts, whose write positions stay in cache,
        // then each part, a small region, by bucket), both stable.
        let spare = 64 + buckets / 256;
        let mut lines = vec![Line::default(); buckets + spare];
        let mut low = vec![0u16; n];
        let mut count = vec![0u32; buckets];
        {
            let mut fill = part_at.clone();
            each(&mut |h, id| {
                let at = &mut fill[part(h)];
                *flat(&mut lines, *at as usize) = pack(h, id, id_bits);
                low[*at as usize] = (bucket(h) % per_part) as u16;
                *at += 1;
            });
            let mut at = vec![0u32; per_part + 1];
            let mut run = Vec::new();
            for p in 0..parts {
                let (s, e) = (part_at[p] as usize, part_at[p + 1] as usize);
                at.fill(0);
                for &l in &low[s..e] {
                    at[usize::from(l) + 1] += 1;
                }
                for k in 0..per_part {
                    count[p * per_part + k] = at[k + 1];
                    at[k + 1] += at[k];
                }
                run.clear();
                run.extend((s..e).map(|i| *flat(&mut lines, i)));
                for (&entry, &l) in run.iter().zip(&low[s..e]) {
                    let k = usize::from(l);
                    *flat(&mut lines, s + at[k] as usize) = entry;
                    at[k] += 1;
                }
            }
        }
        drop(low);
        // Where each run goes: at its home line's first data slot, or right after the
        // previous run if that one reaches further.
        let mut start = vec![0u32; buckets];
        let mut end = 0usize;
        for b in 0..buckets {
            let s = end.max(b * DATA);
            start[b] = s as u32;
            end = s + count[b] as usize;
        }
        let needed = end.div_ceil(DATA).max(buckets);
        if needed > lines.len() {
            lines.resize(needed, Line::default());
        }
        // Spread the runs from the last: an entry only moves to a higher slot (entry `i` of
        // the packed order goes to data slot `start[b] + k >= i`, whose flat slot is higher
        // still), so every entry still to move lies below the slots written so far.
        let mut packed_end = n;
        for b in (0..buckets).rev() {
            let c = count[b] as usize;
            let packed = packed_end - c;
            for k in (0..c).rev() {
                let e = *flat(&mut lines, packed + k);
                *flat(&mut lines, slot(start[b] as usize + k)) = e;
            }
            packed_end = packed;
        }
        let mut far = FxHashMap::default();
        for b in 0..buckets {
            let shift = start[b] as usize - b * DATA;
            let c = count[b] as usize;
            lines[b].0[0] = if shift < 0xFFFF && c < 0xFFFF {
                (shift | c << 16) as u32
            } else {
                far.insert(b as u32, (start[b], c as u32));
                FAR
            };
        }
        // (The spare lines beyond are left: shrinking would copy the table.)
        lines.truncate(needed);
        Table {
            lines,
            buckets,
            id_bits,
            far,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Starts loading the home line of hash `h`'s bucket (see [`prefetch`]).
    #[inline]
    pub(crate) fn prefetch(&self, h: u64) {
        if let Some(line) = self.lines.get(bucket(h, self.buckets)) {
            prefetch(line);
        }
    }

    /// Calls `f` with the word id of every entry of hash `h`'s bucket whose fragment is `h`'s:
    /// every entry made with hash `h`, and (rarely) one of another hash.
    #[inline]
    pub(crate) fn each_match(&self, h: u64, mut f: impl FnMut(WordId)) {
        if self.lines.is_empty() {
            return;
        }
        let b = bucket(h, self.buckets);
        let head = self.lines[b].0[0];
        let shift = (head & 0xFFFF) as usize;
        // Where the run starts: line, slot; most runs start in their own line.
        let ((mut line, mut at), mut left) = if head == FAR {
            let (first, n) = self.far[&(b as u32)];
            (place(first as usize), n as usize)
        } else if shift < DATA {
            ((b, 1 + shift), (head >> 16) as usize)
        } else {
            (place(b * DATA + shift), (head >> 16) as usize)
        };
        let id_bits = self.id_bits;
        let want = pack(h, 0, id_bits);
        let id_mask = (1u32 << id_bits) - 1;
        while left > 0 {
            let take = left.min(16 - at);
            let slots = &self.lines[line].0;
            // The whole line compared at once (vectorised); the run's part of it again only
            // if some slot matches, which is rare.
            if slots
                .iter()
                .fold(false, |any, &e| any | (e & !id_mask == want))
            {
                for &e in &slots[at..at + take] {
                    if e & !id_mask == want {
                        f(e & id_mask);
                    }
                }
            }
            (line, at, left) = (line + 1, 1, left - take);
        }
    }

    /// Bytes held.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.lines.len() * 64 + self.far.len() * 12
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    fn mix(x: u64) -> u64 {
        let x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }

    /// Every entry made with a hash is found by it (as often as it was made), and whatever
    /// else is found is an entry of the same bucket and fragment.
    fn check(words: usize, entries: &[(u64, WordId)]) {
        let t = Table::build(words, |sink| {
            for &(h, id) in entries {
                sink(h, id);
            }
        });
        let id_bits = (usize::BITS - words.leading_zeros()).max(1);
        let place = |h: u64| (bucket(h, t.buckets), pack(h, 0, id_bits));
        let mut made: HashMap<u64, Vec<WordId>> = HashMap::new();
        let mut placed: HashSet<((usize, u32), WordId)> = HashSet::new();
        for &(h, id) in entries {
            made.entry(h).or_default().push(id);
            placed.insert((place(h), id));
        }
        for (&h, ids) in &made {
            let mut found = Vec::new();
            t.each_match(h, |i| found.push(i));
            for i in &found {
                assert!(placed.contains(&(place(h), *i)), "{i} found for {h:#x}");
            }
            let mut left: HashMap<WordId, isize> = HashMap::new();
            for &id in ids {
                *left.entry(id).or_default() += 1;
            }
            for i in &found {
                *left.entry(*i).or_default() -= 1;
            }
            for (id, n) in left {
                assert!(n <= 0, "{h:#x} {id}: {n} not found");
            }
        }
    }

    #[test]
    fn an_empty_table_finds_nothing() {
        let t = Table::build(10, |_| {});
        assert!(t.is_empty());
        t.each_match(42, |_| panic!("found something"));
    }

    #[test]
    fn a_full_table_finds_every_entry() {
        // 100,000 entries over 40,000 words: runs spill into the next lines.
        let entries: Vec<(u64, WordId)> = (0..100_000u64)
            .map(|i| (mix(i / 3), (i % 40_000) as WordId))
            .collect();
        check(40_000, &entries);
        // Close to the size it is built for: 85% of 15 entries per line of 64 bytes.
        let t = Table::build(40_000, |sink| {
            for &(h, id) in &entries {
                sink(h, id);
            }
        });
        assert!(t.bytes() < entries.len() * 64 / 12, "{} bytes", t.bytes());
    }

    #[test]
    fn a_bucket_too_long_for_its_header_is_found_by_the_side_table() {
        let mut entries: Vec<(u64, WordId)> = (0..66_000u32).map(|i| (7 << 40, i)).collect();
        entries.extend((0..1_000u64).map(|i| (mix(i), i as WordId)));
        check(66_000, &entries);
        let t = Table::build(66_000, |sink| {
            for &(h, id) in &entries {
                sink(h, id);
            }
        });
        // That bucket's length, and the shift of the buckets after it, need the side table.
        assert!(!t.far.is_empty());
    }

    proptest! {
        #[test]
        fn finds_what_was_put(
            raw in prop::collection::vec((0u64..400, 0u32..300), 0..600),
            spread in any::<bool>(),
        ) {
            // Few distinct hashes (many entries per bucket) or well spread ones.
            let entries: Vec<(u64, WordId)> = raw
                .into_iter()
                .map(|(h, id)| (if spread { mix(h) } else { mix(h % 7) }, id))
                .collect();
            check(300, &entries);
        }
    }
}
