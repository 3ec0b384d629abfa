#!/usr/bin/env bash
# Pinned Python venvs outside the clone, for the jobs where Python's ecosystem is the point:
# writing NIR fixtures with the official `nir` package, training the digits classifier, the
# solvers of the formal proofs, and (opt-in) the frameworks that write nir/tests/frameworks.
# Python is never on the path from a network file to a bitstream.
#   pyenv.sh NAME install   create ~/.cache/spikemesh/py-NAME-<hash of scripts/py-NAME.txt> (once)
#   pyenv.sh NAME python    print that venv's python (after install)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: pyenv.sh nir|train|formal|torch|spyx install|python}
pins_file="$here/py-$name.txt"
[[ -f "$pins_file" ]] || { echo "pyenv.sh: no $pins_file" >&2; exit 2; }
hash=$(grep -v '^#' "$pins_file" | sha256sum | cut -c1-12)
dir="${XDG_CACHE_HOME:-$HOME/.cache}/spikemesh/py-$name-$hash"
case "${2:-}" in
  install)
    if [[ ! -f "$dir/stamp" ]]; then
      pins=$(grep -v '^#' "$pins_file" | tr '\n' ' ')
      echo "spikemesh: installing the pinned Python venv '$name' into $dir (once): $pins"
      "${PYTHON:-python3}" -m venv "$dir/venv"
      # As a requirements file: a pin such as jax[cpu] is then never read as a shell glob.
      "$dir/venv/bin/pip" install --quiet --disable-pip-version-check -r "$pins_file"
      touch "$dir/stamp"
    fi ;;
  python) echo "$dir/venv/bin/python" ;;
  *) echo "usage: pyenv.sh NAME install|python" >&2; exit 2 ;;
esac
