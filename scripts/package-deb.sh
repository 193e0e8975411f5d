#!/usr/bin/env bash
# Builds troupe_<version>_<arch>.deb in OUTDIR (default: the checkout) with dpkg-deb: the
# binaries of scripts/install.sh under /usr, completions and the man page in Debian's places,
# and Depends: on the runtime library packages of this machine's release (dpkg-shlibdeps).
# The version is troupe's (CHANGELOG.md) plus the commit: 0.1.0+git214.abc1234, where 214
# counts the commits up to it, so a later build of main sorts after an earlier one.
# Prints the .deb's path on stdout. TROUPE_SCRATCH_PATH picks the build folder as for install.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p "${1:-.}"
outdir=$(realpath "${1:-.}")
command -v dpkg-shlibdeps >/dev/null || {
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
}

stage=$(mktemp -d /tmp/troupe-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
DESTDIR=$root bash scripts/install.sh /usr >&2

# Debian's places: zsh's vendor folder, man pages gzipped (-n: no timestamp, reproducible).
install -d "$root/usr/share/zsh/vendor-completions"
mv "$root/usr/share/zsh/site-functions/_troupe" "$root/usr/share/zsh/vendor-completions/_troupe"
rmdir "$root/usr/share/zsh/site-functions"
gzip -9n "$root/usr/share/man/man1/troupe.1"
install -d "$root/usr/share/doc/troupe"
gzip -9n <CHANGELOG.md >"$root/usr/share/doc/troupe/changelog.gz"

read -r number commit < <("$root/usr/bin/troupe" --version | tr -d '()')
version=$number
if [ "$commit" != unknown ]; then
  version="$number+git$(git rev-list --count HEAD).${commit/-dirty/.dirty}"
fi
arch=$(dpkg --print-architecture)

# dpkg-shlibdeps maps each library the binaries load to its package and the lowest version
# with the symbols used; it wants a debian/control to read, so it runs in the staging folder.
mkdir -p "$stage/debian"
printf 'Source: troupe\n\nPackage: troupe\nArchitecture: any\n' >"$stage/debian/control"
depends=$(cd "$stage" && dpkg-shlibdeps -O root/usr/bin/troupe root/usr/bin/troupe-sim 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

install -d "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<EOF
Package: troupe
Version: $version
Architecture: $arch
Maintainer: ${TROUPE_DEB_MAINTAINER:-troupe maintainers <troupe@localhost>}
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Section: video
Priority: optional
Description: batch runner for Kling Motion Control renders
 troupe turns a YAML manifest of characters, motion clips and post-steps into
 a content-addressed job DAG, prices it before anything is spent, renders it on
 Kling or the offline preview provider, and records the results in troupe.lock.
 Built from commit $commit. Includes troupe-sim, a local Kling API simulator.
EOF
deb="$outdir/troupe_${version}_${arch}.deb"
dpkg-deb --build --root-owner-group -Zxz "$root" "$deb" >&2
echo "$deb"
