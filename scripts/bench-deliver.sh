#!/usr/bin/env bash
# Deliverables (issue 25) against the ffmpeg CLI running the same filter graphs with the same
# encoder settings, side by side, one run each, on one 30 s 1080p input made into a reels
# deliverable with fit, overlay, fade, end card, music and loudness (the CLI runs the same
# measuring passes, then the same final graph). Then the loudness of both files as ebur128
# measures it, and twenty deliverables two at a time against one at a time: by `troupe media
# deliver` processes, then inside one `troupe run` (the executor's local lane).
#
#   scripts/bench-deliver.sh          figures for docs/benchmarks.md (never a pass/fail test)
#
# Needs ffmpeg (baseline and meter) and python3. BENCH_DIR (default /tmp/troupe-bench-deliver)
# holds the media; TROUPE_SCRATCH_PATH (default .build) is the release build folder, or TROUPE_BIN
# names a troupe binary to use as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BENCH_DIR:-/tmp/troupe-bench-deliver}
SCRATCH=${TROUPE_SCRATCH_PATH:-.build}
[[ $SCRATCH == /* ]] || SCRATCH=$ROOT/$SCRATCH
mkdir -p "$B"
# TROUPE_BIN: a troupe binary already built (skips the release build).
if [[ -n ${TROUPE_BIN:-} ]]; then T=$TROUPE_BIN; else
  swift build -c release --scratch-path "$SCRATCH" --product troupe >/dev/null
  T=$SCRATCH/release/troupe
fi
cp manifests/demo/media/logo.png manifests/demo/media/endcard.png manifests/demo/media/bed.m4a "$B/"
cd "$B"
[[ -f in.mp4 ]] || "$T" media synth in.mp4 --width 1920 --height 1080 --seconds 30 --fps 30 >/dev/null
[[ -f short.mp4 ]] || "$T" media synth short.mp4 --width 1920 --height 1080 --seconds 4 --fps 30 >/dev/null

deliver=(--platform reels --fit crop --logo logo.png --opacity 0.9 --fade-in 0.3 --fade-out 0.5
         --end-card endcard.png --card-seconds 2 --music bed.m4a --music-level=-12)
now() { date +%s.%N; }

# troupe, in-process: every pass, timed as a whole.
t0=$(now)
"$T" media deliver in.mp4 -o troupe.mp4 "${deliver[@]}" --print-graphs > troupe.txt
t1=$(now)

# ffmpeg CLI: the same graphs, inputs mapped to the graph's labels, the same encoder settings.
python3 - "$B" <<'PY' > ffmpeg.sh
import re, shlex, sys
lines = [l[len("graph: "):] for l in open(sys.argv[1] + "/troupe.txt") if l.startswith("graph: ")]
def inputs(graph):
    copies = len(set(re.findall(r"\[m(\d+)\]", graph)))
    args = ["-i", "in.mp4", "-i", "logo.png", "-loop", "1", "-framerate", "30", "-t", "2", "-i", "endcard.png"]
    args += ["-i", "bed.m4a"] * copies
    g = graph.replace("[main]", "[0:v]").replace("[snd]", "[0:a]").replace("[logo]", "[1:v]").replace("[card]", "[2:v]")
    g = re.sub(r"\[m(\d+)\]", lambda m: f"[{3 + int(m.group(1))}:a]", g)
    return args, g
for g in lines[:-1]:
    args, g = inputs(g)
    print(" ".join(["ffmpeg -v error -nostats -y"] + [shlex.quote(a) for a in args]
                   + ["-filter_complex", shlex.quote(g), "-map '[aout]' -f null -"]))
args, g = inputs(lines[-1])
enc = ("-map '[vout]' -map '[aout]' -c:v libx264 -preset veryfast -crf 20 -profile:v high -g 60 -keyint_min 60 "
       "-x264-params scenecut=0:open-gop=0 -maxrate 25000000 -bufsize 50000000 -threads 4 -flags +bitexact "
       "-c:a aac -b:a 192k -ar 48000 -movflags +faststart -fflags +bitexact ffmpeg.mp4")
print(" ".join(["ffmpeg -v error -nostats -y"] + [shlex.quote(a) for a in args] + ["-filter_complex", shlex.quote(g), enc]))
PY
t2=$(now)
bash ffmpeg.sh
t3=$(now)

meter() { ffmpeg -nostats -hide_banner -i "$1" -af ebur128=peak=true -f null - 2>&1 | awk '/Summary:/ {s=1} s && /I:/ {i=$2} s && /Peak:/ {p=$2} END {print i, p}'; }
read -r ti tp < <(meter troupe.mp4)
read -r fi fp < <(meter ffmpeg.mp4)
python3 - "$t0" "$t1" "$t2" "$t3" "$ti" "$tp" "$fi" "$fp" <<'PY'
import sys
t0, t1, t2, t3, ti, tp, fi, fp = map(float, sys.argv[1:])
tr, fr = t1 - t0, t3 - t2
print("| deliverable (30 s 1080p → reels: fit, logo, fade, end card, music, loudness) | troupe (s) | ffmpeg CLI (s) | ratio | target |")
print("|---|---|---|---|---|")
print(f"| all passes, one run each | {tr:.1f} | {fr:.1f} | {tr / fr:.2f}x | ≤ 1.0x |")
print()
print("| file | integrated (LUFS) | true peak (dBTP) | target |")
print("|---|---|---|---|")
print(f"| troupe | {ti:.1f} | {tp:.1f} | −14 ± 0.5, ≤ −0.9 |")
print(f"| ffmpeg CLI, same graph | {fi:.1f} | {fp:.1f} | |")
PY

# Twenty deliverables of a 4 s input: two at a time (the local lane's width on this 2-core
# machine) against one at a time; /usr/bin/time's CPU share says whether both cores were busy.
seq 1 20 > list.txt
export T deliver_args="${deliver[*]}"
one() { "$T" media deliver short.mp4 -o "d$1.mp4" $deliver_args >/dev/null; }
export -f one
echo
/usr/bin/time -f "twenty deliverables one at a time: %e s wall, %P CPU" xargs -P 1 -I{} bash -c 'one {}' < list.txt
/usr/bin/time -f "twenty deliverables two at a time: %e s wall, %P CPU" xargs -P 2 -I{} bash -c 'one {}' < list.txt

# The same inside one `troupe run`: the demo's renders finished as twenty deliverables (2
# characters × 10: seven presets cropped, three padded). After a first run, each timed run
# changes the fade, so exactly the twenty deliverables (with their posters and GIFs) are made
# again: with the local lane's default width (one job per core) and with --concurrency 1.
rm -rf twenty && cp -r "$ROOT/manifests/demo" twenty
python3 - twenty/deliver.yaml twenty/twenty.yaml <<'PY'
import sys
text = open(sys.argv[1]).read()
head, outputs = text.split("outputs:", 1)
block = outputs.split('  - name: "{character}-{platform}"', 1)[1]
reel = '  - name: "{character}-reel"\n    concat: ["{character}/*"]\n'
crop = '  - name: "{character}-{platform}"' + block.replace("[reels, youtube, square]", "[reels, shorts, tiktok, youtube, square, feed, broadcast]")
pad = '  - name: "{character}-{platform}-pad"' + block.replace("fit: crop", "fit: pad")
open(sys.argv[2], "w").write(head + "outputs:\n" + reel + crop + pad)
PY
(cd twenty && "$T" run twenty.yaml >/dev/null 2>&1)
made_twenty() {  # FADE LABEL ARGS...: remakes the twenty deliverables, timed
  local fade=$1 label=$2; shift 2
  sed -i "s/fade: {in: [0-9.]*/fade: {in: $fade/" twenty/twenty.yaml
  (cd twenty && /usr/bin/time -f "twenty deliverables in one troupe run, $label: %e s wall, %U s user + %S s sys, %P CPU" \
     "$T" run twenty.yaml "$@" 2>&1 >/dev/null | tail -1)
}
echo
made_twenty 0.31 "--concurrency 1" --concurrency 1
made_twenty 0.32 "default lane (one job per core)"

