#!/usr/bin/env bash
# Starts the virtual board for NET behind a PTY, runs `spikemesh evaluate` against it like a
# real board (every sample checked against the golden model), and stops the board:
#   scripts/board-evaluate.sh BIN NET OUTDIR EVALUATE-ARGS...
set -euo pipefail
bin=$1 net=$2 out=$3
shift 3
source "$(dirname "$0")/board-sim-start.sh"
"$bin" evaluate "$net" --port "$port" "$@"
