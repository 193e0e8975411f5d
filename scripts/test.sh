#!/usr/bin/env bash
# The test command: bootstrap system packages, build, run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# Every target imports only what Package.swift declares for it.
python3 scripts/check-imports.py
swift build --build-tests
# Tests that hold a time-compressed simulator or a transfer to wall-clock windows run in a pass
# of their own: beside the browser, the crash trials and the CLI runs, two cores can starve
# them past their windows (the PostgreSQL lease and slot tests wait on real seconds too).
# Every test runs, once.
timing='SimServerTests|PreviewResultTests|HTTPClientTests|KlingClientTests|PostgresTeamTests|PostgresBatchTests'
swift test --skip-build --skip "$timing" "$@"
swift test --skip-build --filter "$timing" "$@"
