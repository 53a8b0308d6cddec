#!/usr/bin/env python3
"""Writes N Markdown briefs of about 2 KB each for timing `broker check` (BENCHMARKS.md).

Each brief is a heading, paragraphs made of the default glossary's own definitions (both
sides: dense in jargon, so the worst case for findings), a fenced code block and a URL, drawn
with a fixed seed so every run writes the same files.

    python3 bench/check_files.py bench/out/briefs 1000
"""
import pathlib
import random
import sys
import tomllib


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/briefs")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    root = pathlib.Path(__file__).resolve().parent.parent
    sentences = []
    for f in sorted((root / "glossary").glob("*.toml")):
        for c in tomllib.loads(f.read_text()).get("concept", []):
            for side in ("it", "marketing"):
                d = c.get(side, {}).get("definition", "").strip()
                if d:
                    sentences.append(d)
    rng = random.Random(7)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        parts = [f"# Brief {i}\n"]
        size = 0
        while size < 1800:
            para = " ".join(rng.choice(sentences) for _ in range(3))
            parts.append(para + "\n")
            size += len(para)
        parts.insert(2, "```sh\ncurl https://example.com/api/latency\n```\n")
        (out / f"brief-{i:04}.md").write_text("\n".join(parts))
    print(f"wrote {count} briefs to {out}")


if __name__ == "__main__":
    main()
