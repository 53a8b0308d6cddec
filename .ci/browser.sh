#!/usr/bin/env bash
# Browser tests of the web page (SPEC §11): installs Debian's chromium + chromium-driver and
# PyPI's selenium, builds the `broker` binary, and runs tests/browser/test_web.py against it.
# Screenshots of each screen go to target/screenshots/. Ends with "N passed, M failed" and
# exits non-zero when a test fails or the browser cannot be set up.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo="sudo"; fi
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "browser.sh: installing chromium and chromium-driver (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! python3 -c 'import selenium' 2>/dev/null; then
  echo "browser.sh: installing selenium (pip)"
  python3 -m pip install --quiet selenium \
    || python3 -m pip install --quiet --break-system-packages selenium
fi
chromium --version
cargo build --quiet --bin broker
python3 tests/browser/test_web.py --binary target/debug/broker
