#!/usr/bin/env bash
# Benchmarks: prints figures, each beside its baseline measured in the same run.
#   scripts/bench.sh [manifest|media|net|all]     (default all)
# Figures are copied by hand into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null; }
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

if [[ $what == all || $what == media ]] && [[ -x scripts/bench-media.sh ]]; then
  bash scripts/bench-media.sh
fi
if [[ $what == all || $what == net ]] && [[ -x scripts/bench-net.sh ]]; then
  bash scripts/bench-net.sh
fi
