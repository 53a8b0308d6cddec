#!/usr/bin/env bash
# Runs this repository's pre-commit hook (.pre-commit-hooks.yaml, language: rust) the way a
# user's pre-commit does, with `pre-commit try-repo`, on a fixture repository: a brief with a
# false friend fails the hook with path:line:col, a clean one passes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore pre-commit
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache"
# pre-commit builds the hook with `cargo install --path`; this target directory already holds
# the release dependencies, so only broker itself is compiled again.
export CARGO_TARGET_DIR="$root/target"

mkdir "$work/repo"
cd "$work/repo"
git init -q
git config user.email ci@example.invalid
git config user.name ci
printf '[[readers]]\npaths = ["**"]\nfor = "marketing"\n' > .broker.toml
printf '# Deploys\n\nThe release pipeline deploys twice a day.\n' > prd.md
printf '# Spring\n\nWe will meet customers at the spring fair.\n' > clean.md
git add .
git commit -qm fixture

passed=0
failed=0
if pre-commit try-repo "$root" broker-check --files prd.md > "$work/prd.out" 2>&1; then
    echo "FAIL: the hook passed on a brief with a false friend"; cat "$work/prd.out"; failed=$((failed + 1))
elif ! grep -q "prd.md:3:13: warning false-friend: 'pipeline'" "$work/prd.out"; then
    echo "FAIL: the hook's output lacks the finding"; cat "$work/prd.out"; failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
if pre-commit try-repo "$root" broker-check --files clean.md > "$work/clean.out" 2>&1; then
    passed=$((passed + 1))
else
    echo "FAIL: the hook failed on a clean brief"; cat "$work/clean.out"; failed=$((failed + 1))
fi
echo "pre-commit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
