#!/usr/bin/env bash
# The first second of a sandbox, for two or more distributions measured in the same rounds:
#
#   bench/startup/sandbox-first-run.sh ROUNDS DIST...   # e.g. 3 /tmp/old-dist runtime-sentry/target/jvisor-runtime
#
# Each round runs each command under each distribution's `bin/runsc do` over the host root, one
# after another, so that a change of machine load falls on all of them alike. Prints the median
# wall milliseconds per command and distribution, and the load average before and after.
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 ROUNDS DIST..." >&2; exit 2; }
rounds=$1; shift
commands=("/bin/true" "/bin/ls /" "python3 -c pass" "sh -c 'for i in 1 2 3 4 5; do /bin/true; done'")
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$rounds"); do
  for c in "${commands[@]}"; do
    for d in "$@"; do
      start=$(date +%s%N)
      eval "\"$d/bin/runsc\" do -- $c" > /dev/null 2>&1 || { echo "$d: $c failed" >&2; exit 1; }
      end=$(date +%s%N)
      printf '%s\t%s\t%s\n' "$c" "$d" $(( (end - start) / 1000000 )) >> "$samples"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| command | distribution | median wall ms | runs |\n|---|---|---:|---|\n'
for c in "${commands[@]}"; do
  for d in "$@"; do
    runs=$(awk -F'\t' -v c="$c" -v d="$d" '$1 == c && $2 == d { print $3 }' "$samples" | sort -n)
    median=$(awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' <<< "$runs")
    printf '| `%s` | %s | %s | %s |\n' "$c" "$d" "$median" "$(paste -sd, <<< "$runs")"
  done
done
