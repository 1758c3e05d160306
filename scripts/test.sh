#!/usr/bin/env bash
# The second command: installs what is missing, builds, and runs the whole test suite
# (unit, integration with the real binary over HTTP, the kill -9 crash test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --timeout 900 -j 2
