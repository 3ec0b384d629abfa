# Sourced by board-run.sh and board-evaluate.sh with $bin, $net and $out set: starts the
# virtual board for $net behind a PTY (options from BOARD_SIM_ARGS, e.g. `--netlist`), stops
# it when the caller exits, and sets $port once it is serving.
mkdir -p "$out"
log="$out/board-sim.log"
"$bin" board-sim "$net" ${BOARD_SIM_ARGS:-} >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
port=
for _ in $(seq 1 4500); do
    port=$(sed -n 's/^virtual board on //p' "$log")
    [ -n "$port" ] && break
    kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.2
done
[ -n "$port" ] || { echo "board-sim did not start; see $log"; exit 1; }
cat "$log"
