#!/usr/bin/env bash
# Benchmarks: prints figures, each beside its baseline measured in the same run.
#   scripts/bench.sh [manifest|plan|media|deliver|net|run|fal|report|git|teams|cache|guard|all]     (default all)
# Figures are copied by hand into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
bash scripts/bootstrap.sh
# Benchmark-only tools and baselines (never needed by the tests).
need=()
for tool in hyperfine:hyperfine wrk:wrk ffmpeg:ffmpeg valgrind:valgrind; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
if ((${#need[@]})); then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
swift build -c release --product troupe 2>&1 | grep -E "error|Compiling troupe" || true
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

peak_rss_mb() {  # peak resident set of a command, in MB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident set size/ { printf "%.1f", $6 / 1024 }'
}

if [[ $what == all || $what == manifest ]]; then
  echo "== manifest: load + validate 5,000 characters x 2,000 clips, 50 render blocks"
  python3 scripts/gen-manifest.py "$work/big.yaml" 5000 2000 50
  echo "file: $(du -k "$work/big.yaml" | cut -f1) KiB"
  hyperfine --warmup 2 --runs 15 --export-json "$work/manifest.json" \
    -n troupe "$bin/troupe validate $work/big.yaml" \
    -n pyyaml-csafe "python3 -c 'import yaml,sys; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)' $work/big.yaml"
  python3 - "$work/manifest.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
t, p = r["troupe"]["mean"], r["pyyaml-csafe"]["mean"]
print(f"troupe validate: {t*1000:.0f} ms (target <= 500 ms); PyYAML CSafeLoader: {p*1000:.0f} ms; ratio {t/p:.2f}x (target <= 1.0x)")
PY
  echo "troupe peak RSS: $(peak_rss_mb "$bin/troupe" validate "$work/big.yaml") MB (target <= 200 MB)"
fi

if [[ $what == all || $what == plan ]]; then
  echo "== plan: 10,000 cells (100 x 100), full plan + JSON"
  mkdir -p "$work/p10k" "$work/p1m" "$work/local"
  python3 scripts/gen-manifest.py "$work/p10k/troupe.yaml" 100 100 4
  hyperfine --warmup 2 --runs 10 --export-json "$work/p10k.json" \
    -n plan-json "$bin/troupe plan $work/p10k/troupe.yaml --json --max-units 1e12"
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["results"][0]["mean"]; print(f"plan + JSON of 10,000 cells: {m*1000:.0f} ms (target <= 300 ms)")' "$work/p10k.json"

  echo "== plan: 1,000,000 cells (1,000 x 1,000)"
  python3 scripts/gen-manifest.py "$work/p1m/troupe.yaml" 1000 1000 10
  /usr/bin/time -v "$bin/troupe" plan "$work/p1m/troupe.yaml" --max-units 1e12 2> "$work/p1m.time" > /dev/null
  awk -F': ' '/Elapsed \(wall clock\)/ { print "plan of 1,000,000 cells (table): " $2 " wall (target <= 10 s)" }
              /Maximum resident/ { printf "  peak RSS: %.0f MB (target <= 2048 MB)\n", $2 / 1024 }' "$work/p1m.time"
  /usr/bin/time -v "$bin/troupe" plan "$work/p1m/troupe.yaml" --json --max-units 1e12 2> "$work/p1mj.time" > /dev/null
  awk -F': ' '/Elapsed \(wall clock\)/ { print "plan of 1,000,000 cells (--json): " $2 " wall" }
              /Maximum resident/ { printf "  peak RSS: %.0f MB\n", $2 / 1024 }' "$work/p1mj.time"

  echo "== plan: re-plan of 10,000 cells with 10,000 local media files, warm digest cache; baseline snakemake -n"
  "$bin/troupe" media synth "$work/template.png" --width 320 --height 400
  python3 scripts/gen-manifest.py "$work/local/troupe.yaml" 10000 1 1 --local-images "$work/template.png"
  "$bin/troupe" plan "$work/local/troupe.yaml" --max-units 1e12 > /dev/null   # warms .troupe/digests and probes.json
  python3 - "$work/local" <<'PY'
import sys, os
d = sys.argv[1]
with open(os.path.join(d, "Snakefile"), "w") as f:
    f.write('CHARS = [f"c{i}" for i in range(10000)]\n')
    f.write('rule all:\n    input: expand("out/renders/{c}/k0.mp4", c=CHARS)\n')
    f.write('rule render:\n    input: image="media/{c}.png"\n    output: "out/renders/{c}/k0.mp4"\n    shell: "touch {output}"\n')
PY
  if ! command -v snakemake >/dev/null; then python3 -m pip install -q snakemake; fi
  (cd "$work/local" && hyperfine --warmup 1 --runs 5 --export-json "$work/replan.json" \
    -n troupe-replan "$bin/troupe plan troupe.yaml --max-units 1e12" \
    -n snakemake-dry-run "snakemake -n --quiet --cores 1")
  python3 - "$work/replan.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
t, s = r["troupe-replan"], r["snakemake-dry-run"]
print(f"warm re-plan: {t*1000:.0f} ms (target <= 500 ms); snakemake -n: {s*1000:.0f} ms; troupe is {s/t:.1f}x faster (target >= 20x)")
PY
fi

if [[ $what == all || $what == deliver ]]; then
  echo "== deliver: a reels deliverable in-process against the ffmpeg CLI, loudness, twenty at once"
  bash scripts/bench-deliver.sh
fi

if [[ $what == all || $what == media ]] && [[ -x scripts/bench-media.sh ]]; then
  bash scripts/bench-media.sh
fi
if [[ $what == all || $what == net ]] && [[ -x scripts/bench-net.sh ]]; then
  bash scripts/bench-net.sh
fi
if [[ $what == all || $what == run ]]; then
  bash scripts/bench-run.sh
fi
if [[ $what == all || $what == fal ]]; then
  bash scripts/bench-fal.sh
fi
if [[ $what == all || $what == report ]]; then
  TROUPE_BIN_DIR=$bin bash scripts/bench-report.sh
fi
if [[ $what == all || $what == git ]]; then
  swift build -c release --product troupe-sim 2>&1 | grep -E "error" || true
  TROUPE_BIN_DIR=$bin bash scripts/bench-git.sh
fi
if [[ $what == all || $what == teams ]]; then
  swift build -c release --product troupe-sim 2>&1 | grep -E "error" || true
  TROUPE_BIN_DIR=$bin bash scripts/bench-teams.sh
fi
if [[ $what == all || $what == cache ]]; then
  swift build -c release --product troupe-sim 2>&1 | grep -E "error" || true
  TROUPE_BIN_DIR=$bin bash scripts/bench-cache.sh
fi
if [[ $what == all || $what == guard ]]; then
  swift build -c release --product troupe-sim 2>&1 | grep -E "error" || true
  TROUPE_BIN_DIR=$bin bash scripts/bench-guard.sh
fi
