#!/usr/bin/env bash
# Fuzzes the manifest loader with libFuzzer (+ AddressSanitizer).
#   scripts/fuzz.sh [SECONDS]   default 600
# The corpus grows in .build-fuzz/corpus, seeded from manifests/; crashes land in .build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
out=.build-fuzz
mkdir -p "$out/corpus"
cp manifests/*.yaml manifests/invalid/*.yaml "$out/corpus/" 2>/dev/null || true
# The loader's one dependency besides libyaml, as a module of its own beside it.
swiftc -sanitize=address -parse-as-library -O -g -wmo -module-name TroupeSupport \
  -emit-module -emit-module-path "$out/TroupeSupport.swiftmodule" -emit-object -o "$out/TroupeSupport.o" \
  $(find Sources/TroupeSupport -name '*.swift')
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name TroupeManifest \
  -I Sources/CYAML -I "$out" -lyaml \
  $(find Sources/TroupeManifest -name '*.swift') Fuzz/ManifestFuzzer.swift "$out/TroupeSupport.o" \
  -o "$out/fuzz-manifest" 2> >(grep -v "Cannot export local symbol" >&2)
cd "$out"
./fuzz-manifest corpus -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | tee fuzz.log | grep -E "^#[0-9]+ +(DONE|pulse)|ERROR|SUMMARY|stat::" || true
if grep -qE "ERROR: (libFuzzer|AddressSanitizer)|SUMMARY: " fuzz.log; then
  echo "fuzz: FAILED — see $out/fuzz.log and the crash-* file" >&2
  exit 1
fi
echo "fuzz: no crash, hang or leak in ${seconds}s"
