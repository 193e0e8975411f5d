#!/usr/bin/env bash
# fal against Kling (issue 26, "Performance"): the same 1,000-render campaign (40 x 25, 2,000
# jobs with the exports) run by troupe against troupe-sim twice, on the same simulator
# settings — once through Kling's API, once through fal's queue — in the same run:
#   1. CPU per job of the fal path <= 1.10 x the Kling path's
#   2. the fal path's makespan at the account's concurrency (20) <= 1.05 x the ideal,
#      ceil(1000 / 20) x L with a fixed task latency L
# Binaries: `swift build -c release` outputs, or TROUPE_BIN_DIR=/dir holding troupe and troupe-sim.
# PAIRS=N alternates N Kling/fal pairs (default 2); every figure is printed, then the means.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-common.sh
SCALE=${SCALE:-60}
LATENCY=${LATENCY:-60}
PAIRS=${PAIRS:-2}
work=$(mktemp -d)
sims=()
cleanup() { for p in "${sims[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
stop_sim() { kill "${sims[-1]}" 2>/dev/null || true; wait "${sims[-1]}" 2>/dev/null || true; unset 'sims[-1]'; }

# One simulator config for both paths: Kling's and fal's concurrency both 20, fixed latency.
cat >"$work/sim.json" <<JSON
{"time_scale": $SCALE, "latency_min": $LATENCY, "latency_max": $LATENCY, "concurrency_limit": 20,
 "fal_concurrency": 20, "billed_seconds": 5}
JSON

# run_one NAME PROVIDER: troupe run of the 1,000-render campaign in $work/NAME.
run_one() {
  local name=$1 provider=$2 dir=$work/$1
  mkdir -p "$dir"
  python3 scripts/gen-remote-manifest.py "$dir/troupe.yaml" 40 25 --concurrency 20 --rate 50/s --provider "$provider"
  start_sim "$name" --config "$work/sim.json"
  sync
  (cd "$dir" && KLING_ACCESS_KEY=sim-access-key KLING_SECRET_KEY=sim-secret-key KLING_BASE_URL=$url \
     FAL_KEY=sim-fal-key FAL_BASE_URL=$url FAL_API_URL=$url/v1 \
     /usr/bin/time -v -o "$dir/time.txt" "$bin/troupe" run --time-scale "$SCALE" --poll-interval 1 --events events.ndjson \
     >"$dir/run.out" 2>"$dir/run.err") || echo "troupe run $name exited $?" >&2
  curl -s "$url/_sim/stats" >"$dir/stats.json"
  stop_sim
}

echo "machine: $(nproc) cores, $(uname -sr); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "settings: time scale $SCALE, task latency L = $LATENCY s simulated, concurrency 20, $PAIRS pair(s)"
names=()
for i in $(seq "$PAIRS"); do
  run_one "kling-$i" kling
  run_one "fal-$i" fal
  names+=("kling-$i" "fal-$i")
done

python3 - "$work" "$SCALE" "$LATENCY" "${names[@]}" <<'PY'
import json, math, os, re, sys
work, scale, latency, names = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
def figures(name):
    d = os.path.join(work, name)
    t = open(os.path.join(d, "time.txt")).read()
    g = lambda pat: re.search(pat, t).group(1)
    wall = sum(float(p) * 60 ** i for i, p in enumerate(reversed(g(r"Elapsed \(wall clock\) time.*: (\S+)").split(":"))))
    cpu = float(g(r"User time \(seconds\): (\S+)")) + float(g(r"System time \(seconds\): (\S+)"))
    ev = [json.loads(l) for l in open(os.path.join(d, "events.ndjson"))]
    fin = [e for e in ev if e["event"] == "run_finished"][-1]
    jobs = sum(fin["counts"].values())
    st = json.load(open(os.path.join(d, "stats.json")))
    made = st.get("fal_submissions") if name.startswith("fal") else st.get("creates")
    return {"wall": wall, "cpu": cpu, "jobs": jobs, "made": made, "counts": fin["counts"],
            "rss": int(g(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024}
ideal = math.ceil(1000 / 20) * latency
rows = {n: figures(n) for n in names}
for n, f in rows.items():
    print(f"  {n}: {f['jobs']} jobs {f['counts']}, {f['made']} submitted; CPU {f['cpu']:.2f} s = {f['cpu'] / f['jobs'] * 1000:.2f} ms per job; "
          f"makespan {f['wall'] * scale:.0f} s simulated = {f['wall'] * scale / ideal:.3f} x ideal {ideal:.0f} s; peak RSS {f['rss']:.0f} MB")
mean = lambda k, p: sum(f[k] / f["jobs"] for n, f in rows.items() if n.startswith(p)) / sum(1 for n in rows if n.startswith(p))
ratio = mean("cpu", "fal") / mean("cpu", "kling")
span = sum(f["wall"] * scale / ideal for n, f in rows.items() if n.startswith("fal")) / sum(1 for n in rows if n.startswith("fal"))
ok = lambda b: "OK" if b else "MISSED"
print(f"  CPU per job: fal {mean('cpu', 'fal') * 1000:.2f} ms, kling {mean('cpu', 'kling') * 1000:.2f} ms = {ratio:.3f} x (target <= 1.10) {ok(ratio <= 1.10)}")
print(f"  fal makespan: {span:.3f} x ideal (target <= 1.05) {ok(span <= 1.05)}")
PY
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
