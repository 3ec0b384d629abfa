#!/usr/bin/env bash
# Starts the virtual board for NET behind a PTY, runs `spikemesh run --verify` against it like
# a real board, and stops the board: scripts/board-run.sh BIN NET STEPS OUTDIR
# BOARD_SIM_ARGS adds options to board-sim (`--netlist`: the post-synthesis netlist).
set -euo pipefail
bin=$1 net=$2 steps=$3 out=$4
source "$(dirname "$0")/board-sim-start.sh"
"$bin" run "$net" --port "$port" --steps "$steps" --out "$out/board-spikes.csv" --raster "$out/board-raster.png" --verify
