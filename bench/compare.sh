#!/bin/sh
# Peers side by side: makes bench/.venv with flashtext and pyahocorasick (PyPI), builds the
# bench_find example, generates the data if missing, then runs bench/compare.py.
#   bench/compare.sh [g1k|g10k|g100k]
set -eu
cd "$(dirname "$0")/.."
[ -f bench/out/corpus.txt ] || python3 bench/gen.py
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/python -c 'import flashtext, ahocorasick' 2>/dev/null ||
    bench/.venv/bin/pip install -q flashtext pyahocorasick
cargo build --release --example bench_find
bench/.venv/bin/python bench/compare.py "${1:-g10k}"
