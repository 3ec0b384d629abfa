#!/usr/bin/env bash
# Starts the virtual board for NET behind a PTY, runs `spikemesh evaluate` against it like a
# real board (every sample checked against the golden model), and stops the board:
#   scripts/board-evaluate.sh BIN NET OUTDIR EVALUATE-ARGS...
set -euo pipefail
bin=$1 net=$2 out=$3
shift 3
mkdir -p "$out"
log="$out/board-sim.log"
"$bin" board-sim "$net" >"$log" 2>&1 &
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
"$bin" evaluate "$net" --port "$port" "$@"
