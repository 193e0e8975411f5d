#!/usr/bin/env bash
# Installs every system package troupe and its tests need. Idempotent: skips what is
# present and runs `apt-get update` only when something is missing.
set -euo pipefail

apt_packages=(
  pkg-config libyaml-dev libsqlite3-dev libcurl4-openssl-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
  chromium chromium-driver fonts-dejavu-core   # the report's browser test (headless, from Debian)
  postgresql postgresql-client                 # shared state (teams): a real server per test run
  ffmpeg                                       # the ffmpeg/ffprobe CLI: an independent meter in media tests
)
pip_modules=("moto:moto[server]" "flask:flask" "flask_cors:flask-cors" "jsonschema:jsonschema" "yaml:pyyaml" "selenium:selenium")

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

pip_missing=()
for entry in "${pip_modules[@]}"; do
  module=${entry%%:*}; spec=${entry#*:}
  python3 -c "import $module" 2>/dev/null || pip_missing+=("$spec")
done
if ((${#pip_missing[@]})); then
  echo "bootstrap: pip installing ${pip_missing[*]}" >&2
  python3 -m pip install -q "${pip_missing[@]}"
fi
command -v moto_server >/dev/null || { echo "bootstrap: moto_server not on PATH after install" >&2; exit 1; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "bootstrap: initdb (Debian's postgresql) not found after install" >&2; exit 1; }
