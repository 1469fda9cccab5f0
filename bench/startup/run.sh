#!/usr/bin/env bash
# Whole-process start-up of `runsc --version`: jVisor with and without its AOT cache, against
# gVisor's runsc (Go; `apt-get install runsc`), plus the floors under jVisor's number (the bash
# launcher alone, the bare JVM); and of a sandboxed /bin/true (`runsc do`) with each cache.
# Prints medians and ratios and writes them to RESULTS.md.
#
#   bench/startup/run.sh [RUNS]        (default 31 runs per case, after 3 warm-up runs)
# Builds the runtime first if runtime-sentry/target/jvisor-runtime is missing.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=${1:-31}
dist=$repo/runtime-sentry/target/jvisor-runtime
runsc=$dist/bin/runsc
gvisor=${GVISOR_RUNSC:-/usr/bin/runsc}

if [[ ! -x $runsc ]]; then
  export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
  (cd "$repo" && mvn -B -ntp -q -pl runtime-sentry -am package -DskipTests)
fi
# The JVM bin/runsc runs: the distribution's bundled jre/ when it has one, else the build JDK.
java_bin=$dist/jre/bin/java
[[ -x $java_bin ]] || java_bin=$(sed -n "s/^built_java='\(.*\)'$/\1/p" "$runsc")

with_aot() { "$runsc" --version; }
without_aot() { JVISOR_NO_AOT=1 "$runsc" --version; }
launcher_only() { JVISOR_JAVA=/bin/true "$runsc" --version; }
jvm_floor() { "$java_bin" -Xint -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -version; }
gvisor_version() { "$gvisor" --version; }
rootfs=$repo/runtime-sentry/target/rootfs-busybox
do_sandbox_cache() { "$runsc" do --rootfs "$rootfs" -- /bin/true; }
do_cli_cache() { JVISOR_JAVA_OPTS="-XX:AOTCache=$dist/lib/runsc.aot" "$runsc" do --rootfs "$rootfs" -- /bin/true; }
do_no_cache() { JVISOR_NO_AOT=1 "$runsc" do --rootfs "$rootfs" -- /bin/true; }
gvisor_do() { "$gvisor" --network=none do /bin/true; }
cases=(with_aot without_aot launcher_only jvm_floor)
[[ -x $gvisor ]] && cases+=(gvisor_version)
if [[ -d $rootfs && -f $dist/lib/sandbox.aot ]]; then
  cases+=(do_sandbox_cache do_cli_cache do_no_cache)
  [[ -x $gvisor && $(id -u) == 0 ]] && cases+=(gvisor_do)
fi

# shellcheck source=lib.sh
source "$here/lib.sh"
samples=$(mktemp)
trap 'rm -f "$samples" "$cpu_file"' EXIT

# Rounds run every case once, in turn, so that load from other work on the machine falls on all
# cases alike.
echo "measuring $runs rounds of ${#cases[@]} cases..." >&2
for c in "${cases[@]}"; do for ((i = 0; i < 3; i++)); do "$c" >/dev/null 2>&1 || true; done; done
for ((i = 0; i < runs; i++)); do
  for c in "${cases[@]}"; do sample "$c" "$c"; done
done
for c in with_aot without_aot launcher_only jvm_floor gvisor_version do_sandbox_cache do_cli_cache do_no_cache gvisor_do; do
  printf -v "w_$c" '%s' "$(median_ms "$c" 2)"
  printf -v "c_$c" '%s' "$(median_ms "$c" 3)"
done
t_aot=$w_with_aot t_noaot=$w_without_aot t_launcher=$w_launcher_only t_floor=$w_jvm_floor t_gvisor=$w_gvisor_version

ratio() { [[ -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f×", a/b}' || echo "n/a"; }

{
  echo "# Start-up of \`runsc --version\`"
  echo
  echo "Measured by \`bench/startup/run.sh $runs\` on $(date -u +%Y-%m-%d), $(nproc) CPUs, $(uname -r), load average $(cut -d" " -f1-3 /proc/loadavg);"
  echo "JVM: $("$java_bin" -version 2>&1 | sed -n 2p). gVisor: $([[ -x $gvisor ]] && "$gvisor" --version 2>/dev/null | sed -n 1p || echo 'not installed')."
  echo "Medians over $runs interleaved rounds (after 3 warm-up runs of each case) of the whole process's wall"
  echo "time and of its CPU time (user+system, all threads). On a busy machine wall time includes waiting"
  echo "for a CPU; CPU time is the work the process itself does."
  echo
  echo "| case | wall ms | vs gVisor | CPU ms (user+sys) | vs gVisor |"
  echo "|---|---:|---:|---:|---:|"
  echo "| jVisor \`bin/runsc --version\`, AOT cache | $t_aot | $(ratio "$t_aot" "$t_gvisor") | $c_with_aot | $(ratio "$c_with_aot" "$c_gvisor_version") |"
  echo "| jVisor \`bin/runsc --version\`, no AOT cache | $t_noaot | $(ratio "$t_noaot" "$t_gvisor") | $c_without_aot | $(ratio "$c_without_aot" "$c_gvisor_version") |"
  echo "| gVisor \`runsc --version\` (Go) | ${t_gvisor:-n/a} | 1.0× | ${c_gvisor_version:-n/a} | 1.0× |"
  echo "| floor: the bash launcher alone (exec /bin/true) | $t_launcher | $(ratio "$t_launcher" "$t_gvisor") | $c_launcher_only | $(ratio "$c_launcher_only" "$c_gvisor_version") |"
  echo "| floor: bare JVM start (\`java -Xint -version\`, the launcher's flags for short calls, default CDS) | $t_floor | $(ratio "$t_floor" "$t_gvisor") | $c_jvm_floor | $(ratio "$c_jvm_floor" "$c_gvisor_version") |"
  echo
  echo "AOT cache speed-up: $(ratio "$t_noaot" "$t_aot"). Goal: within 3× of gVisor."
  if [[ -n $w_do_sandbox_cache ]]; then
    echo
    echo "## A sandboxed \`/bin/true\`"
    echo
    echo "jVisor: \`bin/runsc do --rootfs runtime-sentry/target/rootfs-busybox -- /bin/true\` (the Sentry starts"
    echo "its Gofer for the busybox root, runs the program, exits). gVisor: \`runsc --network=none do /bin/true\`"
    echo "over the host root. Same rounds as above."
    echo
    echo "| case | wall ms | vs gVisor | CPU ms (user+sys) | vs gVisor |"
    echo "|---|---:|---:|---:|---:|"
    echo "| jVisor, sandbox AOT cache (what bin/runsc picks) | $w_do_sandbox_cache | $(ratio "$w_do_sandbox_cache" "$w_gvisor_do") | $c_do_sandbox_cache | $(ratio "$c_do_sandbox_cache" "$c_gvisor_do") |"
    echo "| jVisor, CLI AOT cache | $w_do_cli_cache | $(ratio "$w_do_cli_cache" "$w_gvisor_do") | $c_do_cli_cache | $(ratio "$c_do_cli_cache" "$c_gvisor_do") |"
    echo "| jVisor, no AOT cache | $w_do_no_cache | $(ratio "$w_do_no_cache" "$w_gvisor_do") | $c_do_no_cache | $(ratio "$c_do_no_cache" "$c_gvisor_do") |"
    echo "| gVisor \`runsc do\` (Go) | ${w_gvisor_do:-n/a} | 1.0× | ${c_gvisor_do:-n/a} | 1.0× |"
  fi
  echo
  echo "## What stands between jVisor and 1×"
  echo
  own_cpu=$(awk -v a="$c_with_aot" -v b="$c_jvm_floor" -v c="$c_launcher_only" 'BEGIN {printf "%.1f", a-b-c}')
  own_cpu_noaot=$(awk -v a="$c_without_aot" -v b="$c_jvm_floor" -v c="$c_launcher_only" 'BEGIN {printf "%.1f", a-b-c}')
  echo "- **The JVM's own start** ($t_floor ms wall, $c_jvm_floor ms CPU; $(ratio "$c_jvm_floor" "$c_gvisor_version") of gVisor's"
  echo "  whole run in CPU) comes before any runsc code: mapping and relocating the class-data archive,"
  echo "  creating the heap and the VM's threads, booting the module system. No runsc change reduces it."
  echo "- **runsc's own work** (about $own_cpu ms CPU with the cache, $own_cpu_noaot ms without): loading the"
  echo "  classes the cache holds (all of them, eagerly), initialising them and running our code. The"
  echo "  JDK 25 AOT cache (JEP 483/514/515) stores classes already loaded and linked, plus profiles, but no"
  echo "  compiled code; short-lived calls therefore run interpreted (-Xint), as compiling would cost them"
  echo "  more CPU than it saves (see FLAGS.md)."
  echo "- **The bash launcher** ($t_launcher ms wall): bash, one readlink, the exec."
  echo
  echo "Closing the rest needs compiled code before the first call: ahead-of-time compiled methods in the"
  echo "AOT cache (planned for JDKs after 25), a native image (no GraalVM here), or a small native front end"
  echo "for the short-lived OCI calls that hands work to the resident Sentry process."
} > "$here/RESULTS.md.tmp"
mv "$here/RESULTS.md.tmp" "$here/RESULTS.md"
cat "$here/RESULTS.md"
