# Shared by the load scripts: start `deltran serve` on a data folder and create funded banks.
# Expects BIN, WORK and ADMIN_KEY; sets PID, PORT, URL and AUTH.

# With TLS_CERTS set to a folder of `deltran tls dev-certs` output the server speaks HTTPS
# with its server.pem/server.key, and CURL_OPTS makes curl trust its ca.pem.
start_server() {  # start_server DATA_DIR [extra serve flags...]
  local data=$1; shift
  rm -f "$WORK/port"
  local tls=() scheme=http
  CURL_OPTS=""
  if [ -n "${TLS_CERTS:-}" ]; then
    tls=(--tls-cert "$TLS_CERTS/server.pem" --tls-key "$TLS_CERTS/server.key")
    scheme=https
    CURL_OPTS="--cacert $TLS_CERTS/ca.pem"
  fi
  # The load banks are put on tier "load": limited (the limiter runs on every request) far
  # above what one machine can send.
  DELTRAN_RATE_LIMIT_TIERS="${DELTRAN_RATE_LIMIT_TIERS:-load=100000000/100000000}" \
  DELTRAN_ADMIN_KEY="$ADMIN_KEY" DELTRAN_LOG_LEVEL=warn "$BIN" serve --listen 127.0.0.1:${PORT:-0} --data "$data" \
    --window-seconds 0 --allow-no-lists --ready-file "$WORK/port" ${DELTRAN_SERVE_FLAGS:-} "${tls[@]}" "$@" >/dev/null 2>>"$WORK/server.log" &
  PID=$!
  for _ in $(seq 1 6000); do [ -s "$WORK/port" ] && break; sleep 0.01; done
  [ -s "$WORK/port" ] || { echo "server did not start" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
  PORT=$(cat "$WORK/port")
  URL="$scheme://127.0.0.1:$PORT"
  AUTH="Authorization: Bearer $ADMIN_KEY"
}

stop_server() {  # stop_server [SIGNAL]
  kill -"${1:-TERM}" "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""
}

make_banks() {  # make_banks COUNT: writes "BIC KEY" lines to $WORK/banks.txt
  : > "$WORK/banks.txt"
  for i in $(seq 1 "$1"); do
    local bic key
    bic=$(printf "LOADAE%02d" "$i")
    key=$(curl $CURL_OPTS -sf "$URL/api/v1/banks" -H "$AUTH" -H 'Content-Type: application/json' \
      -d "{\"id\":\"$bic\",\"name\":\"Load Bank $i\",\"country\":\"AE\",\"currencies\":[\"USD\"],\"net_debit_cap\":{\"USD\":\"1000000000.00\"}}" \
      | sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')
    curl $CURL_OPTS -sf -X PUT "$URL/api/v1/banks/$bic/rate-tier" -H "$AUTH" -H 'Content-Type: application/json' \
      -d "{\"tier\":\"${RATE_TIER:-load}\"}" >/dev/null || true  # a build before rate tiers has no such route
    curl $CURL_OPTS -sf "$URL/api/v1/tokens/mint" -H "$AUTH" -H 'Content-Type: application/json' \
      -d "{\"bank\":\"$bic\",\"currency\":\"USD\",\"amount\":\"1000000000000.00\",\"reference\":\"LOAD-$i\"}" >/dev/null
    echo "$bic $key" >> "$WORK/banks.txt"
  done
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
