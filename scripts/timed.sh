#!/usr/bin/env bash
# One step of `make demo`: prints its title, runs the command, and prints how long it took;
# the time is also appended to $TIMES (if set), which `scripts/timed.sh --summary` prints.
#   scripts/timed.sh "title" command args...
#   scripts/timed.sh --summary
set -euo pipefail
if [[ "${1:-}" == "--summary" ]]; then
  [[ -n "${TIMES:-}" && -f "$TIMES" ]] || exit 0
  echo "== time per step (s)"
  awk -F'\t' '{ printf "%7.1f  %s\n", $1, $2; t += $1 } END { printf "%7.1f  total\n", t }' "$TIMES"
  exit 0
fi
title=$1
shift
echo "== $title"
t0=$(date +%s%N)
"$@"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t="$((ms / 1000)).$((ms % 1000 / 100))"
echo "   ($title: $t s)"
if [[ -n "${TIMES:-}" ]]; then printf '%s\t%s\n' "$t" "$title" >> "$TIMES"; fi
