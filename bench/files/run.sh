#!/usr/bin/env bash
# File-system benchmarks: native vs gVisor (ptrace platform) vs jVisor, medians and ratios.
#
#   bench/files/run.sh            # build, run everything available, write RESULTS.md
#   REPEATS=9 bench/files/run.sh  # more runs per median (default 5)
#
# Each benchmark is a static binary run in the same rootfs by each runtime. In both sandboxes the
# rootfs is served by the runtime's Gofer with the default memory overlay on top, so reads go
# through the Gofer (or its caches) and creations stay in sandbox memory. A runtime that is not
# installed (or, for jVisor, not built: runtime-sentry/target/jvisor-runtime/bin/runsc) gets "n/a".
# JVISOR_RUNSC=PATH measures another jVisor launcher; JVISOR_LABEL=TEXT describes it in RESULTS.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
build=$here/build
jvisor_label=${JVISOR_LABEL:-"runtime-sentry/target/jvisor-runtime/bin/runsc"}

# name, iterations natively, iterations in a sandbox.
benchmarks=(
  "open_read_close 100000 5000"
  "stat 200000 10000"
  "readdir 2000 500"
  "seqread 20 10"
  "create_write_unlink 20000 2000"
)

# The busybox rootfs plus the data the benchmarks read, list and write.
make_rootfs() {
  make_busybox_rootfs files
  mkdir -p "$rootfs"/{data/dir1000,data/scratch}
  printf 'a small file read whole by open_read_close\n' > "$rootfs/data/small"
  for i in $(seq 0 999); do printf 'f%03d' "$((i % 1000))" > "$rootfs/data/dir1000/f$i"; done
  head -c $((64 << 20)) /dev/urandom > "$rootfs/data/big"
}

# Natively the programs' absolute paths (/data/...) must name the rootfs: run them chrooted.
run_in() {  # runtime, program path inside the rootfs, args...
  local runtime=$1 program=$2; shift 2
  if [[ $runtime == native ]]; then
    chroot "$rootfs" "$program" "$@"
  else
    # shellcheck disable=SC2046 # the prefix is a command line on purpose
    $(sandbox_prefix "$runtime") "$program" "$@"
  fi
}

# ns/op as µs/op, or for the 64 MiB read as MiB/s.
fmt() {
  awk -v v="$1" -v name="$2" 'BEGIN {
    if (v == "n/a") print v
    else if (name == "seqread") printf "%.0f MiB/s\n", 64 / (v / 1e9)
    else if (v >= 100000) printf "%.0f µs\n", v / 1000
    else printf "%.2f µs\n", v / 1000 }'
}

main() {
  command -v gcc >/dev/null || die "gcc is required"
  [[ -x /bin/busybox ]] || die "/bin/busybox (Debian busybox-static) is required"
  [[ $(id -u) == 0 ]] || die "run as root (native runs chroot into the rootfs)"
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
      local label=$name
      [[ $name == seqread ]] && label=seqread_64mib
      result[$runtime,$name]=$(measure_benchmark "$runtime" "$name" "$iterations" "$label" || echo n/a)
    done
  done

  {
    echo "# File-system benchmarks"
    echo
    echo "Written by \`bench/files/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): median of $repeats runs each"
    echo "(each run times its iterations after a warm-up of a tenth of them, so caches are warm;"
    echo "jVisor's JIT warms up over the same iterations, so short runs would mostly time the compiler)."
    echo "Host: $(uname -sr), $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)),"
    echo "gVisor \`$(gvisor_version)\` with \`--platform=ptrace --network=none\`; jVisor: $jvisor_label."
    echo "Both sandboxes serve the rootfs through their Gofer with the memory overlay on (their default)."
    echo
    echo "| operation | native | gVisor | jVisor | gVisor / native | jVisor / native | jVisor / gVisor |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for b in "${benchmarks[@]}"; do
      local name=${b%% *} n g j what
      n=${result[native,$name]:-n/a}; g=${result[gvisor,$name]:-n/a}; j=${result[jvisor,$name]:-n/a}
      case $name in
        open_read_close) what="open + read + close (per op)" ;;
        stat) what="stat, 3 levels deep (per op)" ;;
        readdir) what="readdir of 1,000 entries (per listing)" ;;
        seqread) what="sequential read of 64 MiB (throughput)" ;;
        create_write_unlink) what="create + 4 KiB write + unlink (per op)" ;;
      esac
      echo "| $what | $(fmt "$n" "$name") | $(fmt "$g" "$name") | $(fmt "$j" "$name") | $(ratio "$g" "$n") | $(ratio "$j" "$n") | $(ratio "$j" "$g") |"
    done
    echo
    echo "Ratios are of time per operation (for the 64 MiB read, of time per read of the whole file),"
    echo "so lower is better. \"n/a\": the runtime was not available or the benchmark failed in it."
    echo "Goal (issue 5): jVisor ≤ gVisor on each. The machine is shared with concurrent builds: compare"
    echo "columns of one run, not runs with each other."
  } > "$results"
  cat "$results"
}

main "$@"
