#!/usr/bin/env bash
# Syscall microbenchmarks: native vs gVisor (ptrace platform) vs jVisor, medians and ratios.
#
#   bench/syscalls/run.sh            # build, run everything available, write RESULTS.md
#   REPEATS=9 bench/syscalls/run.sh  # more runs per median (default 5)
#
# Every benchmark is a static binary run in the same busybox rootfs by each runtime, so the
# files it stats and reads are the same bytes everywhere. A runtime that is not installed (or,
# for jVisor, not built: runtime-sentry/target/jvisor-runtime/bin/runsc) gets "n/a".
# JVISOR_RUNSC=PATH measures another jVisor launcher; JVISOR_LABEL=TEXT describes it in RESULTS.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
build=$here/build
# What the jVisor column measured, for the header (say which build when JVISOR_RUNSC is set).
jvisor_label=${JVISOR_LABEL:-"\`bin/runsc\` of the distribution built from $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'this tree')"}

# name, iterations natively, iterations in a sandbox (where each call costs ~100x more).
benchmarks=(
  "getpid 1000000 20000"
  "stat 200000 10000"
  "open_read_close 100000 5000"
  "pipe_round_trip 50000 2000"
  "fork_exit_wait 2000 200"
  "mmap_munmap 50000 5000"
  "clock_gettime 10000000 1000000"
)

# The busybox rootfs plus /bin/true, whose start the last row times.
make_rootfs() {
  make_busybox_rootfs rootfs
  ln -s busybox "$rootfs/bin/true"
}

run_in() {  # runtime, program path inside the rootfs, args...
  local runtime=$1 program=$2; shift 2
  if [[ $runtime == native ]]; then
    (cd "$rootfs" && "$rootfs$program" "$@")
  else
    # shellcheck disable=SC2046 # the prefix is a command line on purpose
    $(sandbox_prefix "$runtime") "$program" "$@"
  fi
}

measure_start() {  # runtime -> median milliseconds for the whole `do /bin/true`
  local runtime=$1 start end
  for _ in $(seq "$repeats"); do
    start=$(date +%s%N)
    run_in "$runtime" /bin/true >/dev/null || { echo "run.sh: /bin/true failed under $runtime" >&2; return 1; }
    end=$(date +%s%N)
    echo $(( (end - start) / 1000 ))
  done | median | awk '{ printf "%.1f\n", $1 / 1000 }'
}

fmt() { awk -v v="$1" 'BEGIN { if (v == "n/a") print v; else if (v >= 100) printf "%.0f\n", v; else printf "%.1f\n", v }'; }

main() {
  command -v gcc >/dev/null || die "gcc is required"
  [[ -x /bin/busybox ]] || die "/bin/busybox (Debian busybox-static) is required"
  build_static_benchmarks
  make_rootfs
  local runtimes=(native gvisor jvisor)
  declare -A result
  for runtime in "${runtimes[@]}"; do
    if ! available "$runtime"; then
      echo "skipping $runtime: not available" >&2
      continue
    fi
    for b in "${benchmarks[@]}"; do
      read -r name native_iterations sandbox_iterations <<<"$b"
      local iterations=$sandbox_iterations
      [[ $runtime == native ]] && iterations=$native_iterations
      echo "$runtime $name ($iterations iterations x $repeats)" >&2
      result[$runtime,$name]=$(measure_benchmark "$runtime" "$name" "$iterations" || echo n/a)
    done
    echo "$runtime start of /bin/true x $repeats" >&2
    result[$runtime,start]=$(measure_start "$runtime" || echo n/a)
  done

  {
    echo "# Syscall microbenchmarks"
    echo
    echo "Written by \`bench/syscalls/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): median of $repeats runs each."
    echo "Host: $(uname -sr), $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)),"
    echo "gVisor \`$(gvisor_version)\` with \`--platform=ptrace --network=none\`; jVisor: $jvisor_label."
    echo
    echo "| operation | native ns/op | gVisor ns/op | jVisor ns/op | gVisor / native | jVisor / native | jVisor / gVisor |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for b in "${benchmarks[@]}"; do
      local name=${b%% *} n g j
      n=${result[native,$name]:-n/a}; g=${result[gvisor,$name]:-n/a}; j=${result[jvisor,$name]:-n/a}
      echo "| $name | $(fmt "$n") | $(fmt "$g") | $(fmt "$j") | $(ratio "$g" "$n") | $(ratio "$j" "$n") | $(ratio "$j" "$g") |"
    done
    n=${result[native,start]:-n/a}; g=${result[gvisor,start]:-n/a}; j=${result[jvisor,start]:-n/a}
    echo
    echo "| start-up | native ms | gVisor ms | jVisor ms | gVisor / native | jVisor / native | jVisor / gVisor |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    echo "| \`do /bin/true\` (whole command) | $n | $g | $j | $(ratio "$g" "$n") | $(ratio "$j" "$n") | $(ratio "$j" "$g") |"
    echo
    echo "Native start-up is a fork and exec of busybox \`true\`. \"n/a\": the runtime was not available"
    echo "(jVisor: \`runtime-sentry/target/jvisor-runtime/bin/runsc\` not built) or the benchmark failed in it."
    echo "Goal (issue 3): jVisor's per-syscall cost at most half of gVisor's ptrace platform."
  } > "$results"
  cat "$results"
}

main "$@"
