#!/usr/bin/env bash
# Regenerates docs/report.png (and docs/report-dark.png), the README's picture of a report:
# the demo campaign rendered on the preview provider, its report, then headless Chromium
# (Debian's package, through Tests/Browser/report_page.py) takes a full-page screenshot.
#   scripts/report-screenshot.sh        (TROUPE_BIN_DIR=... to use a troupe already built)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [[ -n ${TROUPE_BIN_DIR:-} ]]; then bin=$TROUPE_BIN_DIR; else
  swift build --product troupe 2>&1 | grep -E "error" || true
  bin=$(swift build --show-bin-path)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r manifests/demo "$work/demo"
# Half the story is more telling than a finished grid: mochi's row and reel rendered, pip's
# still to do.
"$bin/troupe" run "$work/demo/troupe.yaml" --only 'mochi/*' --only mochi-reel 2>/dev/null
"$bin/troupe" report "$work/demo/troupe.yaml"
python3 Tests/Browser/report_page.py "$work/demo/out/report/index.html" --width 1100 \
  --screenshot docs/report.png --dark docs/report-dark.png
