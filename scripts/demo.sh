#!/usr/bin/env bash
# The first command for a newcomer: installs what is missing, builds, and runs the demo on
# the embedded default (SQLite, in-process bus). Extra arguments go to `deltran demo`
# (e.g. --exit to stop after the scenario).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh
exec ./build/src/app/deltran demo "$@"
