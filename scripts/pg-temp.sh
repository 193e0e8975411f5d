#!/usr/bin/env bash
# A throwaway PostgreSQL server from Debian's postgresql package, for benchmarks and trying
# teams mode on one machine (the tests start their own, Tests/Support/PostgresServer.swift).
#   eval "$(scripts/pg-temp.sh start)"   # sets PG_TEMP_DIR, PG_TEMP_PORT, TROUPE_STATE_URL, PGPASSWORD
#   scripts/pg-temp.sh stop "$PG_TEMP_DIR"
# Runs as the unprivileged postgres user when started as root (the server refuses root).
set -euo pipefail
cmd=${1:-start}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $bin/initdb ]] || { echo "pg-temp: initdb not found; run scripts/bootstrap.sh" >&2; exit 1; }
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [[ $cmd == stop ]]; then
  dir=${2:?pg-temp.sh stop DIR}
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

dir=$(mktemp -d /tmp/troupe-pg-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
echo "$password" >"$dir/pw"
[[ $(id -u) == 0 ]] && chown -R postgres: "$dir"
as_pg "$bin/initdb" -D "$dir/data" -U troupe --pwfile="$dir/pw" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-sync >/dev/null
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
as_pg "$bin/psql" -h "$dir" -p "$port" -U troupe -d postgres -qc "CREATE DATABASE troupe" >/dev/null
echo "export PG_TEMP_DIR=$dir PG_TEMP_PORT=$port PGPASSWORD=$password TROUPE_STATE_URL=postgres://troupe@127.0.0.1:$port/troupe"
