#!/usr/bin/env bash
# Shared result cache (issue 14, part 4): a fresh clone (manifest + lock, no .troupe) of a
# finished campaign of N renders, rebuilt
#   a. from the shared cache in S3 (moto_server):        troupe run --locked --cache s3://…
#   b. from the provider's result URLs (troupe-sim, its tasks still in memory): troupe run --locked
# Prints wall time, provider requests and bytes moved for each. Results are troupe-sim's
# placeholders (a few hundred bytes each), so this measures per-object cost, not bandwidth.
#   N=1000 (default) renders; N=100 scripts/bench-cache.sh for a quick look.
# Binaries: `swift build -c release` outputs, or TROUPE_BIN_DIR=/dir holding troupe and troupe-sim.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-common.sh
command -v moto_server >/dev/null || { echo "moto_server is not on PATH; run scripts/bootstrap.sh" >&2; exit 1; }
N=${N:-1000}
SCALE=${SCALE:-60}
clips=$(( N < 10 ? N : 10 ))
chars=$(( (N + clips - 1) / clips ))
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
pids+=($!)
disown
s3=http://127.0.0.1:$port
for _ in $(seq 150); do curl -s -o /dev/null "$s3/" && break; sleep 0.1; done
curl -s -X PUT "$s3/bench-cache" >/dev/null
cache="s3://bench-cache/team?endpoint=$s3"
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret

"$bin/troupe-sim" serve --port 0 --placeholder-results --billed-seconds 5 --time-scale "$SCALE" --latency 5-5 \
  --concurrency 400 >"$work/sim.log" 2>&1 &
pids+=($!)
disown
for _ in $(seq 100); do grep -qs "listening on" "$work/sim.log" && break; sleep 0.1; done
url=$(sed -n 's/^troupe-sim listening on //p' "$work/sim.log")
export KLING_ACCESS_KEY=sim-access-key KLING_SECRET_KEY=sim-secret-key KLING_BASE_URL=$url
# API requests plus result downloads the simulator has served.
requests() { curl -s "$url/_sim/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["requests"] + sum(s["result_fetches"].values()))'; }

echo "machine: $(nproc) cores, $(uname -sr); campaign: $chars x $clips = $((chars * clips)) renders"
mkdir -p "$work/origin"
python3 scripts/gen-remote-manifest.py "$work/origin/troupe.yaml" "$chars" "$clips" --concurrency 200 --rate 200/s
(cd "$work/origin" && /usr/bin/time -f "%e" -o time.txt "$bin/troupe" run --time-scale "$SCALE" --poll-interval 1 --cache "$cache" \
   >run.out 2>run.err) || { echo "origin run failed" >&2; tail -5 "$work/origin/run.err" >&2; exit 1; }
echo "origin run (renders at troupe-sim, pushes to moto): $(cat "$work/origin/time.txt") s; $(grep -o 'pushed [0-9]* ([^)]*)' "$work/origin/run.err")"

# clone NAME ARGS...: a fresh clone rebuilt with `troupe run --locked ARGS`; prints its figures.
clone() {
  local name=$1; shift
  local dir=$work/$name
  mkdir -p "$dir"
  cp "$work/origin/troupe.yaml" "$work/origin/troupe.lock" "$dir/"
  sync
  local before started
  before=$(requests)
  started=$(date +%s.%N)
  (cd "$dir" && /usr/bin/time -f "%e %U %S" -o time.txt "$bin/troupe" run --locked --time-scale "$SCALE" --poll-interval 1 \
     --events events.ndjson "$@" >run.out 2>run.err) || { echo "$name exited $?" >&2; tail -5 "$dir/run.err" >&2; }
  local files bytes
  files=$(find "$dir/out" -type f -name '*.mp4' | wc -l)
  bytes=$(find "$dir/out" -type f -name '*.mp4' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  local wall user sys
  read -r wall user sys <"$dir/time.txt"
  printf '%-20s %6s s wall (troupe CPU %s s)  %5d outputs  %9d bytes  %5d provider requests (API + result downloads)\n' \
    "$name" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" "$files" "$bytes" $(( $(requests) - before ))
  diff -rq "$work/origin/out" "$dir/out" >/dev/null || echo "  $name: outputs differ from the origin's!" >&2
  # Before run_started: planning, and (with --cache) pulling what the lock names.
  python3 - "$dir/events.ndjson" "$started" <<'PY'
import datetime, json, sys
first = json.loads(open(sys.argv[1]).readline())
at = datetime.datetime.fromisoformat(first["at"].replace("Z", "+00:00")).timestamp()
print(f"  until run_started (plan + pulls): {at - float(sys.argv[2]):.2f} s")
PY
}

echo "== fresh clone of $((chars * clips)) renders, rebuilt"
clone from-shared-cache --cache "$cache"
grep -o 'pulled [0-9]* ([^)]*)' "$work/from-shared-cache/run.err" | sed 's/^/  shared cache: /' || true
clone from-provider
