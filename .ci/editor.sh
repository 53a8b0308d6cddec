#!/usr/bin/env bash
# A real editor against `broker lsp` (SPEC §13): installs Debian's neovim (0.7.2, whose
# built-in LSP client runs headless) if missing, builds the `broker` binary, and runs
# tests/editor/broker.lua on tests/editor/brief.md in a throwaway project (a .broker.toml
# naming marketing as the reader, the test glossary). The script prints the diagnostics, the
# hover text of one term and the quick-fix titles, checks them, and ends with
# "editor: N passed, M failed"; this script exits non-zero when one failed.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo="sudo"; fi
if ! command -v nvim >/dev/null; then
  echo "editor.sh: installing neovim (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq neovim >/dev/null
fi
nvim --version | head -1
cargo build --quiet --bin broker

project="$(mktemp -d)"
trap 'rm -rf "$project"' EXIT
cp tests/editor/brief.md "$project/"
cp -r tests/fixtures/glossary "$project/glossary"
cat > "$project/.broker.toml" <<'TOML'
glossary = "glossary"

[[readers]]
paths = ["**"]
for = "marketing"
TOML

out="$project/editor.out"
status=0
BROKER_BIN="$PWD/target/debug/broker" BROKER_BRIEF="$project/brief.md" \
  timeout 120 nvim --headless -u NONE -i NONE -n -c "luafile tests/editor/broker.lua" \
  >"$out" 2>&1 || status=$?
cat "$out"
# A script that stopped early prints no summary: that is a failure too.
grep -Eq '^editor: [0-9]+ passed, 0 failed$' "$out" || { [ "$status" != 0 ] || status=1; }
exit "$status"
