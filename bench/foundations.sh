#!/usr/bin/env bash
# Restart time as the store grows, a window close of a big window, and balance reads under
# full payment load, all over the real HTTP API (wrk and curl against `deltran serve`).
#
#   bench/foundations.sh [BUILD_DIR] [SIZES] [PROBE_RUNS]
#
# SIZES: stored payment counts to restart at, ascending (default "100000 1000000 5000000").
# At the first size >= 1,000,000 the window holding every payment so far is closed while a
# payment is sent, and both answers are timed. Balance reads: PROBE_RUNS runs (default 3)
# of 10 s of saturating payments (wrk -c128) with a second wrk reading one balance every
# 10 ms; the median of the runs' p99 is printed. Restarts: after SIGTERM (graceful) and
# after SIGKILL; the time is from exec to the first 200 from /health.
set -euo pipefail
BUILD=${1:-build}
SIZES=${2:-"100000 1000000 5000000"}
PROBE_RUNS=${3:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN="$BUILD/src/app/deltran"
[ -x "$BIN" ] || { echo "no binary at $BIN: build first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/deps.sh" >&2; exit 1; }
WORK=$(mktemp -d -p "${BENCH_TMP:-/tmp}")
ADMIN_KEY="bench-admin-$(date +%s%N)"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
. "$HERE/lib.sh"

DATA="$WORK/data"
start_server "$DATA"
make_banks 8
read -r BIC0 KEY0 < "$WORK/banks.txt"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo '?')"

queued() { curl -sf "$URL/metrics" | sed -n 's/^transactions_processed_total{status="QUEUED"} \([0-9]*\).*/\1/p'; }
STORED=0   # payments this script has had answered 202, across restarts
RUN=0

fill_to() {  # fill_to N: sends payments until N have been accepted in all
  local want=$1
  RUN=$((RUN + 1))
  local before
  before=$(queued)
  DELTRAN_BANKS_FILE="$WORK/banks.txt" DELTRAN_RUN_ID="f$RUN-$$" \
    wrk -t1 -c128 -d3600s --timeout 10s -s "$HERE/transfer.lua" "$URL" > "$WORK/fill.out" &
  local load=$!
  while [ $((STORED + $(queued) - before)) -lt "$want" ]; do sleep 0.2; done
  kill -INT "$load"; wait "$load" || true
  STORED=$((STORED + $(queued) - before))
  # What the core paused for snapshots meanwhile (serialising its state; the file is
  # written on another thread). Absent on a build without the metric.
  curl -sf "$URL/metrics" | awk '/^core_snapshot_pause_seconds_(sum|count)/ {v[$1]=$2}
    END {if (v["core_snapshot_pause_seconds_count"] > 0) printf "  snapshot pauses: %d, mean %.0f ms\n",
      v["core_snapshot_pause_seconds_count"], 1000 * v["core_snapshot_pause_seconds_sum"] / v["core_snapshot_pause_seconds_count"]}' || true
}

RESTART_MS=0
restart_timed() {  # restart_timed SIGNAL: stops, starts again; RESTART_MS = ms to /health 200
  local sig=$1
  stop_server "$sig"
  local t0
  t0=$(date +%s%N)
  rm -f "$WORK/port"
  DELTRAN_ADMIN_KEY="$ADMIN_KEY" DELTRAN_LOG_LEVEL=warn "$BIN" serve --listen "127.0.0.1:$PORT" --data "$DATA" \
    --window-seconds 0 --allow-no-lists --ready-file "$WORK/port" ${DELTRAN_SERVE_FLAGS:-} >/dev/null 2>>"$WORK/server.log" &
  PID=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null; do
    kill -0 "$PID" 2>/dev/null || { echo "server exited at restart" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
    sleep 0.005
  done
  RESTART_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

probe_balance() {
  : > "$WORK/probe_p99"; : > "$WORK/probe_p50"; : > "$WORK/pay_rate"
  for run in $(seq 1 "$PROBE_RUNS"); do
    DELTRAN_BALANCE_PATH="/api/v1/banks/$BIC0/balance" DELTRAN_BALANCE_KEY="$KEY0" \
      wrk -t1 -c1 -d10s -s "$HERE/balance.lua" "$URL" > "$WORK/probe.out" &
    local probe=$!
    DELTRAN_BANKS_FILE="$WORK/banks.txt" DELTRAN_RUN_ID="p$run-$$" \
      wrk -t1 -c128 -d10s --timeout 10s -s "$HERE/transfer.lua" "$URL" > "$WORK/pay.out"
    wait "$probe"
    sed -n 's/^PROBE p99_us=//p' "$WORK/probe.out" >> "$WORK/probe_p99"
    sed -n 's/^PROBE p50_us=//p' "$WORK/probe.out" >> "$WORK/probe_p50"
    sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/pay.out" >> "$WORK/pay_rate"
    echo "  probe run $run: balance p50 $(tail -1 "$WORK/probe_p50") us p99 $(tail -1 "$WORK/probe_p99") us" \
         "($(grep '^PROBE requests' "$WORK/probe.out")); payments $(tail -1 "$WORK/pay_rate")/s"
  done
  echo "RESULT balance_p99_under_load_us=$(median < "$WORK/probe_p99") balance_p50_us=$(median < "$WORK/probe_p50")" \
       "payments_per_s=$(median < "$WORK/pay_rate")"
}

closed=0
for size in $SIZES; do
  echo "== filling to $size stored payments"
  fill_to "$size"
  echo "  stored: $STORED payments, data $(du -sh "$DATA" | cut -f1)"
  if [ "$closed" = 0 ] && [ "$size" -ge "${CLOSE_AT:-1000000}" ]; then
    closed=1
    window=$(curl -sf "$URL/api/v1/windows?currency=USD&limit=1" -H "$AUTH" | sed -n 's/.*"items":\[{"id":\([0-9]*\).*/\1/p')
    count=$(curl -sf "$URL/api/v1/windows/$window" -H "$AUTH" | sed -n 's/.*"payment_count":\([0-9]*\).*/\1/p')
    read -r BIC1 KEY1 < <(sed -n 2p "$WORK/banks.txt")
    curl -s -o "$WORK/close.out" -w '%{http_code} %{time_total}\n' -X POST "$URL/api/v1/windows/$window/close" \
      -H "$AUTH" > "$WORK/close.time" &
    closer=$!
    sleep 0.05
    curl -s -o "$WORK/pay1.out" -w '%{http_code} %{time_total}\n' "$URL/api/v1/transfer" \
      -H "Authorization: Bearer $KEY0" -H "Idempotency-Key: during-close-$$" -H 'Content-Type: application/json' \
      -d "{\"amount\":\"1.00\",\"currency\":\"USD\",\"debtor_agent\":\"$BIC0\",\"creditor_agent\":\"$BIC1\",\"debtor\":{\"name\":\"A\"},\"creditor\":{\"name\":\"B\"},\"end_to_end_id\":\"DURING-CLOSE\"}" \
      > "$WORK/pay1.time"
    wait "$closer"
    STORED=$((STORED + 1))
    echo "RESULT window_close payments=$count answer=$(cat "$WORK/close.time") payment_during_close=$(cat "$WORK/pay1.time")"
  fi
  restart_timed TERM
  graceful=$RESTART_MS
  restart_timed KILL
  hard=$RESTART_MS
  echo "RESULT restart stored=$STORED data=$(du -sh "$DATA" | cut -f1) after_sigterm_ms=$graceful after_sigkill_ms=$hard"
done
echo "== balance reads under full payment load (store of $STORED payments)"
probe_balance
stop_server TERM
"$BIN" check --data "$DATA" | head -1
