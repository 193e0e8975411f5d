#!/usr/bin/env bash
# Executor benchmarks (issue 7, "Performance"): troupe run against troupe-sim, beside a naive
# client (scripts/naive-client.py) on identical simulator settings, in the same run.
#   1. slot utilisation: 1,000 renders, concurrency 20, fixed latency L = 60 s (time scale 60):
#      makespan <= 1.03 x ceil(1000/20) x L, no 1303 after the first second; faults off, then on
#   2. scheduler CPU <= 1 ms per job, peak RSS <= 200 MB while running 10,000 jobs
#   3. no-op `troupe run` on the finished 10,000-job campaign <= 1 s
# Binaries: `swift build -c release` outputs, or TROUPE_BIN_DIR=/dir holding troupe and troupe-sim.
# SKIP_SLOTS=1 runs only scenarios 2 and 3.
# Each scenario gets a fresh simulator on a free port; all are killed on exit.
# On ext4 without a journal, creating files right after deleting many (this script's own
# cleanup at the end included) costs extra kernel time: wait a few minutes between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source scripts/bench-common.sh
SCALE=${SCALE:-60}          # simulated seconds per real second
LATENCY=${LATENCY:-60}      # simulated seconds per task (L)
WORKERS=${WORKERS:-32}      # naive client threads
FAULTS=${FAULTS:---error-rate 0.05 --drop-rate 0.02 --seed 7}
work=$(mktemp -d)
sims=()
cleanup() { for p in "${sims[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

stop_sim() { kill "${sims[-1]}" 2>/dev/null || true; wait "${sims[-1]}" 2>/dev/null || true; unset 'sims[-1]'; }

# troupe_run NAME CHARACTERS CLIPS CONCURRENCY RATE: runs troupe in $work/NAME against $url.
troupe_run() {
  local name=$1 dir=$work/$1
  mkdir -p "$dir"
  python3 scripts/gen-remote-manifest.py "$dir/troupe.yaml" "$2" "$3" --concurrency "$4" --rate "$5"
  # Earlier runs' dirty pages are written out first, so no run pays for another's files.
  sync
  (cd "$dir" && KLING_ACCESS_KEY=sim-access-key KLING_SECRET_KEY=sim-secret-key KLING_BASE_URL=$url \
     /usr/bin/time -v -o "$dir/time.txt" "$bin/troupe" run --time-scale "$SCALE" --poll-interval 1 --events events.ndjson \
     >"$dir/run.out" 2>"$dir/run.err") || echo "troupe run $name exited $?" >&2
  curl -s "$url/_sim/stats" >"$dir/stats.json"
}

# naive_run NAME RENDERS: the baseline in $work/NAME against $url.
naive_run() {
  local dir=$work/$1
  mkdir -p "$dir"
  python3 scripts/naive-client.py --url "$url" --renders "$2" --workers "$WORKERS" --time-scale "$SCALE" >"$dir/naive.json"
  curl -s "$url/_sim/stats" >"$dir/stats.json"
}

# report.py: prints one scenario's figures (troupe and naive side by side).
cat >"$work/report.py" <<'PY'
import json, math, re, sqlite3, sys, datetime, os
mode, work, scale, latency = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])

def time_v(path):
    t = open(path).read()
    g = lambda pat: re.search(pat, t).group(1)
    wall = g(r"Elapsed \(wall clock\) time.*: (\S+)")
    parts = [float(x) for x in wall.split(":")]
    wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {"wall": wall, "user": float(g(r"User time \(seconds\): (\S+)")), "sys": float(g(r"System time \(seconds\): (\S+)")),
            "rss_mb": int(g(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024}

def troupe(name):
    d = os.path.join(work, name)
    tv = time_v(os.path.join(d, "time.txt"))
    st = json.load(open(os.path.join(d, "stats.json")))
    ev = [json.loads(l) for l in open(os.path.join(d, "events.ndjson"))]
    fin = [e for e in ev if e["event"] == "run_finished"][-1]
    jobs = sum(fin["counts"].values())
    db = sqlite3.connect(os.path.join(d, ".troupe/state.sqlite"))
    ts = lambda s: datetime.datetime.fromisoformat(s).timestamp()
    first = ts(db.execute("select min(at) from ledger where event='intent'").fetchone()[0])
    late = [ts(a) - first for (a,) in db.execute("select at from ledger where detail like '%1303%'")]
    return {"tv": tv, "st": st, "jobs": jobs, "done": fin["counts"], "renders": len(st.get("creates_by_external_id", {})),
            "ledger_1303": len(late), "ledger_1303_after_1s": sum(1 for x in late if x > 1.0),
            "ledger": dict(((e, dt or ""), n) for e, dt, n in db.execute(
                "select event, case when event='created' then '' else detail end, count(*) from ledger group by 1, 2"))}

def naive(name):
    d = os.path.join(work, name)
    return {"out": json.load(open(os.path.join(d, "naive.json"))), "st": json.load(open(os.path.join(d, "stats.json")))}

def r1303(st): return st.get("rejections", {}).get("1303", 0)

if mode == "slots":
    tr, nv = troupe(sys.argv[5]), naive(sys.argv[6])
    n = tr["renders"]
    ideal = math.ceil(n / 20) * latency
    tm = tr["tv"]["wall"] * scale
    nm = nv["out"]["makespan_s"] * scale
    ok = lambda b: "OK" if b else "MISSED"
    print(f"  makespan: troupe {tm:.0f} s simulated ({tr['tv']['wall']:.2f} s real) = {tm/ideal:.3f} x ideal {ideal:.0f} s "
          f"(target <= 1.03) {ok(tm <= 1.03 * ideal)}; naive {nm:.0f} s ({nv['out']['makespan_s']:.2f} s real) = {nm/ideal:.3f} x")
    print(f"  1303 answers: troupe {r1303(tr['st'])} (ledger: {tr['ledger_1303']}, after the first second: {tr['ledger_1303_after_1s']}; "
          f"target 0 after 1 s) {ok(tr['ledger_1303_after_1s'] == 0)}; naive {r1303(nv['st'])}")
    print(f"  peak concurrency at the simulator: troupe {tr['st']['peak_concurrency']}; naive {nv['st']['peak_concurrency']}")
    print(f"  tasks created for {n} renders: troupe {tr['st']['creates']} (duplicates {tr['st']['creates'] - n}); "
          f"naive {nv['st']['creates']} (duplicates {nv['st']['creates'] - nv['out']['renders']})")
    print(f"  units charged: troupe {tr['st']['units_charged']:g}; naive {nv['st']['units_charged']:g} (one each: {n * 4.5:g})")
    print(f"  other rejections: troupe {tr['st']['rejections']}; naive {nv['st']['rejections']}")
    print(f"  outcome: troupe jobs {tr['done']}, ledger {tr['ledger']}; naive succeeded {nv['out']['succeeded']}, failed {nv['out']['failed']}, {nv['out']['counts']}")
    cpu = tr["tv"]["user"] + tr["tv"]["sys"]
    print(f"  troupe CPU: {cpu:.2f} s (user {tr['tv']['user']:.2f} + sys {tr['tv']['sys']:.2f}) for {tr['jobs']} jobs = "
          f"{cpu / tr['jobs'] * 1000:.2f} ms per job, {cpu / n * 1000:.2f} ms per render; peak RSS {tr['tv']['rss_mb']:.0f} MB")
elif mode == "scale":
    tr = troupe(sys.argv[5])
    cpu = tr["tv"]["user"] + tr["tv"]["sys"]
    ok = lambda b: "OK" if b else "MISSED"
    print(f"  jobs: {tr['jobs']} ({tr['done']}), renders {tr['renders']}, creates {tr['st']['creates']}, 1303 {r1303(tr['st'])}, "
          f"peak concurrency {tr['st']['peak_concurrency']}, wall {tr['tv']['wall']:.1f} s")
    print(f"  CPU per job: {cpu / tr['jobs'] * 1000:.2f} ms (user {tr['tv']['user']:.2f} + sys {tr['tv']['sys']:.2f} s; "
          f"target <= 1 ms) {ok(cpu / tr['jobs'] <= 0.001)}")
    print(f"  peak RSS: {tr['tv']['rss_mb']:.0f} MB (target <= 200 MB) {ok(tr['tv']['rss_mb'] <= 200)}")
PY

echo "machine: $(nproc) cores, $(uname -sr); $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "settings: time scale $SCALE, task latency L = $LATENCY s simulated ($(python3 -c "print($LATENCY/$SCALE)") s real), naive client $WORKERS threads"

# SKIP_SLOTS=1: only the 10,000-job and no-op scenarios (a before/after comparison of CPU).
for faults in off on; do
  [[ ${SKIP_SLOTS:-} == 1 ]] && break
  if [[ $faults == off ]]; then extra=(); else read -r -a extra <<<"$FAULTS"; fi
  echo "== slot utilisation: 1,000 renders (40 x 25), simulator concurrency 20, faults $faults ${extra[*]:-}"
  start_sim "t-$faults" --time-scale "$SCALE" --latency "$LATENCY-$LATENCY" --concurrency 20 "${extra[@]}"
  troupe_run "t-$faults" 40 25 20 50/s
  stop_sim
  start_sim "n-$faults" --time-scale "$SCALE" --latency "$LATENCY-$LATENCY" --concurrency 20 "${extra[@]}"
  naive_run "n-$faults" 1000
  stop_sim
  python3 "$work/report.py" slots "$work" "$SCALE" "$LATENCY" "t-$faults" "n-$faults"
  echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
done

echo "== 10,000 jobs: 5,000 renders (100 x 50) + 5,000 exports, concurrency 200, L = $LATENCY s"
start_sim big --time-scale "$SCALE" --latency "$LATENCY-$LATENCY" --concurrency 200
troupe_run big 100 50 200 500/s
python3 "$work/report.py" scale "$work" "$SCALE" "$LATENCY" big
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== no-op troupe run on the finished 10,000-job campaign"
(cd "$work/big" && KLING_ACCESS_KEY=sim-access-key KLING_SECRET_KEY=sim-secret-key KLING_BASE_URL=$url \
  hyperfine --warmup 1 --runs 5 --export-json "$work/noop.json" -n noop "$bin/troupe run --time-scale $SCALE" >/dev/null)
curl -s "$url/_sim/stats" >"$work/big/stats-after.json"
stop_sim
python3 - "$work/noop.json" "$work/big/stats.json" "$work/big/stats-after.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
before, after = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
print(f"  no-op run: {r['mean']*1000:.0f} ± {r['stddev']*1000:.0f} ms (min {r['min']*1000:.0f}, max {r['max']*1000:.0f}; target <= 1000 ms) "
      f"{'OK' if r['mean'] <= 1 else 'MISSED'}; simulator requests during the no-op runs: {after['requests'] - before['requests']}")
PY
echo "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
