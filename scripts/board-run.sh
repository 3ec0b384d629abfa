#!/usr/bin/env bash
# Starts the virtual board for NET behind a PTY, runs `spikemesh run --verify` against it like
# a real board, and stops the board: scripts/board-run.sh BIN NET STEPS OUTDIR
# BOARD_SIM_ARGS adds options to board-sim (`--netlist`: the post-synthesis netlist).
set -euo pipefail
bin=$1 net=$2 steps=$3 out=$4
mkdir -p "$out"
log="$out/board-sim.log"
"$bin" board-sim "$net" ${BOARD_SIM_ARGS:-} >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 4500); do
    port=$(sed -n 's/^virtual board on //p' "$log")
    [ -n "$port" ] && break
    kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.2
done
[ -n "$port" ] || { echo "board-sim did not start; see $log"; exit 1; }
cat "$log"
"$bin" run "$net" --port "$port" --steps "$steps" --out "$out/board-spikes.csv" --raster "$out/board-raster.png" --verify
