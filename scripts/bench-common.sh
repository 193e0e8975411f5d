# Sourced by the bench-*.sh scripts (not run on its own).
# $bin: the release binaries, built here, or TROUPE_BIN_DIR=/dir holding troupe and troupe-sim.
if [[ -n ${TROUPE_BIN_DIR:-} ]]; then
  bin=$TROUPE_BIN_DIR
else
  swift build -c release --product troupe 2>&1 | grep -E "error" || true
  swift build -c release --product troupe-sim 2>&1 | grep -E "error" || true
  bin=$(swift build -c release --show-bin-path)
fi

# start_sim NAME ARGS...: a fresh simulator on a free port, its log in $work/NAME.sim.log and
# its pid added to the `sims` array (the caller kills them on exit); sets $url.
start_sim() {
  local name=$1; shift
  "$bin/troupe-sim" serve --port 0 --placeholder-results --billed-seconds 5 "$@" >"$work/$name.sim.log" 2>&1 &
  sims+=($!)
  for _ in $(seq 100); do grep -qs "listening on" "$work/$name.sim.log" && break; sleep 0.1; done
  url=$(sed -n 's/^troupe-sim listening on //p' "$work/$name.sim.log")
  [[ -n $url ]] || { echo "simulator $name did not start" >&2; cat "$work/$name.sim.log" >&2; exit 1; }
}
