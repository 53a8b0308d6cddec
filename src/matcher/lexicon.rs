//! A compact string table: the matcher's one probe per token.
//!
//! Every token of a text is looked up once; most are ordinary English words that no term
//! uses, so a miss must be cheap. [`StrTable`] is open addressing with a control byte per
//! slot (7 bits of the key's hash, or 0 for empty) beside the slots' key ids, probed eight
//! control bytes at a time (as SwissTable does, with word-sized bit tricks): a miss usually
//! reads one word of an array small enough to stay in cache, and never touches a key; a hit
//! compares the key once. Tables fill to 7/8. Keys live in one byte arena.
//! Beside it: [`WordSet`], a membership set of words as 16-byte keys in two-choice cuckoo
//! buckets of one cache line (the common-word guard and the everyday-word list: one miss per
//! test); [`Bloom`], a blocked Bloom filter (the wanted filters); [`hash_str`], the one string
//! hash of all three (strings up to 8 bytes hash as their zero-padded word, which the tokenizer
//! computes in registers); [`prefetch`], the crate's one `unsafe` block (a cache-line prefetch
//! hint, which cannot fault: `fuzzy_words` asks for the deletion table's lines of all of a word's
//! variants before reading any, so their misses overlap).

const K0: u64 = 0x9E37_79B9_7F4A_7C15;
const K1: u64 = 0xBF58_476D_1CE4_E5B9;

#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let m = u128::from(a) * u128::from(b);
    (m as u64) ^ ((m >> 64) as u64)
}

/// A fast hash of a short byte string: 8-byte words mixed by multiply-folding; the tail is
/// read with (possibly overlapping) loads rather than copied, as wyhash does. A string of up
/// to 8 bytes hashes as its bytes in a little-endian word, zero-padded ([`hash_padded`]).
#[inline]
pub(crate) fn hash_str(s: &[u8]) -> u64 {
    let n = s.len();
    if n <= 8 {
        return hash_padded(padded(s), n);
    }
    let mut h = (n as u64).wrapping_mul(K0);
    let mut k = 0;
    while k + 8 < n {
        h = fold(h ^ r8(s, k), K1);
        k += 8;
    }
    fold(fold(h ^ r8(s, n - 8), K1), K0)
}

/// The bytes of `s` (at most 8) in a little-endian word, zeros above: read with overlapping
/// loads (a byte read twice lands on the same place both times), no byte loop.
#[inline(always)]
fn padded(s: &[u8]) -> u64 {
    let n = s.len();
    match n {
        0 => 0,
        1..=3 => {
            u64::from(s[0])
                | u64::from(s[n / 2]) << (8 * (n / 2))
                | u64::from(s[n - 1]) << (8 * (n - 1))
        }
        _ => u64::from(r4(s, 0)) | u64::from(r4(s, n - 4)) << (8 * (n - 4)),
    }
}

/// [`hash_str`] of a string of `n` bytes, 8 < `n` < 16, given as `lo`, its first 8 bytes,
/// and `hi`, the rest (little-endian, zeros above).
#[inline(always)]
pub(crate) fn hash_padded16(lo: u64, hi: u64, n: usize) -> u64 {
    let h = fold((n as u64).wrapping_mul(K0) ^ lo, K1);
    // The last 8 bytes, as `hash_str` reads them.
    let k = 8 * (n - 8);
    let tail = (lo >> k) | (hi << (64 - k));
    fold(fold(h ^ tail, K1), K0)
}

/// [`hash_str`] of a string of `n` ≤ 8 bytes given as `padded`: its bytes, little-endian,
/// and zeros above.
#[inline(always)]
pub(crate) fn hash_padded(padded: u64, n: usize) -> u64 {
    fold(fold((n as u64).wrapping_mul(K0) ^ padded, K1), K0)
}

/// Asks the CPU to start loading the cache line of `r` and goes on without waiting: a few
/// look-ups whose keys are known ahead (the deletions of one word, the words of a text) then
/// wait for memory once, together, rather than one after the other.
#[inline(always)]
pub(crate) fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it reads nothing the program sees, cannot fault, and
    // needs SSE, which every x86_64 processor has.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((r as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}

/// The eight bytes of `s` at `k`, little-endian.
#[inline(always)]
pub(crate) fn r8(s: &[u8], k: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&s[k..k + 8]);
    u64::from_le_bytes(a)
}

#[inline(always)]
fn r4(s: &[u8], k: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&s[k..k + 4]);
    u32::from_le_bytes(a)
}

/// `a == b`, inline for the short keys of a lexicon (word-sized loads instead of a call to
/// `memcmp`).
#[inline]
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => r4(a, 0) == r4(b, 0) && r4(a, n - 4) == r4(b, n - 4),
        8..=16 => r8(a, 0) == r8(b, 0) && r8(a, n - 8) == r8(b, n - 8),
        _ => a == b,
    }
}

/// A key of up to 7 bytes packed in a `u64` (its bytes, then its length in the top byte);
/// [`LONG`] for longer keys, which are compared in the arena.
#[inline]
pub(crate) fn inline_key(s: &[u8]) -> u64 {
    let n = s.len();
    if n > 7 {
        return LONG;
    }
    padded(s) | (n as u64) << 56
}

/// A key of up to 15 bytes packed in two `u64`s: `(inline_key, LONG)` up to 7 bytes, else
/// the first 8 bytes and the [`inline_key`] of the rest; `None` for longer keys.
#[inline]
pub(crate) fn inline_key16(s: &[u8]) -> Option<(u64, u64)> {
    match s.len() {
        0..=7 => Some((inline_key(s), LONG)),
        8..=15 => Some((r8(s, 0), inline_key(&s[8..]))),
        _ => None,
    }
}

/// The [`inline_key`] of every key longer than 7 bytes (no short key has 0xFF as length).
pub(crate) const LONG: u64 = u64::MAX;

/// Control bytes read at once by [`StrTable::probe`].
const GROUP: usize = 8;

/// The control byte of a used slot: the hash's top 7 bits, with the high bit set.
#[inline]
fn ctrl_byte(h: u64) -> u8 {
    0x80 | (h >> 57) as u8
}

/// A set of distinct strings with dense ids in insertion order.
///
/// Kept over `hashbrown::HashTable<(inline key, id)>` with the same arena (commit fdea9e8 of
/// branch `tables`): equal instruction counts (`Matcher::find` on g10k, 10 MB corpus,
/// callgrind: 2,148.8M here, 2,141.5M with HashTable) but `bench_find` find time 9% longer
/// with HashTable (median of 12 alternated pairs, 0.405 → 0.441 s, shared machine; the cause,
/// probably the 16-byte slots, not measured). See BENCHMARKS.md "Hash tables".
#[derive(Debug, Clone)]
pub(crate) struct StrTable {
    /// `0x80 | hash >> 57` for a used slot, 0 for an empty one; then a copy of the first
    /// [`GROUP`] bytes, so that a group read at any slot needs no wrap-around.
    ctrl: Box<[u8]>,
    /// The key id in each used slot.
    ids: Box<[u32]>,
    /// The [`inline_key`] of each used slot's key: short keys (most words) are compared here,
    /// without reading the arena.
    inline: Box<[u64]>,
    /// Key `i` is `text[ends[i]..ends[i + 1]]`.
    text: String,
    ends: Vec<u32>,
}

impl Default for StrTable {
    fn default() -> Self {
        StrTable::with_capacity(0)
    }
}

impl StrTable {
    /// A table sized for `n` keys without growing.
    pub(crate) fn with_capacity(n: usize) -> StrTable {
        let slots = (n * 8 / 7 + 1).max(16).next_power_of_two();
        StrTable {
            ctrl: vec![0; slots + GROUP].into_boxed_slice(),
            ids: vec![0; slots].into_boxed_slice(),
            inline: vec![0; slots].into_boxed_slice(),
            text: String::new(),
            ends: vec![0],
        }
    }

    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.ends.len() - 1
    }

    /// Key `id`.
    pub(crate) fn key(&self, id: u32) -> &str {
        let (a, b) = (self.ends[id as usize], self.ends[id as usize + 1]);
        &self.text[a as usize..b as usize]
    }

    fn key_bytes(&self, id: usize) -> &[u8] {
        &self.text.as_bytes()[self.ends[id] as usize..self.ends[id + 1] as usize]
    }

    /// `Ok` with the slot holding `s` (hash `h`), or `Err` with the empty slot where it would go.
    #[inline]
    fn probe(&self, s: &[u8], h: u64) -> Result<usize, usize> {
        const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const HI: u64 = 0x8080_8080_8080_8080;
        let mask = self.ids.len() - 1;
        let tag = ctrl_byte(h);
        let want = inline_key(s);
        let mut pos = h as usize & mask;
        loop {
            let g = r8(&self.ctrl, pos);
            // Bytes equal to the tag: zero bytes of `x`, found exactly (no borrow between
            // bytes) by adding 0x7f to the low seven bits.
            let x = g ^ (u64::from(tag) * 0x0101_0101_0101_0101);
            let mut hits = !(((x & LO7) + LO7) | x) & HI;
            while hits != 0 {
                let i = (pos + (hits.trailing_zeros() / 8) as usize) & mask;
                if self.inline[i] == want
                    && (want != LONG || short_eq(self.key_bytes(self.ids[i] as usize), s))
                {
                    return Ok(i);
                }
                hits &= hits - 1;
            }
            // Used slots have the high bit set: an empty slot ends the probe (keys are never
            // removed, so no key lies past the first empty slot of its sequence).
            let empty = !g & HI;
            if empty != 0 {
                return Err((pos + (empty.trailing_zeros() / 8) as usize) & mask);
            }
            pos = (pos + GROUP) & mask;
        }
    }

    /// The id of `s`, if present.
    #[inline]
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        let s = s.as_bytes();
        self.probe(s, hash_str(s)).ok().map(|i| self.ids[i])
    }

    /// The id of the string whose bytes are `s` and whose [`hash_str`] is `h`, if present
    /// (one hash for several tables).
    #[inline]
    pub(crate) fn get_hashed(&self, s: &[u8], h: u64) -> Option<u32> {
        self.probe(s, h).ok().map(|i| self.ids[i])
    }

    /// Whether `s` (of [`hash_str`] `h`) is present: [`StrTable::get_hashed`] without reading
    /// the id, one memory access fewer for a membership test.
    #[inline]
    pub(crate) fn contains_hashed(&self, s: &[u8], h: u64) -> bool {
        self.probe(s, h).is_ok()
    }

    /// The id of `s`, inserting it if new; the flag is true when it was new.
    pub(crate) fn insert(&mut self, s: &str) -> (u32, bool) {
        let b = s.as_bytes();
        let h = hash_str(b);
        let i = match self.probe(b, h) {
            Ok(i) => return (self.ids[i], false),
            Err(i) => i,
        };
        let id = self.len() as u32;
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        self.place(i, h, id);
        if self.len() * 8 > self.ids.len() * 7 {
            self.grow();
        }
        (id, true)
    }

    fn place(&mut self, i: usize, h: u64, id: u32) {
        self.ctrl[i] = ctrl_byte(h);
        if i < GROUP {
            let slots = self.ids.len();
            self.ctrl[slots + i] = ctrl_byte(h);
        }
        self.ids[i] = id;
        self.inline[i] = inline_key(self.key_bytes(id as usize));
    }

    fn grow(&mut self) {
        let n = self.ids.len() * 2;
        self.ctrl = vec![0; n + GROUP].into_boxed_slice();
        self.ids = vec![0; n].into_boxed_slice();
        self.inline = vec![0; n].into_boxed_slice();
        for id in 0..self.len() {
            let key = self.key_bytes(id);
            let h = hash_str(key);
            // Every key is new to the grown table.
            let (Ok(i) | Err(i)) = self.probe(key, h);
            self.place(i, h, id as u32);
        }
    }

    /// Releases spare capacity of the key arena.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// A set of words for membership tests at one cache miss: each word of up to 15 bytes
/// ([`inline_key16`]) lies in one of two buckets of four keys chosen by its hash (cuckoo
/// hashing), a bucket being one cache line, and the two lines are read at once; longer words
/// are in a [`StrTable`]. (A [`StrTable`] reads its control bytes, then its keys, then, for
/// keys over 7 bytes, the arena: up to four misses one after the other.)
#[derive(Debug, Clone)]
pub(crate) struct WordSet {
    buckets: Box<[Bucket]>,
    long: StrTable,
}

/// Four keys of [`WordSet`] (`(0, 0)`: empty; no key is).
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
struct Bucket([(u64, u64); 4]);

impl WordSet {
    /// The set of `words`.
    pub(crate) fn new<'w>(words: impl Iterator<Item = &'w str>) -> WordSet {
        let mut long = StrTable::default();
        let mut keys: Vec<((u64, u64), u64)> = Vec::new();
        for w in words {
            let b = w.as_bytes();
            match inline_key16(b) {
                Some(k) => keys.push((k, hash_str(b))),
                None => {
                    long.insert(w);
                }
            }
        }
        // Repeats are dropped as they are placed (`place`), not by sorting first: the sort was
        // most of the build of the 60,000-word lists in every process (issue 33).
        long.shrink_to_fit();
        // Four keys in a bucket, filled to 85%; more room if the cuckoo walk gets stuck.
        let mut n = (keys.len() * 100 / 340).max(1);
        loop {
            if let Some(buckets) = Self::place(&keys, n) {
                return WordSet { buckets, long };
            }
            n += n / 8 + 1;
        }
    }

    /// The two buckets of hash `h` among `n`.
    #[inline(always)]
    fn choices(h: u64, n: usize) -> (usize, usize) {
        let pick = |x: u64| ((u128::from(x) * n as u128) >> 64) as usize;
        (pick(h), pick(h.rotate_left(32)))
    }

    /// `keys` in `n` buckets, each in one of its two, if the cuckoo walk finds room.
    fn place(keys: &[((u64, u64), u64)], n: usize) -> Option<Box<[Bucket]>> {
        // Each slot's key and hash while placing (key `(0, 0)`: empty; no key is). Held in the
        // slots themselves, not as indices into `keys`: the repeat check and the cuckoo walk
        // read the two buckets' lines only, where an index cost a read of `keys` per slot.
        type Slot = ((u64, u64), u64);
        const EMPTY: (u64, u64) = (0, 0);
        let mut slots: Vec<[Slot; 4]> = vec![[(EMPTY, 0); 4]; n];
        for (i, &(key, h)) in keys.iter().enumerate() {
            // A key met before lies in one of its two buckets (every placed key does): a
            // repeat is dropped here.
            let (a, b) = Self::choices(h, n);
            if slots[a].iter().chain(&slots[b]).any(|s| s.0 == key) {
                continue;
            }
            let (mut at, mut item) = (a, (key, h));
            let mut kick = i;
            let mut placed = false;
            for _ in 0..500 {
                let (a, b) = Self::choices(item.1, n);
                if let Some((c, k)) = [a, b]
                    .into_iter()
                    .find_map(|c| slots[c].iter().position(|s| s.0 == EMPTY).map(|k| (c, k)))
                {
                    slots[c][k] = item;
                    placed = true;
                    break;
                }
                // Both full: evict a key of one of them (varied, so the walk does not cycle).
                kick = kick.wrapping_mul(31).wrapping_add(7);
                at = if at == a { b } else { a };
                let k = kick % 4;
                std::mem::swap(&mut slots[at][k], &mut item);
            }
            if !placed {
                return None;
            }
        }
        let bucket = |s: &[Slot; 4]| {
            let mut b = Bucket::default();
            for (k, &(key, _)) in s.iter().enumerate() {
                b.0[k] = key;
            }
            b
        };
        Some(slots.iter().map(bucket).collect())
    }

    /// Whether the word whose bytes are `s` and whose [`hash_str`] is `h` is in the set.
    #[inline(always)]
    pub(crate) fn contains_hashed(&self, s: &[u8], h: u64) -> bool {
        let Some(key) = inline_key16(s) else {
            return self.long.contains_hashed(s, h);
        };
        let (a, b) = Self::choices(h, self.buckets.len());
        let (a, b) = (&self.buckets[a].0, &self.buckets[b].0);
        a.iter().chain(b).any(|&k| k == key)
    }

    /// Whether `s` is in the set.
    #[inline]
    pub(crate) fn contains(&self, s: &str) -> bool {
        self.contains_hashed(s.as_bytes(), hash_str(s.as_bytes()))
    }
}

/// Bits of a [`Bloom`] per string.
const BLOOM_BITS: usize = 8;
/// At most 2 MiB of [`Bloom`] (reached at about 100,000 concepts, 2.3 million strings):
/// beyond, more false positives cost less than the memory (a larger table, allocated at the
/// end of the build, raised the 100k build's peak by up to 13 MB).
const BLOOM_MAX_WORDS: usize = 1 << 18;

/// A set of strings, by [`hash_str`], that may answer "present" for an absent string but never
/// "absent" for a present one (a blocked Bloom filter: three bits of one 64-bit word per
/// string, [`BLOOM_BITS`] bits per string). A test is one read of a table far smaller than the
/// strings' table, so most tokens of a text, which are none of its strings, are told apart
/// with it alone.
#[derive(Debug, Clone)]
pub(crate) struct Bloom {
    words: Box<[u64]>,
}

impl Bloom {
    /// A filter sized for about `n` strings.
    pub(crate) fn with_capacity(n: usize) -> Bloom {
        let words = (n.saturating_mul(BLOOM_BITS) / 64 + 1)
            .next_power_of_two()
            .min(BLOOM_MAX_WORDS);
        Bloom {
            words: vec![0; words].into_boxed_slice(),
        }
    }

    /// The word and the bits of hash `h`: the word by its low bits, the bits by its top 18.
    #[inline]
    fn place(&self, h: u64) -> (usize, u64) {
        let i = h as usize & (self.words.len() - 1);
        let bits = 1u64 << (h >> 58) | 1u64 << ((h >> 52) & 63) | 1u64 << ((h >> 46) & 63);
        (i, bits)
    }

    /// Adds the string of [`hash_str`] `h`.
    pub(crate) fn insert(&mut self, h: u64) {
        let (i, bits) = self.place(h);
        self.words[i] |= bits;
    }

    /// False only if the string of hash `h` was never inserted.
    #[inline]
    pub(crate) fn may_contain(&self, h: u64) -> bool {
        let (i, bits) = self.place(h);
        self.words[i] & bits == bits
    }
}

/// The lines of `data` as [`str::lines`] gives them (a `\r` before the `\n` dropped), found by
/// `memchr`'s vectorised search over the whole text: the word lists and tables embedded in
/// the binary are split at the start of every process, and `str::lines` searched each short
/// line separately (issue 33: 25 million instructions of a `broker translate` of a brief).
pub(crate) fn data_lines(data: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    let mut ends = memchr::memchr_iter(b'\n', data.as_bytes());
    std::iter::from_fn(move || {
        if at >= data.len() {
            return None;
        }
        let Some(end) = ends.next() else {
            let line = &data[at..];
            at = data.len();
            return Some(line);
        };
        let line = &data[at..end];
        at = end + 1;
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

/// The built-in list of common English words (the fuzzy guard of SPEC §3).
pub(crate) fn common_words() -> &'static WordSet {
    static SET: std::sync::OnceLock<WordSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let words = data_lines(include_str!("common_words.txt"))
            .filter(|l| !l.starts_with('#') && !l.is_empty());
        WordSet::new(words)
    })
}

/// The built-in list of everyday English words (SCOWL size 35): one-word terms among them
/// are read in their sentence (by the sense pass).
pub(crate) fn everyday_words() -> &'static WordSet {
    static SET: std::sync::OnceLock<WordSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let words = data_lines(include_str!("everyday_words.txt"))
            .filter(|l| !l.starts_with('#') && !l.is_empty());
        WordSet::new(words)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_lines_are_str_lines() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "a\n\nb\n",
            "a\r\nb\r\n",
            "a\r",
            "a\nb\r",
            "\n\nx",
            "é\nü\r\n",
        ] {
            let ours: Vec<&str> = super::data_lines(text).collect();
            let std: Vec<&str> = text.lines().collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    use super::*;

    #[test]
    fn insert_get_and_grow() {
        let mut t = StrTable::default();
        let words: Vec<String> = (0..5000).map(|i| format!("w{i}")).collect();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(t.insert(w), (i as u32, true));
        }
        assert_eq!(t.insert("w42"), (42, false));
        for (i, w) in words.iter().enumerate() {
            assert_eq!(t.get(w), Some(i as u32));
            assert_eq!(t.key(i as u32), w);
        }
        assert_eq!(t.get("w5000"), None);
        assert_eq!(t.get(""), None);
        assert!(t.insert("").1);
        assert!(t.get("").is_some());
    }

    #[test]
    fn inline_key_packs_bytes_and_length() {
        let s = b"\x01\x02\x03\x04\x05\xfe\xff\x80";
        for n in 0..=7 {
            let mut want = (n as u64) << 56;
            for (k, &b) in s[..n].iter().enumerate() {
                want |= u64::from(b) << (8 * k);
            }
            assert_eq!(inline_key(&s[..n]), want, "{n}");
        }
        assert_eq!(inline_key(s), LONG);
        // Distinct strings, distinct keys; none equal to (LONG, LONG).
        let words = [
            "",
            "a",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefgha",
            "abcdefghabcdefg",
        ];
        let keys: Vec<_> = words.iter().map(|w| inline_key16(w.as_bytes())).collect();
        for (i, a) in keys.iter().enumerate() {
            assert!(a.is_some() && *a != Some((LONG, LONG)));
            assert!(keys[i + 1..].iter().all(|b| b != a), "{}", words[i]);
        }
        assert_eq!(inline_key16(b"abcdefghabcdefgh"), None);
    }

    #[test]
    fn short_eq_is_equality() {
        let words: Vec<Vec<u8>> = [
            "",
            "a",
            "ab",
            "abc",
            "abd",
            "bbc",
            "abcd",
            "abce",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "xbcdefgh",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "abcdefghijklmnopq",
            "abcdefghijklmnopr",
        ]
        .iter()
        .map(|w| w.as_bytes().to_vec())
        .collect();
        for a in &words {
            for b in &words {
                assert_eq!(short_eq(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn word_sets_hold_their_words_only() {
        let words: Vec<String> = (0..5000)
            .map(|i| format!("w{i}{}", "x".repeat(i % 20)))
            .collect();
        // Each word given three times: repeats are dropped while placing.
        let set = WordSet::new(
            words
                .iter()
                .step_by(2)
                .flat_map(|w| [w, w, w])
                .map(String::as_str),
        );
        for (i, w) in words.iter().enumerate() {
            assert_eq!(set.contains(w), i % 2 == 0, "{w}");
        }
        assert!(!set.contains(""));
    }

    #[test]
    fn short_strings_hash_as_padded_words() {
        for s in [
            "", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh",
        ] {
            let mut w = [0u8; 8];
            w[..s.len()].copy_from_slice(s.as_bytes());
            let padded = u64::from_le_bytes(w);
            assert_eq!(
                hash_str(s.as_bytes()),
                hash_padded(padded, s.len()),
                "{s:?}"
            );
        }
        let long = "abcdefghijklmno";
        for n in 9..16 {
            let s = &long.as_bytes()[..n];
            let mut w = [0u8; 8];
            w[..n - 8].copy_from_slice(&s[8..]);
            let (lo, hi) = (r8(s, 0), u64::from_le_bytes(w));
            assert_eq!(hash_str(s), hash_padded16(lo, hi, n), "{n}");
        }
    }

    #[test]
    fn hash_depends_on_every_byte_and_length() {
        assert_ne!(hash_str(b"abcdefgh"), hash_str(b"abcdefgi"));
        assert_ne!(hash_str(b"abcdefghi"), hash_str(b"abcdefghj"));
        assert_ne!(hash_str(b"a"), hash_str(b"a\0"));
        assert_ne!(hash_str(b""), hash_str(b"\0"));
    }
}
