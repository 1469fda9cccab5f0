# Shared by the benchmark scripts (files, syscalls, workloads, lifecycle): where the runtimes are,
# which of them can run here, a busybox rootfs, statistics and the formatting of ratios.
# Sourced after the script has set $here (its own directory); sets $repo and the defaults below.
#
#   REPEATS=N         runs per median (default 5)
#   GVISOR_RUNSC=PATH another gVisor runsc (default /usr/bin/runsc)
#   JVISOR_RUNSC=PATH another jVisor launcher (default: the distribution built in this tree)
#   RESULTS=PATH      write the results table there instead of the script's RESULTS.md (a trial
#                     run that must not replace the recorded measurements)

repo=$(cd "$here/../.." && pwd)
repeats=${REPEATS:-5}
gvisor=${GVISOR_RUNSC:-/usr/bin/runsc}
jvisor=${JVISOR_RUNSC:-$repo/runtime-sentry/target/jvisor-runtime/bin/runsc}
results=${RESULTS:-$here/RESULTS.md}

die() { echo "run.sh: $*" >&2; exit 1; }

# Whether a runtime can run here: gVisor needs root; jVisor needs its distribution built.
available() {
  case $1 in
    native) return 0 ;;
    gvisor) [[ -x $gvisor ]] && [[ $(id -u) == 0 ]] ;;
    jvisor) [[ -x $jvisor ]] ;;
  esac
}

# Builds the jVisor distribution at $1 (a bin/runsc path) if it is missing.
ensure_jvisor_built() {
  [[ -x $1 ]] && return 0
  export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
  (cd "$repo" && mvn -B -ntp -q -pl runtime-sentry -am package -DskipTests)
}

# The median of the numbers on stdin, one per line; "n/a" for none.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# a / b as "N.N×" (decimals: $3, default 1); "n/a" unless both are numbers and b is not 0.
ratio() {
  awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN {
    number = "^[0-9.]+(e[+-]?[0-9]+)?$"
    if (a !~ number || b !~ number || b == 0) print "n/a"; else printf "%." d "f×\n", a / b }'
}

# The first line a command prints (a version), or "not installed".
version_of() { local v; v=$("$@" 2>/dev/null) || v="not installed"; echo "${v%%$'\n'*}"; }

gvisor_version() { version_of "$gvisor" --version; }

# Compiles each "$here/NAME.c" named first in the entries of the benchmarks array into a static
# binary in $build.
build_static_benchmarks() {
  mkdir -p "$build"
  local b name
  for b in "${benchmarks[@]}"; do
    name=${b%% *}
    gcc -static -O2 -Wall -Wextra -Werror -o "$build/$name" "$here/$name.c" || die "cannot compile $name.c"
  done
}

# Sets $rootfs to a fresh busybox rootfs (removed when the script exits) named after $1, with
# /bin/sh, root in /etc/passwd, a sticky /tmp and the benchmarks' binaries from $build in /bin.
make_busybox_rootfs() {
  rootfs=$(mktemp -d "/tmp/jvisor-bench-$1.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs"/{bin,etc,tmp,proc,dev,sys}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  ln -s busybox "$rootfs/bin/sh"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
  local b
  for b in "${benchmarks[@]}"; do cp "$build/${b%% *}" "$rootfs/bin/"; done
}

# The command prefix that runs /bin/X inside $rootfs under a sandbox.
sandbox_prefix() {
  case $1 in
    gvisor) echo "$gvisor --network=none --platform=ptrace do --quiet --root $rootfs" ;;
    jvisor) echo "$jvisor do --rootfs $rootfs --" ;;
  esac
}

# The median ns/op of one benchmark binary under a runtime, through the script's run_in; the
# binary prints "<label> <ns/op>" (label: $4, default the name).
measure_benchmark() {  # runtime, name, iterations[, label]
  local runtime=$1 name=$2 iterations=$3 label=${4:-$2} out
  for _ in $(seq "$repeats"); do
    out=$(run_in "$runtime" "/bin/$name" "$iterations") || { echo "run.sh: $name failed under $runtime" >&2; return 1; }
    awk -v n="$label" '$1 == n { print $2 }' <<<"$out"
  done | median
}
