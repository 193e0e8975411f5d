#!/usr/bin/env bash
# The README's demo: installs what troupe needs, builds it, and takes the demo campaign
# as far as troupe goes today (validate; plan and run arrive with the planner and executor).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
swift build -c release --product troupe
bin=$(swift build -c release --show-bin-path)
for m in manifests/campaign.yaml manifests/mascot.yaml manifests/remote.yaml; do
  "$bin/troupe" validate "$m"
done
echo
echo "And what a mistake looks like:"
"$bin/troupe" validate manifests/invalid/dangling.yaml || echo "(exit status $? — invalid manifests exit 2)"
