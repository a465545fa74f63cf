#!/usr/bin/env bash
# HTTP load figures (issue 5, SPEC §7): p50/p99 latency of
# /monitor/api/metrics and /monitor/health at 100 concurrent connections
# with wrk, against the floor (plain axum answering a fixed JSON body of
# the same size), all in one run on this machine.
#
#   scripts/load.sh                 # 20 s per target, demo traffic on
#   DURATION=60 SIM=0 scripts/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-100}
SIM=${SIM:-1}
BOT_ADDR=127.0.0.1:${BOT_PORT:-18080}
FLOOR_ADDR=127.0.0.1:${FLOOR_PORT:-18081}
TOKEN=load-script-token

command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 1; }
cargo build --release --example bot --example floor

cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
pids=()
trap cleanup EXIT

MONITOR_ADDR=$BOT_ADDR MONITOR_ADMIN_TOKEN=$TOKEN MONITOR_RATE_LIMIT=0 MONITOR_SIM=$SIM \
    target/release/examples/bot >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    curl -fs "http://$BOT_ADDR/monitor/health" >/dev/null && break
    sleep 0.1
done
sleep 3 # some traffic in the windows
size=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://$BOT_ADDR/monitor/api/metrics" | wc -c)
health_size=$(curl -s "http://$BOT_ADDR/monitor/health" | wc -c)
target/release/examples/floor "$FLOOR_ADDR" "$size" >/dev/null &
pids+=($!)
sleep 0.5

# Prints "p50 p99 requests/s" for one URL.
measure() {
    local out
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$1")
    if grep -q "Non-2xx" <<<"$out"; then
        echo "non-2xx answers from $1:" >&2
        echo "$out" >&2
        exit 1
    fi
    awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^Requests\/sec/ {rps=$2} END {print p50, p99, rps}' <<<"$out"
}

printf '%s connections, %s s each, demo traffic %s, on %s cores\n' \
    "$CONNECTIONS" "$DURATION" "$([ "$SIM" = 0 ] && echo off || echo on)" "$(nproc)"
printf '%-34s %10s %10s %12s\n' target p50 p99 req/s
for target in \
    "floor ($size B):http://$FLOOR_ADDR/fixed" \
    "/monitor/api/metrics ($size B):http://$BOT_ADDR/monitor/api/metrics" \
    "/monitor/health ($health_size B):http://$BOT_ADDR/monitor/health"; do
    name=${target%%:http*}
    url=http${target#*:http}
    read -r p50 p99 rps < <(measure "$url")
    printf '%-34s %10s %10s %12s\n' "$name" "$p50" "$p99" "$rps"
done
