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
echo
echo "Rendered files:"
find manifests/demo/out -name '*.mp4' | sort
echo
echo "Running it again does nothing:"
"$bin/troupe" run manifests/demo/troupe.yaml
