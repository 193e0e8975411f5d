#!/usr/bin/env bash
# `troupe report` figures (issue 16): the demo campaign, and a 50 x 50 campaign with 2,500
# rendered cells (first report: one poster decoded per render; second: all cached).
# Then (issue 27) the report and `status --timeline --json` of a campaign whose last run
# recorded a 1,000-job timeline (20 x 25 renders and their exports on preview).
#   scripts/bench-report.sh            (bench.sh report runs it after building)
# Uses TROUPE_BIN_DIR when set, otherwise builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n ${TROUPE_BIN_DIR:-} ]]; then bin=$TROUPE_BIN_DIR; else
  swift build -c release --product troupe 2>&1 | grep -E "error" || true
  bin=$(swift build -c release --show-bin-path)
fi
command -v hyperfine >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# mean ± sd of a hyperfine export, in ms
mean_ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f ± %.0f ms" % (r["mean"]*1000, r["stddev"]*1000))' "$1"; }
wall() { /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB peak RSS" "$@" 2>&1 >/dev/null | tail -1; }

echo "== report: demo campaign (2 x 2, rendered on preview)"
cp -r manifests/demo "$work/demo"
"$bin/troupe" run "$work/demo/troupe.yaml" 2>/dev/null
echo "first report (posters made): $(wall "$bin/troupe" report "$work/demo/troupe.yaml")"
hyperfine --warmup 1 --runs 10 --export-json "$work/demo.json" -n report "$bin/troupe report $work/demo/troupe.yaml" >/dev/null
echo "report, posters cached: $(mean_ms "$work/demo.json") (target <= 1 s)"
hyperfine --runs 5 --prepare "rm -rf $work/demo/.troupe/posters $work/demo/out/report" --export-json "$work/democold.json" \
  -n report-cold "$bin/troupe report $work/demo/troupe.yaml" >/dev/null
echo "report, no poster cached: $(mean_ms "$work/democold.json") (target <= 1 s)"

echo "== report: 50 characters x 50 clips, 2,500 renders (preview, 3 s clips at 5 fps, no sound)"
# TROUPE_REPORT_BENCH_DIR keeps the rendered campaign for the next run (rendering is most of
# the time); the reports are measured afresh each time.
big=${TROUPE_REPORT_BENCH_DIR:-$work/big}
if [[ -f $big/troupe.lock ]]; then echo "render: reusing the campaign rendered earlier in $big"; else
mkdir -p "$big/media"
for i in $(seq 0 49); do
  "$bin/troupe" media synth "$big/media/c$i.png" --width 400 --height 400 --seed "$i"
  "$bin/troupe" media synth "$big/media/k$i.mp4" --width 480 --height 360 --fps 5 --seconds 3 --gop 5 --tone 0 --seed "$((i + 100))"
done
python3 - "$big/troupe.yaml" <<'PY'
import sys
out = ["troupe: 1", "name: report-bench", "provider: {use: preview, model: kling-v3, mode: std}",
       "budget: {max_units: 10000, usd_per_unit: 0.14}", "defaults: {orientation: video, keep_sound: false}", "characters:"]
out += [f"  c{i}: {{image: media/c{i}.png}}" for i in range(50)]
out += ["clips:"] + [f"  k{i}: {{video: media/k{i}.mp4}}" for i in range(50)]
out += ["renders:", "  - characters: [\"*\"]", "    clips: [\"*\"]",
        "outputs:", "  - name: \"{character}-reel\"", "    concat: [\"{character}/*\"]"]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
echo "render 2,500 cells + 50 reels: $(wall "$bin/troupe" run "$big/troupe.yaml")"
fi
# Moved aside, not deleted: ext4 without a journal makes new inodes slow for a while after a
# mass deletion (docs/benchmarks.md, Executor), which would be charged to the first report.
if [[ -d $big/.troupe/posters ]]; then mv "$big/.troupe/posters" "$work/old-posters"; fi
if [[ -d $big/out/report ]]; then mv "$big/out/report" "$work/old-report"; fi
echo "first report (2,500 posters + 100 heads + 50 filmstrips made): $(wall "$bin/troupe" report "$big/troupe.yaml")  (target <= 20 s)"
echo "second report (all cached): $(wall "$bin/troupe" report "$big/troupe.yaml")  (target <= 1 s)"
hyperfine --warmup 1 --runs 5 --export-json "$work/big.json" -n report "$bin/troupe report $big/troupe.yaml" >/dev/null
echo "second report, hyperfine: $(mean_ms "$work/big.json")"
echo "page: index.html $(du -k "$big/out/report/index.html" | cut -f1) KiB; posters $(ls "$big/out/report/posters" | wc -l) files, $(du -sk "$big/out/report/posters" | cut -f1) KiB"

echo "== report: a 1,000-job timeline (20 characters x 25 clips on preview: 500 renders + 500 exports)"
# The timeline the report shows is the one the state store keeps of the last run that started
# a job: a real run makes it. TROUPE_TIMELINE_BENCH_DIR keeps the campaign for the next time.
tl=${TROUPE_TIMELINE_BENCH_DIR:-$work/timeline}
if [[ -f $tl/troupe.lock ]]; then echo "render: reusing the campaign rendered earlier in $tl"; else
mkdir -p "$tl/media"
for i in $(seq 0 19); do "$bin/troupe" media synth "$tl/media/c$i.png" --width 400 --height 400 --seed "$i"; done
for i in $(seq 0 24); do
  "$bin/troupe" media synth "$tl/media/k$i.mp4" --width 480 --height 360 --fps 5 --seconds 3 --gop 5 --tone 0 --seed "$((i + 100))"
done
python3 - "$tl/troupe.yaml" <<'PY'
import sys
out = ["troupe: 1", "name: timeline-bench", "provider: {use: preview, model: kling-v3, mode: std}",
       "defaults: {orientation: video, keep_sound: false}", "characters:"]
out += [f"  c{i}: {{image: media/c{i}.png}}" for i in range(20)]
out += ["clips:"] + [f"  k{i}: {{video: media/k{i}.mp4}}" for i in range(25)]
out += ["renders:", "  - characters: [\"*\"]", "    clips: [\"*\"]"]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
echo "render 500 cells (the run the timeline records): $(wall "$bin/troupe" run "$tl/troupe.yaml")"
fi
"$bin/troupe" status "$tl/troupe.yaml" --timeline --json > "$work/timeline.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("timeline: %d jobs over %.1f s" % (len(d["jobs"]), d["run"]["seconds"]))' "$work/timeline.json"
"$bin/troupe" report "$tl/troupe.yaml" >/dev/null   # posters made once, outside the figures
echo "report with the 1,000-job timeline, posters cached: $(wall "$bin/troupe" report "$tl/troupe.yaml")  (target <= 1 s)"
hyperfine --warmup 1 --runs 10 --export-json "$work/timeline-report.json" -n report "$bin/troupe report $tl/troupe.yaml" >/dev/null
echo "report with the 1,000-job timeline, hyperfine: $(mean_ms "$work/timeline-report.json")"
hyperfine --warmup 1 --runs 10 --export-json "$work/timeline-status.json" -n status "$bin/troupe status $tl/troupe.yaml --timeline --json" >/dev/null
echo "status --timeline --json, hyperfine: $(mean_ms "$work/timeline-status.json")"
python3 - "$tl/out/report/index.html" <<'PY'
import sys
html = open(sys.argv[1], encoding="utf-8").read()
start = html.find('<section id="timeline"'); end = html.find("</section>", start)
print("page: index.html %d KiB, of which the timeline section %d KiB (%d bars)" % (len(html.encode()) // 1024, len(html[start:end].encode()) // 1024, html.count("<li data-job=")))
PY
