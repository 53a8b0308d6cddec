#!/usr/bin/env python3
"""broker side by side with flashtext and pyahocorasick on the data of bench/gen.py.

  bench/compare.sh [g10k]          # makes bench/.venv with the peers, then runs this file

For each matcher, on the same glossary and the same corpus (one thread): build time,
throughput (MB/s of matching, the median of REPEAT runs), recall per kind of planted mention
(exact, variant, typo) and precision against bench/out/gold.tsv, then the ratios peer / broker.
A reported mention is right when its byte span and concept equal a gold mention's.
broker runs in-process through `examples/bench_find.rs` (release build), and end to end as a
user runs it: `broker translate --for both --format none --json` on the whole corpus (process
start, glossary load, matching, gaps, JSON on stdout), timed over the whole process, with its
peak RSS. Planted mentions that the end-to-end run misses or mislabels are written to
bench/out/lost.tsv (gold span, kind, text, what broker said instead), with a count per kind of
variant on stdout.
"""
import collections
import pathlib
import re
import subprocess
import sys
import json
import time
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bench/out"
BENCH_FIND = ROOT / "target/release/examples/bench_find"
BROKER = ROOT / "target/release/broker"
# Matching runs per matcher; the median time is reported (one run moves with the host).
REPEAT = 3


def timed(run):
    """The median seconds of REPEAT calls of `run`, and its result."""
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        res = run()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2], res


def load_gold():
    gold = {}
    for line in open(OUT / "gold.tsv", encoding="utf-8"):
        s, e, c, k, _ = line.rstrip("\n").split("\t")
        gold[(int(s), int(e))] = (c, k)
    return gold


def score(gold, found):
    """found: iterable of (start, end, concept). Returns recall per kind and precision."""
    totals = collections.Counter(k for _, k in gold.values())
    hits, tp, n = collections.Counter(), 0, 0
    for s, e, c in found:
        n += 1
        g = gold.get((s, e))
        if g and g[0] == c:
            tp += 1
            hits[g[1]] += 1
    recall = {k: hits[k] / totals[k] for k in ("exact", "variant", "typo")}
    return recall, (tp / n if n else 0.0), n


def terms(glossary_dir):
    out = []
    for f in sorted(glossary_dir.glob("*.toml")):
        for c in tomllib.loads(f.read_text())["concept"]:
            for side in ("it", "marketing"):
                for t in c.get(side, {}).get("terms", []):
                    out.append((t if isinstance(t, str) else t["text"], c["id"]))
    return out


def byte_offsets(text):
    """char offset -> byte offset, for Python peers that report str indices."""
    if text.isascii():
        return None
    table, b = [], 0
    for ch in text:
        table.append(b)
        b += len(ch.encode())
    table.append(b)
    return table


def run_broker(glossary, exact_only=False):
    ann = OUT / "broker-annotations.tsv"
    cmd = [str(BENCH_FIND), "--glossary", str(glossary), "--corpus", str(OUT / "corpus.txt"),
           "--annotations", str(ann), "--repeat", str(REPEAT)]
    cmd += ["--exact-only"] if exact_only else []
    rep = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    found = []
    for line in open(ann):
        s, e, c, _ = line.split("\t")
        found.append((int(s), int(e), c))
    return rep["build_s"] + rep["load_s"], rep["mb_s"], found


def run_broker_cli(glossary):
    """`broker translate --json` on the corpus: median wall seconds of REPEAT runs, peak RSS."""
    corpus = OUT / "corpus.txt"
    cmd = [str(BROKER), "translate", "--glossary", str(glossary), "--for", "both", "--format",
           "none", "--json", "--max-text-bytes", str(corpus.stat().st_size + 1)]
    out_path, rss_path = OUT / "broker-translate.json", OUT / "broker-translate.rss"
    cmd = ["/usr/bin/time", "-f", "%M", "-o", str(rss_path)] + cmd
    times, rss = [], []
    for _ in range(REPEAT):
        with open(corpus, "rb") as fin, open(out_path, "wb") as fout:
            t0 = time.perf_counter()
            subprocess.run(cmd, stdin=fin, stdout=fout, check=True)
            times.append(time.perf_counter() - t0)
        rss.append(int(rss_path.read_text().split()[-1]) / 1024)
    rss_mb = max(rss)
    doc = json.loads(out_path.read_text(encoding="utf-8"))
    found = [(a["start"], a["end"], a["concept_id"]) for a in doc["annotations"]]
    secs = sorted(times)[len(times) // 2]
    return secs, corpus.stat().st_size / 1e6 / secs, found, rss_mb


def variant_kind(text, term):
    """How a planted variant differs from its term (gen.py's kinds), for the lost list."""
    if text.endswith("'s") or text.endswith("s'"):
        return "possessive"
    if ("-" in text) != ("-" in term):
        return "hyphen"
    if text.lower() == term.lower():
        return "case"
    return "plural"


def lost(gold, found, text_bytes, pairs):
    """Gold mentions not found with their concept: written to bench/out/lost.tsv."""
    by_span = {(s, e): c for s, e, c in found}
    starts = sorted(found)
    import bisect
    term_of = collections.defaultdict(list)
    for t, cid in pairs:
        term_of[cid].append(t)
    kinds = collections.Counter()
    with open(OUT / "lost.tsv", "w", encoding="utf-8") as f:
        for (s, e), (c, k) in sorted(gold.items()):
            if by_span.get((s, e)) == c:
                continue
            span = text_bytes[s:e].decode("utf-8", "replace")
            i = bisect.bisect_left(starts, (s - 60, 0, ""))
            near = [x for x in starts[i:i + 6] if x[0] < e and x[1] > s]
            said = "; ".join(f"{text_bytes[a:b].decode('utf-8', 'replace')!r}={cid}"
                             for a, b, cid in near) or "-"
            if k == "variant":
                ts = term_of.get(c, [])
                best = min(ts, key=lambda t: abs(len(t) - len(span)), default="")
                k = "variant/" + variant_kind(span, best)
            kinds[k] += 1
            f.write(f"{s}\t{e}\t{c}\t{k}\t{span!r}\t{said}\n")
    return kinds


def run_flashtext(pairs, text, table):
    from flashtext import KeywordProcessor
    t0 = time.perf_counter()
    kp = KeywordProcessor(case_sensitive=False)
    for term, cid in pairs:
        kp.add_keyword(term, cid)
    build = time.perf_counter() - t0
    secs, res = timed(lambda: kp.extract_keywords(text, span_info=True))
    conv = (lambda i: i) if table is None else (lambda i: table[i])
    return build, len(text.encode()) / 1e6 / secs, [(conv(s), conv(e), c) for c, s, e in res]


def run_pyahocorasick(pairs, text, table):
    import ahocorasick
    t0 = time.perf_counter()
    A = ahocorasick.Automaton()
    for term, cid in pairs:
        key = term.lower()
        if key not in A:
            A.add_word(key, (len(key), cid))
    A.make_automaton()
    build = time.perf_counter() - t0

    def match():
        low = text.lower()
        n = len(low)
        # Whole words only, leftmost-longest, no overlaps: what a user of the library would
        # write.
        cands = []
        for end, (ln, cid) in A.iter(low):
            s, e = end - ln + 1, end + 1
            if (s == 0 or not low[s - 1].isalnum()) and (e == n or not low[e].isalnum()):
                cands.append((s, e, cid))
        cands.sort(key=lambda x: (x[0], -x[1]))
        found, cursor = [], 0
        for s, e, cid in cands:
            if s >= cursor:
                found.append((s, e, cid))
                cursor = e
        return found

    secs, found = timed(match)
    conv = (lambda i: i) if table is None else (lambda i: table[i])
    return build, len(text.encode()) / 1e6 / secs, [(conv(s), conv(e), c) for s, e, c in found]


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "g10k"
    glossary = OUT / name
    gold = load_gold()
    text = (OUT / "corpus.txt").read_text(encoding="utf-8")
    table = byte_offsets(text)
    pairs = terms(glossary)
    rows = []
    for label, run in [
        ("broker (full)", lambda: run_broker(glossary)),
        ("broker (exact-only)", lambda: run_broker(glossary, exact_only=True)),
        ("flashtext", lambda: run_flashtext(pairs, text, table)),
        ("pyahocorasick", lambda: run_pyahocorasick(pairs, text, table)),
    ]:
        build, mbs, found = run()
        recall, precision, n = score(gold, found)
        rows.append((label, build, mbs, recall, precision, n))
    secs, mbs, found, rss = run_broker_cli(glossary)
    recall, precision, n = score(gold, found)
    rows.append(("broker translate --json (end to end)", 0.0, mbs, recall, precision, n))
    kinds = lost(gold, found, (OUT / "corpus.txt").read_bytes(), pairs)
    base = rows[0]
    print(f"glossary {name} ({len(pairs)} terms), corpus {len(text.encode())} bytes, "
          f"{len(gold)} planted mentions")
    print("| matcher | load+build s | MB/s | recall exact | recall variant | recall typo "
          "| precision | mentions | MB/s ratio to broker full |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, build, mbs, r, p, n in rows:
        print(f"| {label} | {build:.2f} | {mbs:.1f} | {r['exact']:.3f} | {r['variant']:.3f} "
              f"| {r['typo']:.3f} | {p:.3f} | {n} | {mbs / base[2]:.2f} |")
    aho = next(r for r in rows if r[0] == "pyahocorasick")
    print(f"\nend to end: {secs:.2f} s for the corpus, {mbs:.1f} MB/s = {mbs / aho[2]:.2f}x "
          f"pyahocorasick's exact-only MB/s; peak RSS {rss:.0f} MB "
          f"({rss * 1024 * 1024 / (OUT / 'corpus.txt').stat().st_size:.1f}x the corpus)")
    print("planted mentions lost end to end (bench/out/lost.tsv): "
          + (", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"))


if __name__ == "__main__":
    main()
