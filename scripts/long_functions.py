#!/usr/bin/env python3
"""Lists the functions in src/ longer than a limit (120 lines unless --max), longest first.

A function's length is counted from its `fn` line to its closing brace, both included
(attributes and doc comments above it are not counted; closures count toward the function
that holds them; a nested `fn` is counted on its own and in its parent).

    python3 scripts/long_functions.py                 # functions over 120 lines; exit 1 if any
    python3 scripts/long_functions.py --max 80        # another limit
    python3 scripts/long_functions.py --skip matcher  # leave out paths containing 'matcher'
"""

import argparse
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
FN = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?"
                r"(?:extern\s+\"[^\"]*\"\s+)?fn\s+(\w+)")


def blank(code):
    """`code` with comments, strings and char literals blanked (same length, same lines)."""
    out, i, n = [], 0, len(code)

    def keep_lines(s):
        return "".join(c if c == "\n" else " " for c in s)

    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(keep_lines(code[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', code[i:i + 10]) and (i == 0 or not code[i - 1].isalnum()):
            hashes = re.match(r'r(#*)"', code[i:]).group(1)
            end = '"' + hashes
            j = code.find(end, i + len(hashes) + 2)
            j = n if j < 0 else j + len(end)
            out.append(keep_lines(code[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and code[j] != '"':
                j += 2 if code[j] == "\\" else 1
            out.append(keep_lines(code[i:j + 1]))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'", code[i:i + 12]):
            m = re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'", code[i:i + 12])
            out.append(" " * len(m.group(0)))
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    with open(path, encoding="utf-8") as fh:
        code = blank(fh.read())
    lines = code.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for no, line in enumerate(lines):
        m = FN.match(line)
        if not m:
            continue
        # The body's opening brace: the first `{` or `;` after the name at depth 0 of ()/<>.
        i, depth = starts[no] + m.end(), 0
        while i < len(code):
            ch = code[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif depth == 0 and ch in "{;":
                break
            i += 1
        if i >= len(code) or code[i] == ";":
            continue
        level, j = 0, i
        while j < len(code):
            if code[j] == "{":
                level += 1
            elif code[j] == "}":
                level -= 1
                if level == 0:
                    break
            j += 1
        end_line = code.count("\n", 0, j)
        yield m.group(1), no + 1, end_line - no + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max", type=int, default=120)
    ap.add_argument("--skip", action="append", default=[], help="leave out paths containing this")
    args = ap.parse_args()
    found = []
    for root, _dirs, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, os.path.join(SRC, "..")).replace(os.sep, "/")
            if any(s in rel for s in args.skip):
                continue
            for name, line, length in functions(path):
                if length > args.max:
                    found.append((length, f"{rel}:{line}", name))
    for length, where, name in sorted(found, reverse=True):
        print(f"{length:5} {where} {name}")
    if not found:
        print(f"no function over {args.max} lines")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
