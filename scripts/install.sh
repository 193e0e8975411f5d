#!/usr/bin/env bash
# Builds troupe for release and installs it under PREFIX (default /usr/local):
#   bin/troupe, bin/troupe-sim                       the Swift runtime linked in (--static-swift-stdlib)
#   share/man/man1/troupe.1                          argument-parser's generate-manual
#   share/bash-completion/completions/troupe        \
#   share/zsh/site-functions/_troupe                  } troupe --generate-completion-script
#   share/fish/vendor_completions.d/troupe.fish     /
# The binaries then need only the system libraries troupe is built on (libyaml, libcurl, the
# FFmpeg libraries, libsqlite3, glibc): no toolchain, no build folder, no resource bundle.
# TROUPE_SCRATCH_PATH picks the build folder (default .build); DESTDIR stages as with make.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
scratch=${TROUPE_SCRATCH_PATH:-.build}
dest="${DESTDIR:-}$prefix"

bash scripts/bootstrap.sh

# The commit `troupe --version` names is compiled in by the BuildCommit plugin (Plugins/), as in
# every build from a git checkout.
commit=$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
flags=(-c release --scratch-path "$scratch")
quiet() { grep -vE "^warning: 'swift-distributed-tracing'|CMakeLists.txt$" || true; }

echo "install: building troupe $commit (release, Swift runtime linked statically)" >&2
swift build "${flags[@]}" --static-swift-stdlib 2>&1 | quiet
bin=$(swift build "${flags[@]}" --show-bin-path)

# The manual: argument-parser's generate-manual, the tool behind its GenerateManual plugin,
# reading `troupe --experimental-dump-help`. Running the plugin itself would build every
# product once more with its own settings (without --static-swift-stdlib nothing is shared: a
# second full release build, 13 minutes here); asked for --help, the plugin only builds its
# tool (a minute), which then reads the binary built above.
echo "install: generating the manual" >&2
swift package --scratch-path "$scratch" plugin generate-manual --help >/dev/null 2>&1
tool=$(ls -t "$scratch"/*/*/generate-manual-tool 2>/dev/null | head -n1)
[ -x "$tool" ] || { echo "install: argument-parser's generate-manual tool was not built" >&2; exit 1; }
mandir=$(mktemp -d)
trap 'rm -rf "$mandir"' EXIT
# The commit's date, not today's, so the same commit gives the same page.
"$tool" "$bin/troupe" --output-directory "$mandir" --date "$(git log -1 --format=%cs 2>/dev/null || date +%F)"

install -d "$dest/bin" "$dest/share/man/man1" "$dest/share/bash-completion/completions" \
  "$dest/share/zsh/site-functions" "$dest/share/fish/vendor_completions.d"
install -m 755 "$bin/troupe" "$bin/troupe-sim" "$dest/bin/"
install -m 644 "$mandir/troupe.1" "$dest/share/man/man1/troupe.1"
"$bin/troupe" --generate-completion-script bash >"$dest/share/bash-completion/completions/troupe"
"$bin/troupe" --generate-completion-script zsh >"$dest/share/zsh/site-functions/_troupe"
"$bin/troupe" --generate-completion-script fish >"$dest/share/fish/vendor_completions.d/troupe.fish"
echo "install: $("$dest/bin/troupe" --version) installed in $dest" >&2
