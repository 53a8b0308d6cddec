#!/usr/bin/env python3
"""Lists the import edges between broker's source files and the cycles among them.

An edge A -> B means file A names a path into file B's module: `crate::…`, `super::…` or
`self::…`, in a `use` (groups expanded) or inline in code (`crate::service::convert::timestamp`).
A path resolves to the file of its longest prefix that is a module (`crate::glossary::Side` ->
src/glossary/mod.rs). Not edges: a parent's `mod child;` and its paths relative to its children
(`pub use model::Side`, `slack::command`) -- a module owns its children --, a file's own test
module (`#[cfg(test)] mod tests { … }`, unless --tests), and doc comments. The binary
(src/main.rs, src/cli/) is its own crate: its `crate::` is src/main.rs.

    python3 scripts/import_cycles.py            # the cycles, one per line; exit 1 if any
    python3 scripts/import_cycles.py --edges    # every edge, file by file, then the cycles
    python3 scripts/import_cycles.py --tests    # count test modules' imports too

Cycles are strongly connected components of more than one file, each shown with one cycle
through it; src/matcher/ is reported like the rest.
"""

import argparse
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def modules():
    """Maps (crate, module path tuple) -> file path relative to src/."""
    out = {}
    for root, _dirs, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, f), SRC).replace(os.sep, "/")
            parts = rel[:-3].split("/")
            if parts[-1] == "mod":
                parts = parts[:-1]
            if rel in ("lib.rs", "main.rs"):
                parts = []
            crate = "bin" if rel == "main.rs" or rel.startswith("cli/") else "lib"
            out[(crate, tuple(parts))] = rel
    return out


def strip(text, tests):
    """The code without comments, string contents and (unless `tests`) test modules."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'r#+".*?"#+', '""', text, flags=re.S)
    text = re.sub(r'"(\\.|[^"\\])*"', '""', text, flags=re.S)
    if tests:
        return text
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{", text)
        if not m:
            return text
        depth, i = 0, m.end() - 1
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        text = text[: m.start()] + text[i + 1 :]


def expand(tree):
    """`a::{b, c::{d, e}}` -> ["a::b", "a::c::d", "a::c::e"]."""
    tree = re.sub(r"\s+", "", tree)
    i = tree.find("{")
    if i < 0:
        return [tree]
    prefix, body = tree[:i], tree[i + 1 : tree.rfind("}")]
    items, depth, start = [], 0, 0
    for j, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(body[start:j])
            start = j + 1
    items.append(body[start:])
    return [p for item in items if item for p in expand(prefix + item)]


def paths(code):
    """Every `crate::`/`super::`/`self::` path in `code`, use groups expanded."""
    found = []
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        found += expand(m.group(1))
    code = re.sub(r"\buse\s+[^;]+;", "", code)
    found += re.findall(r"\b(?:crate|super|self)(?:::\w+)+", code)
    return [p for p in found if re.match(r"(crate|super|self)::", p)]


def resolve(path, crate, here, mods):
    """The file a path names, or None."""
    parts = re.split(r"::", re.sub(r"\s+as\s+\w+$", "", path))
    parts = [p for p in parts if p and p != "*"]
    if parts[0] == "crate":
        base, rest = [], parts[1:]
    else:
        base = list(here)
        rest = parts
        while rest and rest[0] in ("super", "self"):
            if rest[0] == "super":
                base = base[:-1]
            rest = rest[1:]
    full = base + rest
    for n in range(len(full), -1, -1):
        f = mods.get((crate, tuple(full[:n])))
        if f:
            return f
    return None


def graph(tests):
    mods = modules()
    edges = {}
    for (crate, here), rel in mods.items():
        with open(os.path.join(SRC, rel), encoding="utf-8") as fh:
            code = strip(fh.read(), tests)
        # A `mod.rs` (or lib.rs) is its module; `super` from it is the parent.
        targets = set()
        for p in paths(code):
            t = resolve(p, crate, here, mods)
            if t and t != rel:
                targets.add(t)
        edges[rel] = targets
    return edges


def cycles(edges):
    """Tarjan's strongly connected components of more than one file."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def one_cycle(comp, edges):
    """A shortest cycle through the component's first file, as a list of files."""
    start, members = comp[0], set(comp)
    prev, frontier = {start: None}, [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(edges[v] & members):
                if w == start:
                    path = [v]
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    return list(reversed(path)) + [start]
                if w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return comp


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edges", action="store_true", help="list every edge first")
    ap.add_argument("--tests", action="store_true", help="count test modules' imports")
    args = ap.parse_args()
    edges = graph(args.tests)
    if args.edges:
        for f in sorted(edges):
            print(f"{f}: {' '.join(sorted(edges[f])) or '-'}")
        print()
    found = cycles(edges)
    for comp in found:
        print(
            f"cycle among {', '.join(comp)}: {' -> '.join(one_cycle(comp, edges))}"
        )
    if not found:
        print("no import cycle")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
