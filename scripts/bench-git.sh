#!/usr/bin/env bash
# Git and CI workflow benchmarks (issue 13, "Performance"), on a finished 10,000-job campaign
# (5,000 renders + 5,000 exports) run against troupe-sim, all in one run:
#   1. `troupe plan` consulting the state store (what run will do) <= 1.1 x a plan that reads
#      the lock alone (what plan did before: the same campaign without .troupe/state.sqlite)
#   2. `troupe plan --diff HEAD` with one prompt changed <= 2 x one plan
#   3. a no-op `troupe run` (now also re-deriving the lock and checking exports' inodes) <= 1 s
# Binaries: `swift build -c release` outputs, or TROUPE_BIN_DIR=/dir holding troupe and troupe-sim.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-common.sh
SCALE=${SCALE:-60}
work=$(mktemp -d)
sim=""
cleanup() { [[ -n $sim ]] && kill "$sim" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin/troupe-sim" serve --port 0 --placeholder-results --billed-seconds 5 --time-scale "$SCALE" --latency 60-60 --concurrency 200 \
  >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 100); do grep -qs "listening on" "$work/sim.log" && break; sleep 0.1; done
url=$(sed -n 's/^troupe-sim listening on //p' "$work/sim.log")
export KLING_ACCESS_KEY=sim-access-key KLING_SECRET_KEY=sim-secret-key KLING_BASE_URL=$url

echo "machine: $(nproc) cores, $(uname -sr); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== a finished 10,000-job campaign (100 characters x 50 clips, concurrency 200)"
camp=$work/camp
mkdir -p "$camp"
python3 scripts/gen-remote-manifest.py "$camp/troupe.yaml" 100 50 --concurrency 200 --rate 500/s
(cd "$camp" && /usr/bin/time -f "  rendered in %e s" "$bin/troupe" run --time-scale "$SCALE" --poll-interval 1 >/dev/null 2>"$work/run.err") \
  || { tail -5 "$work/run.err"; exit 1; }
tail -1 "$work/run.err"
# The baseline: the same campaign with its lock and cache but no state store (plan reads the lock alone).
lockonly=$work/lockonly
mkdir -p "$lockonly"
cp "$camp/troupe.yaml" "$camp/troupe.lock" "$lockonly/"
(cd "$camp" && git init -q && git add troupe.yaml troupe.lock && git -c user.name=b -c user.email=b@b commit -qm campaign)

echo "== plan with the state store consulted vs the lock alone"
hyperfine --warmup 2 --runs 10 --export-json "$work/plan.json" \
  -n store "$bin/troupe plan $camp/troupe.yaml --max-units 1e12" \
  -n lock-only "$bin/troupe plan $lockonly/troupe.yaml --max-units 1e12" >/dev/null

echo "== plan --diff HEAD with one prompt changed"
python3 - "$camp/troupe.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
# One character's cells get their own prompt: a block of their own.
s = s.replace('renders:\n  - characters: ["*"]\n    clips: ["*"]\n',
              'renders:\n  - characters: ["*"]\n    clips: ["*"]\n    exclude: [{character: c7}]\n  - characters: [c7]\n    clips: ["*"]\n    with: {prompt: "slower"}\n')
open(p, "w").write(s)
PY
grep -q 'prompt: "slower"' "$camp/troupe.yaml" || { echo "the prompt edit did not apply" >&2; exit 1; }
hyperfine --warmup 2 --runs 10 --export-json "$work/diff.json" \
  -n diff "$bin/troupe plan --diff HEAD $camp/troupe.yaml --max-units 1e12" \
  -n plan "$bin/troupe plan $camp/troupe.yaml --max-units 1e12" >/dev/null
"$bin/troupe" plan --diff HEAD "$camp/troupe.yaml" --max-units 1e12 | head -1
(cd "$camp" && git checkout -q troupe.yaml)

echo "== no-op troupe run on the finished campaign"
(cd "$camp" && hyperfine --warmup 1 --runs 5 --export-json "$work/noop.json" -n noop "$bin/troupe run --time-scale $SCALE" >/dev/null)

python3 - "$work/plan.json" "$work/diff.json" "$work/noop.json" <<'PY'
import json, sys
res = lambda f: {r["command"]: r for r in json.load(open(f))["results"]}
p, d, n = res(sys.argv[1]), res(sys.argv[2]), res(sys.argv[3])
# CPU time (user + system) beside wall time: on a loaded machine it is the steadier figure.
ms = lambda r: f"{r['mean']*1000:.0f} ± {r['stddev']*1000:.0f} ms (cpu {(r['user']+r['system'])*1000:.0f} ms)"
cpu = lambda r: r["user"] + r["system"]
ok = lambda b: "OK" if b else "MISSED"
ratio = p["store"]["mean"] / p["lock-only"]["mean"]
print(f"  plan, state store consulted: {ms(p['store'])}; lock alone: {ms(p['lock-only'])}; ratio {ratio:.3f}, cpu {cpu(p['store'])/cpu(p['lock-only']):.3f} (target <= 1.1) {ok(ratio <= 1.1)}")
ratio = d["diff"]["mean"] / d["plan"]["mean"]
print(f"  plan --diff HEAD: {ms(d['diff'])}; one plan: {ms(d['plan'])}; ratio {ratio:.2f}, cpu {cpu(d['diff'])/cpu(d['plan']):.2f} (target <= 2) {ok(ratio <= 2)}")
r = n["noop"]
print(f"  no-op run: {ms(r)} (target <= 1000 ms) {ok(r['mean'] <= 1)}")
PY
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
