#!/usr/bin/env bash
# Verifies a troupe .deb on a bare Debian system of this machine's release: debootstraps a
# minimal one (minbase: no Swift, no FFmpeg, no -dev packages) into a temporary folder,
# installs the .deb there with `apt-get install ./troupe_….deb` (which fetches its Depends from
# the Debian mirror), and runs the demo campaign with it: validate, plan, run, media probe.
# Needs root and the Debian mirror; takes a few minutes (debootstrap), so it is run by hand,
# not in CI:   bash scripts/check-deb.sh "$(bash scripts/package-deb.sh /tmp)"
# Exits non-zero if a check fails; the last line is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

if [ "${1:-}" != "--inside" ]; then
  deb=$(realpath "${1:?usage: check-deb.sh TROUPE_DEB}")
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  mirror=${TROUPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  root=$(mktemp -d /tmp/troupe-bare-debian.XXXXXX)
  trap 'rm -rf --one-file-system "$root"' EXIT
  start=$SECONDS
  debootstrap --variant=minbase "$codename" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
    || { tail -n 20 "$root.debootstrap.log" >&2; exit 1; }
  rm -f "$root.debootstrap.log"
  echo "check-deb: debootstrap of $codename took $((SECONDS - start)) s" >&2
  # The same suites a Debian machine of this release has.
  cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $codename main
deb $mirror $codename-updates main
deb ${mirror%/debian}/debian-security $codename-security main
EOF
  cp "$deb" "$root/tmp/"
  mkdir -p "$root/root/demo"
  cp -r manifests/demo/troupe.yaml manifests/demo/media "$root/root/demo/"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  cp scripts/check-deb.sh "$root/root/check-deb.sh"
  # A private mount namespace, so /proc in the chroot is unmounted with it.
  status=0
  unshare --mount --propagation private bash -c '
    mount -t proc proc "$1/proc" && chroot "$1" bash /root/check-deb.sh --inside "/tmp/$2"' \
    _ "$root" "$(basename "$deb")" || status=$?
  echo "check-deb: $((SECONDS - start)) s in all" >&2
  exit "$status"
fi

# --- inside the bare system ---------------------------------------------------------------
deb=$2
export DEBIAN_FRONTEND=noninteractive PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
passed=0 failed=0
check() { # NAME COMMAND... : runs the command, output to a log shown on failure
  local name=$1; shift
  if "$@" >/tmp/check.log 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' /tmp/check.log | tail -n 30
  fi
}
bare() { ! command -v swift && ! ls /opt/swift && ! dpkg -l 'libavformat*' 'libyaml*' | grep -q '^ii'; }
install_deb() { apt-get update -qq && apt-get install -y -q --no-install-recommends "$deb"; }
mp4s() { local n; n=$(find out -name '*.mp4' | wc -l); echo "$n MP4s in out/"; [ "$n" -ge 7 ]; }
probe() { troupe media probe "$(find out -name '*.mp4' | sort | head -n1)"; }
files() {
  local f
  for f in /usr/share/man/man1/troupe.1.gz /usr/share/bash-completion/completions/troupe \
    /usr/share/zsh/vendor-completions/_troupe /usr/share/fish/vendor_completions.d/troupe.fish; do
    [ -s "$f" ] || { echo "missing or empty: $f"; return 1; }
  done
}

cd /root/demo
check "a bare system: no Swift, no FFmpeg or libyaml" bare
check "apt-get install ./$(basename "$deb")" install_deb
check "troupe --version" troupe --version
check "man page and completions in Debian's places" files
check "troupe validate" troupe validate troupe.yaml
check "troupe plan" troupe plan troupe.yaml
check "troupe run (preview)" troupe run troupe.yaml
check "troupe run left the demo's MP4s in out/" mp4s
check "troupe media probe on an output" probe
check "troupe-sim --help" troupe-sim --help
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
