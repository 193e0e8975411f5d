#!/usr/bin/env bash
# The demo campaign through fal, with no account: troupe-sim plays fal's queue (and renders
# with the preview renderer from the uploaded media), moto_server plays S3 for the uploads.
# A copy of manifests/demo is rendered in a temporary folder (printed at the end); both
# servers are stopped however the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/bootstrap.sh
swift build -c release --product troupe 2>&1 | grep -vE "^warning: 'swift-distributed-tracing'" || true
swift build -c release --product troupe-sim 2>&1 | grep -vE "^warning: 'swift-distributed-tracing'" || true
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/troupe-fal-demo.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
s3_port=$(free_port)
moto_server -H 127.0.0.1 -p "$s3_port" >"$work/moto.log" 2>&1 &
pids+=($!)
"$bin/troupe-sim" serve --port 0 --time-scale 20 --latency 20-40 >"$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  grep -qs "listening on" "$work/sim.log" && curl -s -o /dev/null "http://127.0.0.1:$s3_port" 2>/dev/null && break
  sleep 0.1
done
sim=$(sed -n 's/^troupe-sim listening on //p' "$work/sim.log")
[[ -n $sim ]] || { echo "troupe-sim did not start" >&2; cat "$work/sim.log" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
python3 - "http://127.0.0.1:$s3_port" <<'PY'
import sys, boto3
boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1").create_bucket(Bucket="troupe-demo")
PY

# The demo campaign, on fal, its local media uploaded to the S3 emulator.
mkdir -p "$work/demo"
cp -r manifests/demo/media manifests/demo/troupe.yaml "$work/demo/"
sed -i "s|^provider: {use: preview, model: kling-v3, mode: std}|provider: {use: fal, model: kling-v3, mode: std, concurrency: 4}\nuploads: {s3: {bucket: troupe-demo, endpoint: \"http://127.0.0.1:$s3_port\"}}|" "$work/demo/troupe.yaml"
export FAL_KEY=sim-fal-key FAL_BASE_URL=$sim FAL_API_URL=$sim/v1
cd "$work/demo"
"$bin/troupe" plan
"$bin/troupe" run --time-scale 20
echo
echo "Running it again does nothing:"
"$bin/troupe" run --time-scale 20
"$bin/troupe" status
echo
echo "What troupe-sim's fal queue saw (one submission per input):"
curl -s "$sim/_sim/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(" ", s["fal_submissions"], "submissions,", len(s["fal_submissions_by_input"]), "inputs, $%.3f charged" % s["fal_dollars_charged"])'
echo "Rendered files in $work/demo/out:"
find "$work/demo/out" -name '*.mp4' | sort
