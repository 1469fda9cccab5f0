#!/usr/bin/env bash
# Where the time of `ctr run --rm busybox true` goes with jVisor: every runsc process the shim
# starts (create, start, delete, …), the boot process create starts and the Gofer it starts
# append start-up phase marks to one trace (bin/runsc's JVISOR_STARTUP_TRACE: the launcher's
# start, the JVM's main, the Gofer spawned/serving/connected, the control channel listening,
# the program running, each JVM's exit). For each mark this prints the median time from the
# moment ctr was started, over the runs, and the median whole run.
#
#   bench/lifecycle/phases.sh [RUNS]     (default 9, after 1 warm-up run; needs root)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
runs=${1:-9}
runsc=$jvisor
ns=phases

# shellcheck source=lib.sh
source "$here/lib.sh"

# The shim passes its own environment on; a wrapper makes sure the trace variable reaches runsc.
trace=$work/trace
printf '#!/bin/sh\nJVISOR_STARTUP_TRACE=%s exec %s "$@"\n' "$trace" "$runsc" > "$work/traced-runsc"
chmod 755 "$work/traced-runsc"

runs_file=$work/runs
: > "$runs_file"
for ((i = 0; i <= runs; i++)); do
  : > "$trace"
  t0=$(date +%s%6N)
  ctr_ run --rm --runtime io.containerd.runc.v2 --runc-binary "$work/traced-runsc" --runc-root "$work/runc" \
    --fifo-dir "$work/fifo" "$image" "phases-$i" true > "$work/last.out" 2>&1 \
    || { echo "phases.sh: run $i failed: $(tail -c 300 "$work/last.out")" >&2; exit 1; }
  t1=$(date +%s%6N)
  # Run 0 warms the page cache and containerd; it is not counted.
  ((i == 0)) && continue
  # The shim's delete (and its cleanup binary's delete --force) may still be running.
  sleep 1
  { echo "run $t0 $t1"; cat "$trace"; } >> "$runs_file"
done

python3 - "$runs_file" "$runs" <<'PY'
import collections, statistics, sys
runs, current, offsets, totals = [], None, collections.defaultdict(list), []
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "run":
        current = {"t0": int(f[1]), "t1": int(f[2]), "marks": []}
        runs.append(current)
    else:
        current["marks"].append((int(f[0]), f[1], f[2]))
order = {}
for r in runs:
    totals.append((r["t1"] - r["t0"]) / 1000)
    # A process's role: its launcher's command, or "gofer" for the process that marks gofer-main.
    role, seen = {}, collections.Counter()
    for t, pid, mark in sorted(r["marks"]):
        if pid not in role:
            name = mark.split(":", 1)[1] if mark.startswith("launcher:") else ("gofer" if mark.startswith("gofer-main") else "?")
            seen[name] += 1
            role[pid] = name if seen[name] == 1 else f"{name}#{seen[name]}"
        key = f"{role[pid]:<10} {mark.split(':', 1)[0] if mark.startswith('launcher:') else mark}"
        offsets[key].append((t - r["t0"]) / 1000)
        order.setdefault(key, (t - r["t0"]) / 1000)
print(f"median of {len(runs)} runs of `ctr run --rm busybox true`: {statistics.median(totals):.0f} ms")
print("| process | mark | median ms after ctr started | runs |")
print("|---|---|---:|---:|")
for key in sorted(offsets, key=lambda k: statistics.median(offsets[k])):
    proc, mark = key.split(None, 1)
    print(f"| {proc} | {mark} | {statistics.median(offsets[key]):.0f} | {len(offsets[key])} |")
PY
