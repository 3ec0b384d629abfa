#!/usr/bin/env bash
# Programs a board with a bitstream from `spikemesh synth`: iceprog for iCE40 (.bin),
# openFPGALoader for ECP5 (.bit). Says what to install when the programmer is missing.
set -euo pipefail
# Usage: scripts/prog.sh build/fpga (the directory `spikemesh synth --out` wrote) or a file.
bit=${1:?usage: scripts/prog.sh build/fpga | top.bin | top.bit}
if [ -d "$bit" ]; then
    dir=$bit
    bit=$(ls "$dir"/top.bin "$dir"/top.bit 2>/dev/null | head -1 || true)
    [ -n "$bit" ] || { echo "no bitstream (top.bin or top.bit) in $dir: run make bitstream first"; exit 1; }
fi
[ -f "$bit" ] || { echo "no bitstream at $bit: run make bitstream first"; exit 1; }
case "$bit" in
    *.bin)
        if command -v iceprog >/dev/null; then exec iceprog "$bit"; fi
        if command -v openFPGALoader >/dev/null; then exec openFPGALoader -b ice40_generic "$bit"; fi
        echo "no iCE40 programmer found: install iceprog (Debian: apt install fpga-icestorm) or openFPGALoader (apt install openfpgaloader)"
        exit 1 ;;
    *.bit)
        if command -v openFPGALoader >/dev/null; then exec openFPGALoader -b ulx3s "$bit"; fi
        if command -v fujprog >/dev/null; then exec fujprog "$bit"; fi
        echo "no ECP5 programmer found: install openFPGALoader (Debian: apt install openfpgaloader) or fujprog"
        exit 1 ;;
    *) echo "unknown bitstream type: $bit"; exit 1 ;;
esac
