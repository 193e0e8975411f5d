#!/usr/bin/env bash
# The README's demo: installs what troupe needs, builds it, and runs the demo campaign end
# to end on the embedded preview provider (offline, free): plan, render, post-steps, lock.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
swift build -c release --product troupe 2>&1 | grep -vE "^warning: 'swift-distributed-tracing'" || true
bin=$(swift build -c release --show-bin-path)
"$bin/troupe" plan manifests/demo/troupe.yaml
"$bin/troupe" run manifests/demo/troupe.yaml
# Deliverables: the same renders finished for reels, youtube and square (logo, captions, end
# card, music at -14 LUFS, poster, GIF), into out/deliver/.
"$bin/troupe" plan manifests/demo/deliver.yaml
"$bin/troupe" run manifests/demo/deliver.yaml
echo
echo "Rendered files:"
find manifests/demo/out \( -name '*.mp4' -o -name '*.jpg' -o -name '*.gif' \) | sort
echo
echo "Running it again does nothing:"
"$bin/troupe" run manifests/demo/troupe.yaml
"$bin/troupe" run manifests/demo/deliver.yaml
