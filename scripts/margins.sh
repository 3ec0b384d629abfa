#!/usr/bin/env bash
# The margin of every bitstream that `make demo`, `make test` and the README build: each placed
# and routed on three nextpnr seeds, with the logic cells left spare (at least 3 %) and the
# clock slack (Fmax over the requested clock, at least 5 %). Prints a Markdown table for
# docs/performance.md and exits non-zero if any build falls short.
#   scripts/margins.sh BIN [OUTDIR]        (make margins)
#   ONLY=ulx3s-85f scripts/margins.sh ...  (only the builds whose line contains ONLY)
set -euo pipefail
bin=$1
out=${2:-build/margins}
seeds=${SEEDS:-1 2 3}
# network|board ("" = the file's own)|who builds it
builds=(
  "examples/digits/net/net.toml||make demo (digits chip)"
  "examples/small-icebreaker.toml||make test"
  "examples/small-icebreaker.toml|hx8k-breakout|make test"
  "examples/small-ulx3s-25f.toml||make test"
  "examples/one-core.toml||README (make bitstream)"
  "examples/one-core.toml|ulx3s-85f|README (make bitstream BOARD=ulx3s-85f)"
)
mkdir -p "$out"
echo "| network | board | built by | seed | logic cells used of available | spare | Fmax (MHz) | clock (MHz) | slack | verdict |"
echo "|---|---|---|---|---|---|---|---|---|---|"
fail=0
for b in "${builds[@]}"; do
  [[ -n "${ONLY:-}" && "$b" != *"$ONLY"* ]] && continue
  IFS='|' read -r net board who <<<"$b"
  for s in $seeds; do
    dir="$out/$(basename "$(dirname "$net")")-$(basename "$net" .toml)-${board:-own}-$s"
    args=(synth "$net" --seed "$s" --out "$dir" --json --measure-steps 0)
    [[ -n "$board" ]] && args+=(--board "$board")
    if ! "$bin" "${args[@]}" >"$dir.json" 2>"$dir.log"; then
      echo "| $net | ${board:-(file)} | $who | $s | | | | | | **flow failed** (see $dir.log) |"
      fail=1
      continue
    fi
    row=$(python3 - "$dir.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
lc = next(x for x in r["resources"] if x["name"] in ("ICESTORM_LC", "TRELLIS_COMB"))
spare = 100.0 * (lc["available"] - lc["used"]) / lc["available"]
fmax, want = r["fmax_mhz"], r["requested_mhz"]
slack = 100.0 * (fmax / want - 1.0)
ok = spare >= 3.0 and slack >= 5.0 and r["timing_met"]
print(f'{r["board"]}|{lc["used"]} of {lc["available"]} {lc["name"]}|{spare:.1f} %|{fmax:.2f}|{want:.3f}|{slack:.1f} %|{"ok" if ok else "SHORT"}')
PY
)
    IFS='|' read -r bname cells spare fmax want slack verdict <<<"$row"
    echo "| $net | $bname | $who | $s | $cells | $spare | $fmax | $want | $slack | $verdict |"
    [[ "$verdict" == ok ]] || fail=1
  done
done
exit $fail
