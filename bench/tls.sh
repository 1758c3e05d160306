#!/usr/bin/env bash
# Durable payments/s over plain HTTP against HTTPS (TLS 1.3), all with rate limits on, in
# one run: rounds interleave the modes so the machine's drift falls on all of them alike.
#
#   bench/tls.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS] [ROUNDS]
#
# Modes, each on a fresh data folder and server per round:
#   plain      HTTP, each bank's API key on every request
#   tls        HTTPS with a development certificate (deltran tls dev-certs), the API key
#   tls+token  HTTPS, each bank logs in once (POST /auth/login) and sends its access token
# Every bank is on a rate tier (limited far above what one machine can send) so the limiter
# runs on every request. wrk keeps its connections open, so the figure is the steady cost
# of encryption and token checks, not of handshakes; the handshake rate is measured apart.
set -euo pipefail
BUILD=${1:-build}
DURATION=${2:-10}
CONNECTIONS=${3:-128}
ROUNDS=${4:-3}
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
"$BIN" tls dev-certs --out "$WORK/certs" >/dev/null

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
MODES="plain tls tls+token"
for m in $MODES; do : > "$WORK/$m.rps"; : > "$WORK/$m.p99"; done

run_mode() {  # run_mode MODE ROUND
  local mode=$1 round=$2
  if [ "$mode" = plain ]; then unset TLS_CERTS; else TLS_CERTS="$WORK/certs"; fi
  start_server "$WORK/data-$mode-$round"
  make_banks "$BANKS"
  if [ "$mode" = "tls+token" ]; then
    while read -r bic key; do
      tok=$(curl $CURL_OPTS -sf "$URL/api/v1/auth/login" -d "{\"participant\":\"$bic\",\"api_key\":\"$key\"}" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
      [ -n "$tok" ] || { echo "login of $bic failed" >&2; exit 1; }
      echo "$bic $tok"
    done < "$WORK/banks.txt" > "$WORK/tokens.txt"
    mv "$WORK/tokens.txt" "$WORK/banks.txt"
  fi
  DELTRAN_BANKS_FILE="$WORK/banks.txt" DELTRAN_RUN_ID="$mode-$round-$$" \
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$HERE/transfer.lua" "$URL" > "$WORK/wrk.out"
  local r p99 non202
  r=$(rps < "$WORK/wrk.out"); p99=$(sed -n 's/^LOAD p99_us=//p' "$WORK/wrk.out")
  non202=$(sed -n 's/^LOAD non202=\([0-9]*\).*/\1/p' "$WORK/wrk.out")
  echo "$r" >> "$WORK/$mode.rps"; echo "$p99" >> "$WORK/$mode.p99"
  echo "round $round $mode: $r payments/s, p99 $p99 us, non-202 $non202"
  [ "$non202" = "0" ] || { echo "non-202 answers" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
  if [ "$mode" = tls ] && [ "$round" = 1 ]; then
    # New connections, each with a full TLS 1.3 handshake: wrk's -H 'Connection: close'.
    wrk -t1 -c32 -d5s -H 'Connection: close' "$URL/health" | rps > "$WORK/handshakes"
    echo "  TLS handshakes (connection per request to /health): $(cat "$WORK/handshakes")/s"
  fi
  if [ "$mode" = plain ] && [ "$round" = 1 ]; then
    wrk -t1 -c32 -d5s -H 'Connection: close' "$URL/health" | rps > "$WORK/plain-conns"
    echo "  plain connections (connection per request to /health): $(cat "$WORK/plain-conns")/s"
  fi
  stop_server
}

for round in $(seq 1 "$ROUNDS"); do
  for m in $MODES; do run_mode "$m" "$round"; done
done
echo "----"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d), commit $(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo '?'), connections $CONNECTIONS, ${DURATION}s x $ROUNDS rounds, $BANKS banks"
P=$(median < "$WORK/plain.rps")
for m in $MODES; do
  M=$(median < "$WORK/$m.rps")
  printf "%-10s durable payments/s (median) %8s   p99 %6s us   ratio to plain %s\n" "$m" "$M" "$(median < "$WORK/$m.p99")" \
    "$(awk -v a="$M" -v b="$P" 'BEGIN{printf "%.2f", a/b}')"
done
