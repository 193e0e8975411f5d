#!/usr/bin/env bash
# Network and simulator benchmarks. Prints figures; never run as a unit test.
#   1. troupe-sim query throughput and latency under wrk (target ≥2,000 req/s, p99 ≤20 ms)
#   2. TroupeNet's HTTPClient keeping 500 requests in flight (target ≤64 MB extra RSS, ≤2 extra threads)
#   3. SigV4 presigning of 10,000 URLs (target ≤0.1 s)
# Needs wrk (apt-get install wrk) for step 1; step 1 is skipped without it.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
REQUESTS=${REQUESTS:-50000}

swift build -c release --product troupe-sim >/dev/null
swift build -c release --product troupe-bench >/dev/null
BIN="$(swift build -c release --show-bin-path 2>/dev/null)/troupe-sim"
BENCH="$(swift build -c release --show-bin-path 2>/dev/null)/troupe-bench"
LOG=$(mktemp)
cleanup() { [ -n "${SIM_PID:-}" ] && kill "$SIM_PID" 2>/dev/null || true; rm -f "$LOG"; }
trap cleanup EXIT

# Tasks never finish during the run (latency 1e6 s) and limits are out of the way: this measures the server.
"$BIN" serve --port 0 --account bench-ak:bench-sk --concurrency 1000000 --latency 1000000-1000000 >"$LOG" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do grep -q "listening on" "$LOG" && break; sleep 0.1; done
URL=$(sed -n 's/^troupe-sim listening on //p' "$LOG")
echo "sim: $URL (pid $SIM_PID)"
echo "machine: $(nproc) cores, $(uname -sr), $(swift --version 2>&1 | head -1)"

SETUP=$("$BENCH" --url "$URL" --access bench-ak --secret bench-sk --setup-only)
TARGET=$(echo "$SETUP" | sed -n 's/^target=//p')
TOKEN=$(echo "$SETUP" | sed -n 's/^token=//p')

if command -v wrk >/dev/null; then
  echo "== troupe-sim: GET motion-control task, wrk -t2 -c$CONNECTIONS -d${DURATION}s"
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$TARGET" \
    | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx|Socket errors"
else
  echo "== wrk not installed: skipping the server throughput run"
fi

echo "== TroupeNet HTTPClient: $REQUESTS queries, 500 in flight, against troupe-sim"
"$BENCH" --url "$URL" --access bench-ak --secret bench-sk --in-flight 500 --requests "$REQUESTS" --presign 10000
