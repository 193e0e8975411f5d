#!/usr/bin/env bash
# Media engine benchmarks against the ffmpeg CLI, on the same synthesized 1080p30 H.264+AAC inputs.
#
#   scripts/bench-media.sh            run the benchmarks, print a Markdown table of figures and ratios
#   scripts/bench-media.sh preview    only the preview (subject tracking) figures
#   scripts/bench-media.sh preview-instructions   one preview's instructions under callgrind, by library
#   scripts/bench-media.sh valgrind   run probe + trim + concat under valgrind --leak-check=full
#
# Figures only: never a pass/fail test. Needs hyperfine, ffmpeg, ffprobe (baseline only), python3.
# BENCH_DIR (default /tmp/troupe-bench) holds the generated media; RUNS sets hyperfine's runs;
# TROUPE_SCRATCH_PATH (default .build) is the release build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH_DIR=${BENCH_DIR:-/tmp/troupe-bench}
RUNS=${RUNS:-5}
SCRATCH=${TROUPE_SCRATCH_PATH:-.build}
[[ $SCRATCH == /* ]] || SCRATCH=$ROOT/$SCRATCH
mkdir -p "$BENCH_DIR"

swift build -c release --scratch-path "$SCRATCH" --product troupe >/dev/null
TROUPE=$SCRATCH/release/troupe

if [[ "${1:-}" == "valgrind" ]]; then
    # probe, trim and concat (both paths each), plus thumbnail, contact sheet, conform and preview.
    # The async CLI's dispatch worker threads crash valgrind 3.19, so drive the library from a
    # small synchronous executable linked against the release TroupeMedia objects.
    VG=$BENCH_DIR/valgrind
    mkdir -p "$VG"
    cat >"$VG/main.swift" <<'SWIFT'
import TroupeMedia
let dir = CommandLine.arguments[1]
func p(_ n: String) -> String { dir + "/" + n }
do {
    for f in ["v1.mp4", "v3.mp4", "c.png"] { _ = try MediaProbe.probe(p(f)) }
    print(try MediaEditor.trim(p("v1.mp4"), to: p("o-t1.mp4"), start: 1, end: 2))        // stream copy
    print(try MediaEditor.trim(p("v1.mp4"), to: p("o-t2.mp4"), start: 0.5, end: 1.5))    // re-encode
    print(try MediaEditor.concat([p("v1.mp4"), p("v2.mp4")], to: p("o-c1.mp4")))        // stream copy
    print(try MediaEditor.concat([p("v1.mp4"), p("v3.mp4")], to: p("o-c2.mp4")))        // normalise
    try MediaStills.thumbnail(p("v1.mp4"), at: 1, to: p("o-th.png"))
    try MediaStills.contactSheet([p("v1.mp4"), p("v3.mp4"), p("c.png")], to: p("o-cs.png"), cellWidth: 64)
    print(try MediaEditor.conform(p("v3.mp4"), to: p("o-cf.mp4")))
    try PreviewRenderer().render(image: p("c.png"), clip: p("v1.mp4"), output: p("o-pv.mp4"), height: 720,
                                 seconds: 1, keepSound: true)
    do { _ = try MediaProbe.probe(p("o-t1.mp4.missing")) } catch { print(error) }
} catch { print("error:", error) }
SWIFT
    "$TROUPE" media synth "$VG/v1.mp4" --width 320 --height 240 --seconds 2 --gop 30
    "$TROUPE" media synth "$VG/v2.mp4" --width 320 --height 240 --seconds 2 --gop 30 --seed 1
    "$TROUPE" media synth "$VG/v3.mp4" --width 240 --height 320 --seconds 1 --tone 0
    "$TROUPE" media synth "$VG/c.png" --width 400 --height 600
    swiftc -O "$VG/main.swift" -I "$SCRATCH/release/Modules" \
        -Xcc -fmodule-map-file="$ROOT/Sources/CFFmpeg/module.modulemap" -Xcc -I/usr/include/x86_64-linux-gnu \
        "$SCRATCH"/release/TroupeMedia.build/*.o "$SCRATCH"/release/TroupeSupport.build/*.o \
        -lavformat -lavcodec -lavutil -lswscale -lswresample -lavfilter -o "$VG/driver"
    valgrind --leak-check=full "$VG/driver" "$VG" 2>&1 | grep -E "definitely lost|indirectly lost|possibly lost|ERROR SUMMARY|^stream|^reencode|no such"
    exit 0
fi

cd "$BENCH_DIR"

# Instructions of one preview (the 10 s 720p reference below), counted by callgrind: unlike
# wall or CPU time, the count does not depend on what else the machine runs. The async CLI
# crashes valgrind 3.19 (see above), so a small synchronous driver renders the preview.
if [[ "${1:-}" == "preview-instructions" ]]; then
    [[ -f ref720.mp4 && -f char.png ]] || { echo "run scripts/bench-media.sh preview first (it makes the inputs)" >&2; exit 2; }
    VG=$BENCH_DIR/valgrind
    mkdir -p "$VG"
    cat >"$VG/preview.swift" <<'SWIFT'
import TroupeMedia
let a = CommandLine.arguments
do { try PreviewRenderer().render(image: a[1], clip: a[2], output: a[3], height: 720, seconds: 10, keepSound: true) }
catch { print("error:", error) }
SWIFT
    swiftc -O "$VG/preview.swift" -I "$SCRATCH/release/Modules" \
        -Xcc -fmodule-map-file="$ROOT/Sources/CFFmpeg/module.modulemap" -Xcc -I/usr/include/x86_64-linux-gnu \
        "$SCRATCH"/release/TroupeMedia.build/*.o "$SCRATCH"/release/TroupeSupport.build/*.o \
        -lavformat -lavcodec -lavutil -lswscale -lswresample -lavfilter -o "$VG/preview"
    valgrind --tool=callgrind --callgrind-out-file="$VG/preview.callgrind" "$VG/preview" char.png ref720.mp4 out-p.mp4 2>&1 \
        | grep -E "Collected" | sed 's/.*Collected : /instructions (callgrind, one preview): /'
    callgrind_annotate --inclusive=no --auto=no "$VG/preview.callgrind" | python3 -c '
import re, sys, collections
by = collections.Counter()
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", line)
    if not m or "PROGRAM TOTALS" in line: continue
    n, rest = int(m.group(1).replace(",", "")), m.group(2)
    obj = re.search(r"\[([^\]]+)\]\s*$", rest)
    by["troupe (Swift)" if "/Sources/" in rest or "<compiler-generated>" in rest else (obj.group(1).split("/")[-1] if obj else "?")] += n
for k, v in by.most_common(8): print(f"  {v / 1e6:8.0f} M  {k}")'
    exit 0
fi

# The preview (issue 28): a 10 s 1280×720 30 fps reference (a still textured background with
# camera noise, a subject walking across it, AAC sound) rendered at 720p, against the ffmpeg CLI
# running a comparable graph (15 fps, the same dimming, the character overlaid at a moving
# position, x264 ultrafast CRF 26 on two threads, sound copied). Then twenty previews of one clip
# in one `troupe run`: wall time against CPU time says whether both cores are busy.
bench_preview() {
    if [[ ! -f ref720.mp4 ]]; then
        ffmpeg -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=1" -frames:v 1 bg720.png
        ffmpeg -v error -y -loop 1 -framerate 30 -i bg720.png -f lavfi -i "color=c=0x2040c0:size=120x320:rate=30" \
            -f lavfi -i "sine=frequency=330:sample_rate=48000" \
            -filter_complex "[0:v][1:v]overlay=x='80+100*t':y='200+60*sin(2*t)',noise=alls=4:allf=t,format=yuv420p[v]" \
            -map "[v]" -map 2:a -t 10 -c:v libx264 -preset veryfast -crf 23 -g 60 -c:a aac -ac 2 ref720.mp4
    fi
    [[ -f char.png ]] || "$TROUPE" media synth char.png --width 512 --height 768
    $H --export-json preview.json -n troupe "$TROUPE media preview char.png ref720.mp4 -o out-p.mp4 --height 720" \
        -n ffmpeg-overlay "ffmpeg -v error -y -i ref720.mp4 -i char.png -filter_complex '[0:v]fps=15,lutyuv=y=16+(val-16)*0.59:u=128+(val-128)*0.59:v=128+(val-128)*0.59[b];[1:v]scale=-2:320[o];[b][o]overlay=x=80+100*t:y=200+60*sin(2*t)' -c:v libx264 -preset ultrafast -crf 26 -threads 2 -c:a copy out-f.mp4" >&2
    python3 - <<'PY'
import json
r = {x["command"]: x for x in json.load(open("preview.json"))["results"]}
t, f = r["troupe"], r["ffmpeg-overlay"]
print(f"| preview 10 s 720p30 reference → 720p, subject tracked | {t['mean']:.3f} ± {t['stddev']:.3f} (min {t['min']:.3f}; "
      f"CPU {t['user']:.2f} + {t['system']:.2f}) | {f['mean']:.3f} ± {f['stddev']:.3f} (min {f['min']:.3f}; CPU {f['user']:.2f} + "
      f"{f['system']:.2f}; overlay at a moving position) | {10/t['mean']:.1f}× real time (best {10/t['min']:.1f}×) "
      f"| ≥ 10× {'✓' if 10/t['mean'] >= 10 else '✗'} | load average {open('/proc/loadavg').read().split()[0]}")
PY
    rm -rf twenty && mkdir -p twenty/media && cp ref720.mp4 twenty/media/walk.mp4
    { echo "troupe: 1"; echo "name: twenty-previews"
      echo "provider: {use: preview, model: kling-v3, mode: std}"
      echo "budget: {max_units: 1000, usd_per_unit: 0.14}"
      echo "defaults: {orientation: video, keep_sound: true}"
      echo "characters:"
      for i in $(seq -w 1 20); do echo "  c$i: {image: media/c$i.png}"; done
      echo "clips:"; echo "  walk: {video: media/walk.mp4}"
      echo "renders:"; echo "  - characters: [\"*\"]"; echo "    clips: [\"*\"]"; } >twenty/troupe.yaml
    for i in $(seq -w 1 20); do "$TROUPE" media synth "twenty/media/c$i.png" --width 480 --height 640 --seed "$i" >/dev/null; done
    # CPU time says how many cores the run got; on a loaded machine that is its share, so the
    # time its threads spent runnable but waiting for a core (schedstat) is added up too: on
    # CPU + waiting, over wall time, is how many cores it would have kept busy.
    python3 - "$TROUPE" run twenty/troupe.yaml >twenty/run.log 2>&1 <<'PY'
import os, resource, subprocess, sys, time
start = time.monotonic()
p = subprocess.Popen(sys.argv[1:])
seen = {}
while p.poll() is None:
    try:
        for t in os.listdir(f"/proc/{p.pid}/task"):
            try: seen[t] = [int(v) for v in open(f"/proc/{p.pid}/task/{t}/schedstat").read().split()[:2]]
            except (OSError, ValueError): pass
    except OSError: pass
    time.sleep(0.02)
wall = time.monotonic() - start
r = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu, waited = r.ru_utime + r.ru_stime, sum(w for _, w in seen.values()) / 1e9
with open("twenty/time", "w") as f: f.write(f"{wall} {r.ru_utime} {r.ru_stime} {waited}\n")
PY
    read -r wall user sys waited <twenty/time
    python3 -c "import sys; w,u,s,q=map(float,sys.argv[1:]); print(f'twenty previews of one 10 s 720p clip (troupe run): {w:.2f} s wall, {u+s:.2f} s CPU ({u:.2f} user + {s:.2f} sys): {(u+s)/w:.2f} cores busy on average, {w/20:.2f} s per preview; {q:.2f} s runnable but waiting for a core: {(u+s+q)/w:.2f} cores wanted; load average {open(\"/proc/loadavg\").read().split()[0]}')" "$wall" "$user" "$sys" "$waited"
}

H="hyperfine --style basic --warmup 1 --runs $RUNS"
if [[ "${1:-}" == "preview" ]]; then
    bench_preview
    exit 0
fi
if [[ ! -f in.mp4 ]]; then
    echo "generating 1080p30 30 s H.264+AAC input…" >&2
    "$TROUPE" media synth in.mp4 --width 1920 --height 1080 --fps 30 --seconds 30 --gop 60 --preset veryfast --crf 23
fi
[[ -f char.png ]] || "$TROUPE" media synth char.png --width 512 --height 768
rm -f list.txt
for i in $(seq 0 9); do
    [[ -f "c$i.mp4" ]] || cp in.mp4 "c$i.mp4"
    echo "file '$BENCH_DIR/c$i.mp4'" >>list.txt
done
mkdir -p probe
if [[ ! -f probe/f0999.mp4 ]]; then
    "$TROUPE" media synth probe/src.mp4 --width 640 --height 360 --seconds 3
    for i in $(seq -w 0 999); do cp probe/src.mp4 "probe/f0$i.mp4"; done
    rm probe/src.mp4
fi
PROBE_FILES=$(ls "$BENCH_DIR"/probe/f*.mp4 | tr '\n' ' ')
echo "$PROBE_FILES" | tr ' ' '\n' | grep . >probe/list.txt

$H --export-json concat.json -n troupe "$TROUPE media concat -o out-t.mp4 $(for i in $(seq 0 9); do printf 'c%d.mp4 ' $i; done)" \
    -n ffmpeg "ffmpeg -v error -y -f concat -safe 0 -i list.txt -c copy out-f.mp4" >&2
$H --export-json trimcopy.json -n troupe "$TROUPE media trim in.mp4 out-t.mp4 --start 10 --end 20" \
    -n ffmpeg "ffmpeg -v error -y -ss 10 -to 20 -i in.mp4 -c copy out-f.mp4" >&2
$H --export-json trimexact.json -n troupe "$TROUPE media trim in.mp4 out-t.mp4 --start 5.5 --end 15.5 --preset veryfast --crf 20" \
    -n ffmpeg "ffmpeg -v error -y -ss 5.5 -to 15.5 -i in.mp4 -c:v libx264 -preset veryfast -crf 20 -c:a aac out-f.mp4" >&2
hyperfine --style basic --warmup 0 --runs 2 --export-json probe.json \
    -n troupe "$TROUPE media probe --json $PROBE_FILES >/dev/null" \
    -n ffprobe "xargs -n1 ffprobe -v error -show_format -show_streams -of json <probe/list.txt >/dev/null" >&2

python3 - <<'PY'
import json
def mean(f, name):
    r = {x["command"]: x for x in json.load(open(f))["results"]}
    return r[name]["mean"], r[name]["stddev"]
rows = [
    ("concat 10×30 s 1080p, stream copy", "concat.json", "troupe", "ffmpeg", 1.0),
    ("trim 10 s on keyframes, stream copy", "trimcopy.json", "troupe", "ffmpeg", 1.0),
    ("trim 10 s frame-accurate (veryfast, CRF 20)", "trimexact.json", "troupe", "ffmpeg", 1.1),
    ("probe 1,000 files", "probe.json", "troupe", "ffprobe", 0.5),
]
print("| operation | troupe (s) | ffmpeg CLI (s) | ratio | target |")
print("|---|---|---|---|---|")
for label, f, a, b, target in rows:
    (ta, sa), (tb, sb) = mean(f, a), mean(f, b)
    ok = "✓" if ta / tb <= target else "✗"
    print(f"| {label} | {ta:.3f} ± {sa:.3f} | {tb:.3f} ± {sb:.3f} | {ta/tb:.2f}× | ≤ {target}× {ok} |")
PY
bench_preview
