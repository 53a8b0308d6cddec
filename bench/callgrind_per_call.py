#!/usr/bin/env python3
"""Instructions per call of each function, from two callgrind runs of `bench_translate`.

The runs differ only in the number of calls (1 and N): what was built once (the tables the
first text needs) cancels out, and (run N - run 1) / (N - 1) is the inclusive cost of one call.
This is the "per call" of BENCHMARKS.md's issue 33 sections.

    for n in 1 201; do valgrind --tool=callgrind --callgrind-out-file=cg-$n.out \\
        --toggle-collect='*translate_within*' target/release/examples/bench_translate brief.txt $n; done
    bench/callgrind_per_call.py cg-1.out cg-201.out 201 [PATTERN...]   # default: broker::
"""
import os
import re
import subprocess
import sys


def inclusive(path):
    # Run from `/`: inside the repository callgrind_annotate finds the sources and shortens
    # their paths, and an inlined function's lines then read as the function's own.
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", "--auto=no",
                          os.path.abspath(path)],
                         capture_output=True, text=True, check=True, cwd="/").stdout
    costs = {}
    for line in out.splitlines():
        # "  1,234 (0.5%)  file:function [binary]": a function's own line; the lines of code
        # inlined into it (without "[binary]") are left out.
        m = re.match(r"\s*([\d,]+) \([\d. %]+\)\s+(\S.*?):(.*?)( \[.*\])?$", line)
        if m and m.group(4):
            costs[m.group(3)] = max(costs.get(m.group(3), 0), int(m.group(1).replace(",", "")))
    return costs


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    one, many, n = inclusive(sys.argv[1]), inclusive(sys.argv[2]), int(sys.argv[3])
    patterns = sys.argv[4:] or ["broker::"]
    rows = sorted(((many[k] - one.get(k, 0)) / (n - 1), k) for k in many)
    for cost, name in reversed(rows):
        if cost >= 2000 and any(p in name for p in patterns):
            print(f"{cost / 1000:9.1f}K  {name[:150]}")


if __name__ == "__main__":
    main()
