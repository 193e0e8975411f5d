#!/usr/bin/env bash
# Teams benchmarks (issue 14, "Performance"): three `troupe run --state postgres://…` runners
# sharing one account, beside one runner on SQLite (the baseline), on identical simulator
# settings in the same run.
#   1. 3 runners, account concurrency 20, 1,000 renders, fixed latency L = 60 s (time scale
#      60): makespan <= 1.05 x ceil(1000/20) x L, no 1303 after the first second, 0 duplicates
#   2. PostgreSQL statements per render (every statement the server committed, heartbeats and
#      slot waits included) <= 8; state-store CPU per job (runners + server) within 2 x SQLite's
# Binaries: `swift build -c release` outputs, or TROUPE_BIN_DIR=/dir holding troupe and troupe-sim.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-common.sh
SCALE=${SCALE:-60}; LATENCY=${LATENCY:-60}; CHARS=${CHARS:-40}; CLIPS=${CLIPS:-25}
work=$(mktemp -d)
sims=()
pg_dir=""
cleanup() {
  for p in "${sims[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -n $pg_dir ]] && bash scripts/pg-temp.sh stop "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT


# runner DIR [STATE_URL]: one `troupe run` in DIR (its own manifest copy), timed.
runner() {
  local dir=$1
  (cd "$dir" && KLING_ACCESS_KEY=sim-access-key KLING_SECRET_KEY=sim-secret-key KLING_BASE_URL=$url \
     /usr/bin/time -v -o "$dir/time.txt" "$bin/troupe" run --time-scale "$SCALE" --poll-interval 1 "${@:2}" \
     >"$dir/run.out" 2>"$dir/run.err") || echo "troupe run in $dir exited $?" >&2
}
manifest() { mkdir -p "$1"; python3 scripts/gen-remote-manifest.py "$1/troupe.yaml" "$CHARS" "$CLIPS" --concurrency 20 --rate 50/s; }
pg_cpu() {  # the server's CPU seconds so far: the postmaster and its exited backends
  local pid; pid=$(head -1 "$pg_dir/data/postmaster.pid")
  awk -v t="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15 + $16 + $17) / t }' "/proc/$pid/stat"
}
pg_commits() {
  runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql" -h "$pg_dir" -p "$PG_TEMP_PORT" -U troupe -d troupe \
    -Atc "SELECT xact_commit FROM pg_stat_database WHERE datname = 'troupe'"
}

echo "== teams: $((CHARS * CLIPS)) renders, account concurrency 20, L = $LATENCY s simulated (time scale $SCALE)"
# Baseline: one runner, SQLite.
start_sim solo --time-scale "$SCALE" --latency "$LATENCY-$LATENCY" --concurrency 20
manifest "$work/solo"
sync
s0=$(date +%s.%N); runner "$work/solo"; s1=$(date +%s.%N)
curl -s "$url/_sim/stats" >"$work/solo/stats.json"
echo "solo $s0 $s1" >"$work/times"

# Three runners, one account, PostgreSQL.
eval "$(bash scripts/pg-temp.sh start)"; pg_dir=$PG_TEMP_DIR
TROUPE_STATE_URL=$TROUPE_STATE_URL "$bin/troupe" state migrate >/dev/null
start_sim team --time-scale "$SCALE" --latency "$LATENCY-$LATENCY" --concurrency 20
for r in 1 2 3; do manifest "$work/team$r"; done
sync
cpu0=$(pg_cpu); c0=$(pg_commits)
t0=$(date +%s.%N)
runners=()
for r in 1 2 3; do TROUPE_STATEMENT_COUNTS=$work/statements.jsonl runner "$work/team$r" --state "$TROUPE_STATE_URL" & runners+=($!); done
wait "${runners[@]}"   # not the simulators, which run until the end
t1=$(date +%s.%N)
cpu1=$(pg_cpu); c1=$(pg_commits)
curl -s "$url/_sim/stats" >"$work/team-stats.json"
echo "team $t0 $t1 $cpu0 $cpu1 $c0 $c1" >>"$work/times"

python3 - "$work" "$SCALE" "$LATENCY" "$((CHARS * CLIPS))" <<'PY'
import json, math, re, sys, os
work, scale, latency, renders = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
times = {l.split()[0]: [float(x) for x in l.split()[1:]] for l in open(os.path.join(work, "times"))}
def tv(d):
    t = open(os.path.join(work, d, "time.txt")).read()
    g = lambda p: float(re.search(p, t).group(1))
    return g(r"User time \(seconds\): (\S+)") + g(r"System time \(seconds\): (\S+)")
def jobs(d):
    m = re.search(r"(\d+) job\(s\) done", open(os.path.join(work, d, "run.err")).read())
    return int(m.group(1)) if m else 0
ok = lambda b: "ok" if b else "MISSED"
ideal = math.ceil(renders / 20) * latency
solo = json.load(open(os.path.join(work, "solo", "stats.json")))
team = json.load(open(os.path.join(work, "team-stats.json")))
s0, s1 = times["solo"]; t0, t1, cpu0, cpu1, c0, c1 = times["team"]
solo_make, team_make = (s1 - s0) * scale, (t1 - t0) * scale
print(f"  makespan: 3 runners {team_make:.0f} s simulated ({t1 - t0:.1f} s real) = {team_make / ideal:.3f} x ideal {ideal:.0f} s "
      f"(target <= 1.05) {ok(team_make <= 1.05 * ideal)}; 1 runner on SQLite {solo_make:.0f} s = {solo_make / ideal:.3f} x")
r1303 = lambda st: st.get("rejections", {}).get("1303", 0)
dups = team.get("duplicate_rejections", 0)
print(f"  creates: {team['creates']} (renders {renders}), duplicates {dups} {ok(dups == 0 and team['creates'] == renders)}; "
      f"peak in flight {team['peak_concurrency']} (account 20) {ok(team['peak_concurrency'] <= 20)}; 1303 answers {r1303(team)} "
      f"(target 0) {ok(r1303(team) == 0)}; solo: 1303 {r1303(solo)}")
statements = c1 - c0
print(f"  PostgreSQL statements: {statements:.0f} = {statements / renders:.1f} per render (target <= 8) {ok(statements / renders <= 8)}")
kinds = {}
for line in open(os.path.join(work, "statements.jsonl")):
    for k, v in json.loads(line).items(): kinds[k] = kinds.get(k, 0) + v
print("    by kind, per render: " + ", ".join(f"{k} {v / renders:.2f}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
def wall(d):
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", open(os.path.join(work, d, "time.txt")).read())
    return (int(m.group(1) or 0) * 60 + int(m.group(2))) * 60 + float(m.group(3))
def phases(stats, t0, t1):  # simulated seconds before the first create, between, after the last task ended
    first, last = stats.get("first_create_at"), stats.get("last_create_at")
    if first is None or last is None: return "n/a"
    return f"{(first - t0) * scale:.0f} s to the first create, {(last - first) * scale + latency:.0f} s of renders, {(t1 - last) * scale - latency:.0f} s after the last ended"
print(f"  where it went: 3 runners {phases(team, t0, t1)}; 1 runner {phases(solo, s0, s1)}")
walls = sorted(wall(f"team{r}") for r in (1, 2, 3))
print(f"  runners' own wall times: {', '.join(f'{w * scale:.0f}' for w in walls)} s simulated")
solo_cpu, solo_jobs = tv("solo"), jobs("solo")
team_cpu = sum(tv(f"team{r}") for r in (1, 2, 3)); team_jobs = sum(jobs(f"team{r}") for r in (1, 2, 3))
pg = cpu1 - cpu0
per_solo = solo_cpu / max(solo_jobs, 1) * 1000
per_team = (team_cpu + pg) / max(team_jobs, 1) * 1000
print(f"  CPU per job: SQLite runner {per_solo:.2f} ms ({solo_cpu:.1f} s / {solo_jobs} jobs); 3 runners + PostgreSQL "
      f"{per_team:.2f} ms (({team_cpu:.1f} + server {pg:.1f}) s / {team_jobs} jobs) = {per_team / per_solo:.2f} x (target <= 2) "
      f"{ok(per_team <= 2 * per_solo)}")
PY
