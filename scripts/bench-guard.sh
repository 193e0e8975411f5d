#!/usr/bin/env bash
# Guard rails' cost (issue 27, "Performance"): the balance check and the policies add <= 50 ms to
# `troupe run` and `troupe plan`. Each is timed beside the same command without it, alternating
# (hyperfine), on a 2 x 2 Kling campaign against troupe-sim:
#   plan: budget with warn_units + max_render_units against max_units alone
#   run:  a fresh run (4 renders) reading the account's packs first, against --ignore-balance
# Binaries: `swift build -c release` outputs, or TROUPE_BIN_DIR=/dir holding troupe and troupe-sim.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-common.sh
work=$(mktemp -d)
sims=()
cleanup() { for p in "${sims[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
RUNS=${RUNS:-20}

start_sim guard --time-scale 1000 --latency 1-1 --pack-units 1000000
export KLING_ACCESS_KEY=sim-access-key KLING_SECRET_KEY=sim-secret-key KLING_BASE_URL=$url
for v in plain policies; do
  mkdir -p "$work/$v"
  python3 scripts/gen-remote-manifest.py "$work/$v/troupe.yaml" 2 2
done
sed -i 's/^budget: {max_units: \([0-9.e+]*\)}/budget: {max_units: \1, warn_units: 1000000, max_render_units: 1000}/' "$work/policies/troupe.yaml"
grep -q warn_units "$work/policies/troupe.yaml" || { echo "policies not set" >&2; exit 1; }
echo "machine: $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== plan: policies against none (2 x 2 Kling campaign)"
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/plan.json" \
  -n none "$bin/troupe plan $work/plain/troupe.yaml" \
  -n policies "$bin/troupe plan $work/policies/troupe.yaml" >/dev/null

echo "== run: reading the balance first against --ignore-balance (4 renders, fresh each time)"
cd "$work/plain"
hyperfine --warmup 2 --runs "$RUNS" --export-json "$work/run.json" \
  --prepare "rm -rf .troupe out troupe.lock" \
  -n ignore-balance "$bin/troupe run --time-scale 1000 --poll-interval 1 --ignore-balance" \
  -n balance "$bin/troupe run --time-scale 1000 --poll-interval 1" >/dev/null
cd - >/dev/null
grep -q "\"/account/costs\"\|account/costs" "$work/guard.sim.log" 2>/dev/null || true

python3 - "$work/plan.json" "$work/run.json" <<'PY'
import json, sys
for path, base, with_, what in [(sys.argv[1], "none", "policies", "plan with policies"),
                                (sys.argv[2], "ignore-balance", "balance", "run with the balance check")]:
    r = {x["command"]: x for x in json.load(open(path))["results"]}
    b, w = r[base], r[with_]
    added = (w["median"] - b["median"]) * 1000
    print(f"{what}: {w['median']*1000:.1f} ms median (mean {w['mean']*1000:.1f} ± {w['stddev']*1000:.1f}) against "
          f"{b['median']*1000:.1f} ms (mean {b['mean']*1000:.1f} ± {b['stddev']*1000:.1f}): adds {added:+.1f} ms (target <= 50 ms)")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
