#!/usr/bin/env bash
# Everyday workloads: native vs gVisor (ptrace platform) vs jVisor, medians and ratios in one run.
#
#   bench/workloads/run.sh            # run everything available, write RESULTS.md
#   REPEATS=7 bench/workloads/run.sh  # more runs per median (default 5)
#
# Each workload is a Debian program run unchanged over the host root: natively, under gVisor's
# `runsc do` and under jVisor's `runsc do` (both: host root read-only beneath an in-memory
# overlay, cwd = a fresh directory). Two times are taken per run: the wall time of the whole
# command, sandbox start-up included, and the time inside the sandbox, from the workload's first
# command to its last (read with date(1) in the sandbox: what the runtime costs once the program
# runs — fork, exec, loading, mmap, files, syscalls). The output of every sandboxed run is
# compared with the native one.
# JVISOR_RUNSC=PATH measures another jVisor launcher; GVISOR_RUNSC=PATH another gVisor.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"

# name | what it runs (a shell command line; the workload files are in $here)
workloads=(
  "python3 threads + json|python3 $here/python_threads.py"
  "python3 subprocess.run ×20|python3 $here/python_subprocess.py"
  "python3 multiprocessing Pool(2)|python3 $here/python_multiprocessing.py"
  "python3 asyncio echo on 127.0.0.1|python3 $here/python_asyncio.py"
  "sqlite3 :memory: 100k inserts|sh $here/sqlite_insert.sh"
  "gcc -O2 -c, link, run|sh $here/gcc_hello.sh"
)

# Runs a command line under a runtime in directory $2; stdout+stderr to stdout. The last line
# printed is "@inside MS", the milliseconds the command took measured inside the sandbox.
run_in() {  # runtime, dir, command line
  local runtime=$1 dir=$2
  local cmd="s=\$(date +%s%N); { $3; } 2>&1; rc=\$?; e=\$(date +%s%N); echo \"@inside \$(( (e - s) / 1000000 ))\"; exit \$rc"
  case $runtime in
    native) (cd "$dir" && sh -c "$cmd") ;;
    gvisor) (cd "$dir" && "$gvisor" --network=none --platform=ptrace do --quiet sh -c "$cmd") ;;
    jvisor) (cd "$dir" && "$jvisor" do -- sh -c "$cmd") ;;
  esac 2>&1
}

# One run of a workload under a runtime, its output checked against $expected: "whole inside"
# (ms), or FAIL / DIFF.
run_once() {  # runtime, command line
  local runtime=$1 cmd=$2 dir start end out inside
  dir=$(mktemp -d /var/tmp/jvisor-workload.XXXXXX)
  start=$(date +%s%N)
  out=$(run_in "$runtime" "$dir" "$cmd") || { rm -rf "$dir"; echo "run.sh: '$cmd' failed under $runtime: $out" >&2; echo FAIL; return; }
  end=$(date +%s%N)
  rm -rf "$dir"
  inside=${out##*@inside }
  out=${out%@inside *}
  if [[ $out != "$expected" ]]; then
    printf 'run.sh: %s under %s printed\n%s\ninstead of\n%s\n' "$cmd" "$runtime" "$out" "$expected" >&2
    echo DIFF; return
  fi
  echo "$(( (end - start) / 1000000 )) $inside"
}

# Medians of the runs of one runtime ("whole inside"), or "n/a n/a" / "differs differs".
summarize() {  # lines of run_once output on stdin
  local v
  v=$(cat)
  if grep -q FAIL <<<"$v"; then echo n/a n/a
  elif grep -q DIFF <<<"$v"; then echo differs differs
  else echo "$(cut -d' ' -f1 <<<"$v" | median) $(cut -d' ' -f2 <<<"$v" | median)"; fi
}

main() {
  local load_before
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  for tool in python3 sqlite3 gcc; do command -v $tool >/dev/null || die "$tool is required (apt-get install $tool)"; done
  local runtimes=(native gvisor jvisor)
  declare -A result
  for w in "${workloads[@]}"; do
    local name=${w%%|*} cmd=${w#*|} dir
    dir=$(mktemp -d /var/tmp/jvisor-workload.XXXXXX)
    expected=$(run_in native "$dir" "$cmd") || die "'$cmd' fails natively: $expected"
    expected=${expected%@inside *}
    rm -rf "$dir"
    # Rounds interleave the runtimes, so that the machine's speed drifting over the run (it does,
    # by up to ±20% between minutes on a shared host) moves all three alike.
    declare -A runs=()
    local round runtime
    echo "$name (x $repeats, interleaved)" >&2
    for round in $(seq "$repeats"); do
      for runtime in "${runtimes[@]}"; do
        available "$runtime" || continue
        runs[$runtime]+="$(run_once "$runtime" "$cmd")"$'\n'
      done
    done
    for runtime in "${runtimes[@]}"; do
      if ! available "$runtime"; then result[$runtime,$name]="n/a n/a"; continue; fi
      result[$runtime,$name]=$(printf '%s' "${runs[$runtime]}" | summarize)
    done
  done

  {
    echo "# Everyday workloads"
    echo
    echo "Written by \`bench/workloads/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): median of $repeats runs (rounds interleave the runtimes), in milliseconds,"
    echo "of the wall time of each whole command (sandbox start-up included) and of the time inside the sandbox"
    echo "(from the workload's first command to its last, read with date(1) in the sandbox). Host: $(uname -sr), $(nproc) CPUs"
    echo "($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)); $(version_of python3 --version),"
    echo "sqlite3 $(version_of sqlite3 --version | cut -d' ' -f1), $(version_of gcc --version | sed 's/^gcc //')."
    echo "gVisor \`$(version_of "$gvisor" --version)\` with \`--platform=ptrace --network=none do\`;"
    echo "jVisor \`runsc do\` of the distribution built from $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'this tree')."
    echo "Every sandboxed run's output was compared with the native output (\"differs\" otherwise)."
    echo "Load average before / after the run: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) (2 CPUs: above 2, runs wait for a CPU)."
    echo
    echo "Whole command:"
    echo
    echo "| workload | native ms | gVisor ms | jVisor ms | jVisor / native | jVisor / gVisor |"
    echo "|---|---:|---:|---:|---:|---:|"
    for w in "${workloads[@]}"; do
      local name=${w%%|*} n g j
      n=${result[native,$name]% *}; g=${result[gvisor,$name]% *}; j=${result[jvisor,$name]% *}
      echo "| $name | $n | $g | $j | $(ratio "$j" "$n" 2) | $(ratio "$j" "$g" 2) |"
    done
    echo
    echo "Inside the sandbox (start-up excluded):"
    echo
    echo "| workload | native ms | gVisor ms | jVisor ms | jVisor / native | jVisor / gVisor |"
    echo "|---|---:|---:|---:|---:|---:|"
    for w in "${workloads[@]}"; do
      local name=${w%%|*} n g j
      n=${result[native,$name]#* }; g=${result[gvisor,$name]#* }; j=${result[jvisor,$name]#* }
      echo "| $name | $n | $g | $j | $(ratio "$j" "$n" 2) | $(ratio "$j" "$g" 2) |"
    done
    echo
    echo "Goal (issue 8): jVisor no slower than gVisor on each workload."
  } > "$results"
  cat "$results"
}

main "$@"
