#!/usr/bin/env bash
# Instructions per record_message call, counted by callgrind: repeatable on
# a noisy machine where nanoseconds are not. Needs valgrind.
#
#   scripts/instructions.sh
#
# Runs the record_loop bench binary for 1M and 2M calls; the difference
# divided by 1M is the cost of one loop iteration (the call plus ~20
# instructions of loop, id lookup and response-time arithmetic).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
cargo bench -p monitor-benches --bench record_loop --no-run >/dev/null 2>&1
bin=$(ls -t target/release/deps/record_loop-* | grep -v '\.d$' | head -1)
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
a=$(count 1000000)
b=$(count 2000000)
echo "instructions per record_message loop iteration: $(( (b - a) / 1000000 ))"
