#!/usr/bin/env bash
# Load run: starts `deltran serve` on a fresh data folder, creates and funds banks over the
# real API, measures the /health ceiling with wrk, then posts distinct payments with wrk
# and prints payments/s and latency percentiles, with their ratio to the ceiling.
#
#   bench/load.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS] [RUNS]
#
# Each figure is the median of RUNS runs (default 3). The server's own count of queued
# payments is checked against wrk's count of 202 answers.
set -euo pipefail
BUILD=${1:-build}
DURATION=${2:-10}
CONNECTIONS=${3:-128}
RUNS=${4:-3}
BANKS=${BANKS:-8}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN="$BUILD/src/app/deltran"
[ -x "$BIN" ] || { echo "no binary at $BIN: build first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/deps.sh" >&2; exit 1; }

WORK=$(mktemp -d)
ADMIN_KEY="bench-admin-$(date +%s%N)"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

. "$HERE/lib.sh"
start_server "$WORK/data"
make_banks "$BANKS"

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }

: > "$WORK/health.txt"; : > "$WORK/pay.txt"; : > "$WORK/p50"; : > "$WORK/p99"; : > "$WORK/p999"
for run in $(seq 1 "$RUNS"); do
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$URL/health" | rps >> "$WORK/health.txt"
  DELTRAN_BANKS_FILE="$WORK/banks.txt" DELTRAN_RUN_ID="r$run-$$" \
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$HERE/transfer.lua" "$URL" > "$WORK/wrk.out"
  rps < "$WORK/wrk.out" >> "$WORK/pay.txt"
  sed -n 's/^LOAD p50_us=//p' "$WORK/wrk.out" >> "$WORK/p50"
  sed -n 's/^LOAD p99_us=//p' "$WORK/wrk.out" >> "$WORK/p99"
  sed -n 's/^LOAD p99.9_us=//p' "$WORK/wrk.out" >> "$WORK/p999"
  NON202=$(sed -n 's/^LOAD non202=\([0-9]*\).*/\1/p' "$WORK/wrk.out")
  echo "run $run: health $(tail -1 "$WORK/health.txt")/s, payments $(tail -1 "$WORK/pay.txt")/s, p99 $(tail -1 "$WORK/p99") us, non-202 $NON202"
  [ "$NON202" = "0" ] || { echo "load run had non-202 answers" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
done

QUEUED=$(curl -sf "$URL/metrics" | sed -n 's/^transactions_processed_total{status="QUEUED"} \([0-9]*\).*/\1/p')
H=$(median < "$WORK/health.txt"); P=$(median < "$WORK/pay.txt")
echo "----"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d), connections $CONNECTIONS, ${DURATION}s x $RUNS runs, $BANKS banks"
echo "health ceiling (median):      $H req/s"
echo "durable payments/s (median):  $P"
echo "ratio to ceiling:             $(awk -v p="$P" -v h="$H" 'BEGIN{printf "%.2f", p/h}')"
echo "latency p50/p99/p99.9 (us):   $(median < "$WORK/p50") / $(median < "$WORK/p99") / $(median < "$WORK/p999")"
echo "server counted queued:        $QUEUED"
curl -sf "$URL/metrics" | grep -E "^core_(batch_size|commit_latency_seconds)_(sum|count)" || true
"$BIN" check --data "$WORK/data" | head -1
