#!/usr/bin/env bash
# Container lifecycle cost on a real node: wall time of `ctr run --rm busybox true` through
# containerd's stock runc shim, with jVisor's runsc, gVisor's runsc (Debian's, behind a wrapper
# adding --network=none, which it needs on this kernel) and runc as the runtime binary. The
# whole create/start/exit/delete round trip of the shim is in each sample.
# Prints medians and ratios and writes them to RESULTS.md next to this script (or $RESULTS).
#
#   bench/lifecycle/run.sh [RUNS]      (default 15 rounds, after 2 warm-up rounds; needs root)
#   BASELINE_RUNSC=/other/build/bin/runsc bench/lifecycle/run.sh   adds another jVisor build to
#                                      the same rounds (a before/after comparison under one load)
# Uses a private containerd (its own config, root, state and sockets under a temporary
# directory) and a busybox image built from /bin/busybox, as kind-tests' node harness does.
# Builds the runtime first if runtime-sentry/target/jvisor-runtime is missing.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
runs=${1:-15}
runsc=$jvisor
runc=${RUNC:-$(command -v runc || echo /usr/sbin/runc)}
ns=bench

# shellcheck source=lib.sh
source "$here/lib.sh"

# --- the runtimes ------------------------------------------------------------------------
printf '#!/bin/sh\nexec %s --network=none "$@"\n' "$gvisor" > "$work/gvisor-runsc"
chmod 755 "$work/gvisor-runsc"
declare -A binary=([jvisor]=$runsc [gvisor]=$work/gvisor-runsc [runc]=$runc [baseline]=${BASELINE_RUNSC:-})
cases=(jvisor runc)
[[ -n ${BASELINE_RUNSC:-} ]] && cases+=(baseline)
[[ -x $gvisor ]] && cases+=(gvisor)

samples=$work/samples
: > "$samples"
n=0
one() { # one() CASE → appends "CASE millis" on success
  local c=$1 id t0 t1
  id=$c-$((n++))
  t0=$(date +%s%N)
  if ctr_ run --rm --runtime io.containerd.runc.v2 --runc-binary "${binary[$c]}" --runc-root "$work/runc" \
      --fifo-dir "$work/fifo" "$image" "$id" true > "$work/last.out" 2>&1; then
    t1=$(date +%s%N)
    echo "$c $(((t1 - t0) / 1000000))" >> "$samples"
  else
    echo "run.sh: $c failed: $(tail -c 300 "$work/last.out")" >&2
    ctr_ task rm -f "$id" >/dev/null 2>&1 || true
    ctr_ containers rm "$id" >/dev/null 2>&1 || true
  fi
}

echo "measuring $runs rounds of ${cases[*]}..." >&2
# Rounds run every case once, in turn, so load from other work on the machine falls on all alike.
for ((i = 0; i < 2; i++)); do for c in "${cases[@]}"; do one "$c"; done; done
: > "$samples"
for ((i = 0; i < runs; i++)); do for c in "${cases[@]}"; do one "$c"; done; done

median() { awk -v c="$1" '$1 == c {print $2}' "$samples" | sort -n | awk '{a[NR] = $1} END {if (NR) print (NR % 2 ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2))}'; }
count() { awk -v c="$1" '$1 == c' "$samples" | wc -l; }
ratio() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", a / b}' || echo "n/a"; }
m_jvisor=$(median jvisor); m_runc=$(median runc); m_gvisor=$(median gvisor); m_baseline=$(median baseline)

row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "${2:-failed}" "$(count "$3")/$runs" "$(ratio "$2" "$m_runc")" "$(ratio "$2" "$m_gvisor")"; }
report=$(
  echo "# Lifecycle: \`ctr run --rm busybox true\` through the stock runc shim"
  echo
  echo "Measured $(date -u +%Y-%m-%d) by \`bench/lifecycle/run.sh $runs\` on $(nproc) CPUs (shared with other work),"
  echo "kernel $(uname -r), $(containerd --version | awk '{print $1, $3}'), runc $("$runc" --version | awk 'NR == 1 {print $3}'),"
  echo "gVisor $("$gvisor" --version 2>/dev/null | awk 'NR == 1 {print $3}'), jVisor at commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "Each sample is the wall time of one whole \`ctr run --rm\`: the shim starts, create, start, the"
  echo "program runs and exits, delete; medians of the rounds that succeeded, in milliseconds."
  echo
  echo "| runtime | median ms | ok | vs runc | vs gVisor |"
  echo "|---|---|---|---|---|"
  row "jVisor runsc" "$m_jvisor" jvisor
  row "gVisor runsc --network=none" "$m_gvisor" gvisor
  row "runc" "$m_runc" runc
  if [[ -n ${BASELINE_RUNSC:-} ]]; then row "jVisor, another build: $BASELINE_RUNSC" "$m_baseline" baseline; fi
)
echo "$report"
echo "$report" > "$results"
