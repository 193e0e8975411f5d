#!/usr/bin/env bash
# Proves that an installed troupe runs anywhere on its platform: installs into a temporary
# prefix with scripts/install.sh, then, in a private mount namespace where every build folder
# of the checkout and the Swift toolchain (/opt/swift) are hidden under empty tmpfs mounts,
# runs the installed binaries from another folder on a copy of the demo campaign. Exits
# non-zero if any check fails; the last line is "N passed, N failed".
# TROUPE_SCRATCH_PATH picks the build folder as for install.sh; TROUPE_CHECK_NO_BUILD=1 skips
# the install and checks the prefix in TROUPE_CHECK_PREFIX.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# The toolchain's folder (/opt/swift here: usr/bin/swift-driver under it); a toolchain
# installed in / leaves its runtime in /usr/lib/swift, which is then what gets hidden.
toolchain=${TROUPE_TOOLCHAIN:-$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")}
[ "$toolchain" != / ] || toolchain=/usr/lib/swift

if [ "${1:-}" != "--inside" ]; then
  work=$(mktemp -d /tmp/troupe-check-install.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  prefix=${TROUPE_CHECK_PREFIX:-$work/prefix}
  if [ "${TROUPE_CHECK_NO_BUILD:-0}" != 1 ]; then
    start=$SECONDS
    bash scripts/install.sh "$prefix"
    echo "check-install: install took $((SECONDS - start)) s" >&2
  fi
  # Every build folder of the checkout (.build, .build-*), so nothing can come from one.
  hide=("$toolchain")
  for d in "$repo"/.build "$repo"/.build-* "$repo"/.build_*; do [ -d "$d" ] && hide+=("$d"); done
  # A private mount namespace: the mounts vanish with it. Root (CI) needs no user namespace.
  ns=(unshare --mount --propagation private)
  [ "$(id -u)" -eq 0 ] || ns=(unshare --map-root-user --mount --propagation private)
  status=0
  "${ns[@]}" bash "$repo/scripts/check-install.sh" --inside "$prefix" "$work/demo" "${hide[@]}" || status=$?
  exit "$status"
fi

# --- inside the namespace ---------------------------------------------------------------
prefix=$2 demo=$3
shift 3
for d in "$@"; do mount -t tmpfs -o size=1m,mode=0755 tmpfs "$d"; done
passed=0 failed=0
check() { # NAME COMMAND... : runs the command, output to a log shown on failure
  local name=$1; shift
  if "$@" >"$demo.log" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$demo.log" | tail -n 30
  fi
}
no_swift_runtime() { # the binary's libraries resolve, and none is Swift's runtime
  local libs; libs=$(ldd "$1")
  echo "$libs"
  ! grep -q "not found" <<<"$libs" && ! grep -qE "libswift|libFoundation|libdispatch|libBlocksRuntime|lib_Foundation|libicu_?swift" <<<"$libs"
}
hidden() { for d in "$@"; do [ -z "$(ls -A "$d")" ] || { echo "$d is not hidden"; return 1; }; done; }
version() { "$prefix/bin/troupe" --version | tee /dev/stderr | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+ \([0-9a-f]{7}(-dirty)?\)$'; }
mp4s() { local n; n=$(find out -name '*.mp4' | wc -l); echo "$n MP4s in out/"; [ "$n" -ge 7 ]; }
probe() { "$prefix/bin/troupe" media probe "$(find out -name '*.mp4' | sort | head -n1)"; }
files() {
  local f
  for f in share/man/man1/troupe.1 share/bash-completion/completions/troupe share/zsh/site-functions/_troupe \
    share/fish/vendor_completions.d/troupe.fish; do
    [ -s "$prefix/$f" ] || { echo "missing or empty: $f"; return 1; }
  done
  grep -q '^\.Dt TROUPE 1' "$prefix/share/man/man1/troupe.1"
}

mkdir -p "$demo"
cp -r "$repo/manifests/demo/troupe.yaml" "$repo/manifests/demo/media" "$demo/"
cd "$demo"
check "build folders and toolchain hidden" hidden "$@"
check "ldd troupe: no Swift runtime" no_swift_runtime "$prefix/bin/troupe"
check "ldd troupe-sim: no Swift runtime" no_swift_runtime "$prefix/bin/troupe-sim"
check "troupe --version names a release and a commit" version
check "man page and bash, zsh, fish completions installed" files
check "troupe validate" "$prefix/bin/troupe" validate troupe.yaml
check "troupe plan" "$prefix/bin/troupe" plan troupe.yaml
check "troupe plan --json" "$prefix/bin/troupe" plan troupe.yaml --json
check "troupe run (preview)" "$prefix/bin/troupe" run troupe.yaml
check "troupe run left the demo's MP4s in out/" mp4s
check "troupe media probe on an output" probe
check "a second troupe run does nothing and exits 0" "$prefix/bin/troupe" run troupe.yaml
check "troupe-sim --help" "$prefix/bin/troupe-sim" --help
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
