#!/usr/bin/env python3
"""Summarises runs of bench/pair.sh (bench/out/pair/LABEL.tsv): one Markdown row per run, then
the runs pooled (the median of every round's after/before ratio, and the middle half of them).

  python3 bench/pair_summary.py LABEL [LABEL ...]

Row: run, UTC minutes, 1-minute load average, Translate req/s median before → after, ratio of
the medians (the median of the rounds' own ratios), p99 ms, server CPU µs per request, end to
end MB/s, its ratio (rounds'), the CLI's CPU seconds. Python stdlib only.
"""
import pathlib
import statistics
import sys

OUT = pathlib.Path(__file__).resolve().parent / "out" / "pair"
med = statistics.median


def load(label):
    text = (OUT / f"{label}.tsv").read_text()
    return [line.split("\t") for line in text.split("\n") if line]


def col(rows, kind, side, i):
    return [float(r[i]) for r in rows if r[0] == kind and r[2] == side and len(r) > i]


def ratios(rows, kind, i):
    """after / before of each round that has both."""
    b = {r[1]: float(r[i]) for r in rows if r[0] == kind and r[2] == "before" and len(r) > i}
    a = {r[1]: float(r[i]) for r in rows if r[0] == kind and r[2] == "after" and len(r) > i}
    return [a[k] / b[k] for k in b if k in a]


def arrow(b, a, fmt):
    if not b or not a:
        return "–"
    return f"{fmt.format(med(b))} → {fmt.format(med(a))} ({med(a) / med(b):.3f})"


def row(label, rows):
    rb, ra = col(rows, "rps", "before", 3), col(rows, "rps", "after", 3)
    eb, ea = col(rows, "e2e", "before", 3), col(rows, "e2e", "after", 3)
    loads = [float(r[5]) for r in rows]
    when = f"{rows[0][6][:5]}–{rows[-1][6][:5]}"
    return (f"| {label} | {when} | {min(loads):.1f}–{max(loads):.1f} "
            f"| {med(rb):,.0f} → {med(ra):,.0f} | **{med(ra) / med(rb):.3f}** ({med(ratios(rows, 'rps', 3)):.3f}) "
            f"| {arrow(col(rows, 'rps', 'before', 4), col(rows, 'rps', 'after', 4), '{:.1f}')} "
            f"| {arrow(col(rows, 'rps', 'before', 7), col(rows, 'rps', 'after', 7), '{:.0f}')} "
            f"| {med(eb):.2f} → {med(ea):.2f} | **{med(ea) / med(eb):.3f}** ({med(ratios(rows, 'e2e', 3)):.3f}) "
            f"| {arrow(col(rows, 'e2e', 'before', 7), col(rows, 'e2e', 'after', 7), '{:.2f}')} |")


def spread(v):
    if not v:
        return "–"
    v = sorted(v)
    return f"{med(v):.3f} ({v[len(v) // 4]:.3f}–{v[(3 * len(v)) // 4]:.3f}, {len(v)} rounds)"


def main():
    labels = sys.argv[1:]
    print("| run | UTC | load | req/s | ratio (rounds') | p99 ms | server CPU µs/req | e2e MB/s "
          "| ratio (rounds') | CLI CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    pooled = {k: [] for k in ("rps", "cpu", "e2e", "ecpu")}
    for label in labels:
        rows = load(label)
        print(row(label, rows))
        pooled["rps"] += ratios(rows, "rps", 3)
        pooled["cpu"] += ratios(rows, "rps", 7)
        pooled["e2e"] += ratios(rows, "e2e", 3)
        pooled["ecpu"] += ratios(rows, "e2e", 7)
    print(f"\npooled after/before, median (middle half, rounds): req/s {spread(pooled['rps'])}; "
          f"server CPU per request {spread(pooled['cpu'])}; end-to-end MB/s {spread(pooled['e2e'])}; "
          f"CLI CPU {spread(pooled['ecpu'])}")


if __name__ == "__main__":
    main()
