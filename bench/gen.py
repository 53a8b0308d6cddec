#!/usr/bin/env python3
"""Generates the benchmark data of broker (issue 7): glossaries and a corpus with gold mentions.

Deterministic: the same --seed gives byte-identical files. Python 3 standard library only.

  python3 bench/gen.py [--out bench/out] [--seed 7] [--mb 10]

Writes (all git-ignored, never committed):
  OUT/g1k/glossary.toml, OUT/g10k/glossary.toml, OUT/g100k/glossary.toml
      N concepts each; every glossary is a prefix of the next (g1k ⊂ g10k ⊂ g100k). Terms are
      made-up words ("vorplex gantrix") so that the filler text never contains them by chance:
      one to three words, some hyphenated, some Title Case, acronyms ("VGX", "K8P"), on the IT
      side, the marketing side or both.
  OUT/corpus.txt   ~MB megabytes of English-like prose (common English words, some rarer
      dictionary words, numbers, punctuation, a little non-ASCII) with planted mentions of the
      first 1,000 concepts, so the gold list holds for all three glossaries.
  OUT/gold.tsv     one planted mention a line: start<TAB>end<TAB>concept<TAB>kind<TAB>text,
      byte offsets [start, end) into corpus.txt; kind is exact | variant | typo:
        exact   the term as written in the glossary;
        variant plural, possessive, case change or hyphen <-> space (SPEC §3 "normalised");
        typo    one edit (insert, delete, substitute, swap) in a word of 5+ letters, such that
                the misspelt word is not a dictionary word, not a term word, and no other term
                word is one edit away from it (so the gold concept is the only right answer).
"""
import argparse
import pathlib
import random
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
COMMON = ROOT / "src/matcher/common_words.txt"
DICT = pathlib.Path("/usr/share/dict/words")
SIZES = [("g1k", 1_000), ("g10k", 10_000), ("g100k", 100_000)]
PLANTED_CONCEPTS = 1_000

ONSETS = ("b c d f g k l m n p r s t v z br cr dr fl gr kl pr st tr sk sp pl bl gl "
          "sn sm qu th ch sh").split()
VOWELS = "a e i o u a e i o ai ou ea io".split()
CODAS = ["", "", "", "n", "r", "x", "l", "m", "k", "t", "nd", "rt", "ng", "sk", "lt"]
FUNCTION_WORDS = ("the of and to a in is that for it as was with be by on not he this are or "
                  "his from at which but have an they you were their one all we can her has "
                  "there been if more when will would who so no our out up into do than its "
                  "also any may only new some time these two then other after first").split()
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def load_words():
    common = {l.strip() for l in COMMON.read_text().splitlines()
              if l.strip() and not l.startswith("#")}
    if not DICT.exists():
        sys.exit(f"{DICT} not found: the corpus draws its rarer words from it "
                 "(Debian: apt-get install wamerican)")
    dictionary = {w.strip().lower() for w in DICT.read_text(errors="ignore").splitlines()}
    return common, dictionary


def edits1(w):
    splits = [(w[:i], w[i:]) for i in range(len(w) + 1)]
    out = set()
    for a, b in splits:
        if b:
            out.add(a + b[1:])
            for c in LETTERS:
                out.add(a + c + b[1:])
        if len(b) > 1:
            out.add(a + b[1] + b[0] + b[2:])
        for c in LETTERS:
            out.add(a + c + b)
    out.discard(w)
    return out


class Words:
    """Made-up words, unique, never an English word."""

    def __init__(self, rng, banned):
        self.rng, self.banned, self.used = rng, banned, set()

    def fresh(self):
        rng = self.rng
        while True:
            n = rng.choice((2, 2, 3, 3, 3, 4))
            w = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + (rng.choice(CODAS) if k == n - 1
                        or rng.random() < 0.3 else "") for k in range(n))
            if 4 <= len(w) <= 12 and w not in self.used and w not in self.banned \
                    and not w.endswith("s"):
                self.used.add(w)
                return w


def make_glossary(n, seed, banned):
    rng = random.Random(seed)
    words = Words(rng, banned)
    pool = [words.fresh() for _ in range(max(50, n // 20))]  # shared head words
    keys, acronyms, concepts = set(), set(), []

    def word():
        return rng.choice(pool) if rng.random() < 0.25 else words.fresh()

    def term():
        while True:
            k = rng.choice((1, 1, 1, 2, 2, 2, 2, 3, 3))
            ws = [word() for _ in range(k)]
            key = " ".join(ws)
            if key in keys or len(set(ws)) < k:
                continue
            keys.add(key)
            text = ("-" if k > 1 and rng.random() < 0.2 else " ").join(ws)
            if rng.random() < 0.1:
                text = "-".join(p.capitalize() for p in text.split("-"))
                text = " ".join(p[:1].upper() + p[1:] for p in text.split(" "))
            return text

    def acronym():
        while True:
            a = "".join(rng.choice(LETTERS.upper()) for _ in range(rng.choice((3, 3, 4, 4, 5))))
            if rng.random() < 0.2:
                i = rng.randrange(1, len(a))
                a = a[:i] + rng.choice("2345678") + a[i + 1:]
            if a not in acronyms and a.lower() not in banned and a.lower() not in keys:
                acronyms.add(a)
                return a

    for i in range(n):
        shape = rng.random()
        sides = ("it",) if shape < 0.1 else ("marketing",) if shape < 0.2 else ("it", "marketing")
        c = {"id": f"c{i:06d}", "it": [], "marketing": []}
        for side in sides:
            ts = [term() for _ in range(rng.choice((1, 1, 2, 2, 3)))]
            if side == "it" and rng.random() < 0.4:
                ts.insert(rng.randrange(len(ts) + 1), acronym())
            c[side] = ts
        concepts.append(c)
    return concepts


def toml_glossary(concepts):
    out = ["# Generated by bench/gen.py: do not edit, do not commit.\n"]
    for c in concepts:
        out.append(f'\n[[concept]]\nid = "{c["id"]}"\n')
        for side in ("it", "marketing"):
            if c[side]:
                terms = ", ".join(f'"{t}"' for t in c[side])
                out.append(f'\n[concept.{side}]\nterms = [{terms}]\n'
                           f'definition = "Generated {side} definition of {c["id"]}."\n')
    return "".join(out)


def is_acronym(t):
    return not any(ch.islower() for ch in t) and sum(ch.isupper() for ch in t) >= 2


def plural(w):
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        return w[:-1] + "ies"
    if w.endswith(("x", "ch", "sh", "s", "z")):
        return w + "es"
    return w + "s"


def variant(rng, t):
    """A normalised form of term `t` (never `t` itself), or None."""
    if is_acronym(t):
        suffix = rng.choice(("s", "'s"))
        # "B2B's": UAX #29 puts a boundary between a digit and an apostrophe, so the match
        # (rightly) stops at "B2B"; plant only "B2Bs" for acronyms ending in a digit.
        return t + ("s" if t[-1].isdigit() else suffix)
    options = ["plural", "possessive", "case"]
    if " " in t or "-" in t:
        options.append("hyphen")
    kind = rng.choice(options)
    if kind == "plural":
        head, _, last = t.rpartition(" ")
        hh, _, last2 = last.rpartition("-")
        last2 = plural(last2)
        last = f"{hh}-{last2}" if hh else last2
        return f"{head} {last}" if head else last
    if kind == "possessive":
        return t + "'s"
    if kind == "case":
        for f in (str.upper, str.title, str.lower, lambda s: s[:1].upper() + s[1:].lower()):
            v = f(t)
            if v != t and rng.random() < 0.6:
                return v
        return t.upper() if t.upper() != t else None
    if "-" in t:
        return t.replace("-", " ")
    return t.replace(" ", "-", 1)


def typo(rng, t, vocab, banned):
    """`t` with one edit in one word of 5+ letters, or None when no safe typo is found."""
    if is_acronym(t):
        return None
    parts = re.split(r"([ -])", t)
    idx = [i for i, p in enumerate(parts) if len(p) >= 5]
    if not idx:
        return None
    for _ in range(20):
        i = rng.choice(idx)
        w = parts[i]
        lw = w.lower()
        k = rng.randrange(1, len(w))  # keep the first letter, as most typos do
        op = rng.choice(("sub", "ins", "del", "swap"))
        c = rng.choice(LETTERS)
        if op == "sub":
            nw = w[:k] + c + w[k + 1:]
        elif op == "ins":
            nw = w[:k] + c + w[k:]
        elif op == "del":
            nw = w[:k] + w[k + 1:]
        else:
            if k + 1 >= len(w) or w[k] == w[k + 1]:
                continue
            nw = w[:k] + w[k + 1] + w[k] + w[k + 2:]
        ln = nw.lower()
        if ln == lw or ln in vocab or ln in banned:
            continue
        if any(e in vocab and e != lw for e in edits1(ln)):
            continue
        if ln.endswith("s") and (ln[:-1] in vocab or ln[:-2] in vocab):
            continue
        parts[i] = nw
        return "".join(parts)
    return None


def sentence(rng, common_list, rare_list, out):
    n = rng.randint(6, 22)
    ws = []
    for k in range(n):
        r = rng.random()
        if r < 0.45:
            w = rng.choice(FUNCTION_WORDS)
        elif r < 0.93:
            w = rng.choice(common_list)
        elif r < 0.965:
            w = rng.choice(rare_list)
        elif r < 0.985:
            w = rng.choice(("42", "3.5", "2024", "10%", "$20", "1,200", "24/7", "v2"))
        elif r < 0.99:
            w = rng.choice(("café", "naïve", "don’t", "“quoted”", "résumé", "Zürich"))
        else:
            w = rng.choice(("—", "(see below)", "e.g.", "i.e.", "etc.", "&"))
        if k and rng.random() < 0.06:
            ws[-1] += ","
        ws.append(w)
    ws[0] = ws[0][:1].upper() + ws[0][1:]
    out.append(" ".join(ws) + rng.choice((".", ".", ".", "?", "!")))


def make_corpus(rng, concepts, target_bytes, common, dictionary, vocab, banned):
    common_list = sorted(w for w in common if w.isalpha() and w.isascii())
    rare_list = sorted(w for w in dictionary - common
                       if re.fullmatch(r"[a-z]{4,}", w) and w not in vocab)
    planted = concepts[:PLANTED_CONCEPTS]
    chunks, gold, size = [], [], 0
    while size < target_bytes:
        para = []
        for _ in range(rng.randint(3, 7)):
            sentence(rng, common_list, rare_list, para)
            if rng.random() < 0.55:
                # Plant one mention inside the sentence just written, between two words.
                c = rng.choice(planted)
                t = rng.choice(c["it"] + c["marketing"])
                r = rng.random()
                kind, text = "exact", t
                if r < 0.3:
                    v = variant(rng, t)
                    if v and v != t:
                        kind, text = "variant", v
                elif r < 0.55:
                    v = typo(rng, t, vocab, banned)
                    if v:
                        kind, text = "typo", v
                s = para[-1]
                spaces = [m.start() for m in re.finditer(" ", s)]
                at = rng.choice(spaces)
                para[-1] = s[:at + 1] + "\x00" + text + "\x00 " + s[at + 1:]
                para.append((c["id"], kind))
        # Resolve planted markers to byte offsets.
        text_parts = []
        for item in para:
            if isinstance(item, tuple):
                continue
            text_parts.append(item)
        meta = [item for item in para if isinstance(item, tuple)]
        para_text = " ".join(text_parts) + "\n\n"
        base = size
        raw = para_text.encode()
        out = bytearray()
        mi = 0
        i = 0
        while i < len(raw):
            if raw[i] == 0:
                j = raw.index(0, i + 1)
                start = base + len(out)
                out += raw[i + 1:j]
                cid, kind = meta[mi]
                mi += 1
                gold.append((start, start + (j - i - 1), cid, kind, raw[i + 1:j].decode()))
                i = j + 1
            else:
                out.append(raw[i])
                i += 1
        chunks.append(bytes(out))
        size += len(out)
    return b"".join(chunks), gold


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "bench/out"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mb", type=float, default=10.0)
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    common, dictionary = load_words()
    banned = common | dictionary
    concepts = make_glossary(SIZES[-1][1], args.seed, banned)
    for name, n in SIZES:
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "glossary.toml").write_text(toml_glossary(concepts[:n]))
        print(f"{d}/glossary.toml: {n} concepts")
    vocab = set()
    for c in concepts:
        for t in c["it"] + c["marketing"]:
            vocab.update(w.lower() for w in re.split(r"[ -]", t))
    rng = random.Random(args.seed + 1)
    corpus, gold = make_corpus(rng, concepts, int(args.mb * 1_000_000), common, dictionary,
                               vocab, banned)
    (out / "corpus.txt").write_bytes(corpus)
    with open(out / "gold.tsv", "w") as f:
        for g in gold:
            f.write("\t".join(map(str, g)) + "\n")
    kinds = {k: sum(1 for g in gold if g[3] == k) for k in ("exact", "variant", "typo")}
    print(f"{out}/corpus.txt: {len(corpus)} bytes; {out}/gold.tsv: {len(gold)} mentions {kinds}")


if __name__ == "__main__":
    main()
