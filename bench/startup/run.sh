#!/usr/bin/env bash
# Whole-process start-up of `runsc --version`: jVisor with and without its AOT cache, against
# gVisor's runsc (Go; `apt-get install runsc`), plus the floors under jVisor's number (the bash
# launcher alone, the bare JVM). Prints medians and ratios and writes them to RESULTS.md.
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
java_bin=$(sed -n "s/^built_java='\(.*\)'$/\1/p" "$runsc")

with_aot() { "$runsc" --version; }
without_aot() { JVISOR_NO_AOT=1 "$runsc" --version; }
launcher_only() { JVISOR_JAVA=/bin/true "$runsc" --version; }
jvm_floor() { "$java_bin" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -version; }
gvisor_version() { "$gvisor" --version; }
cases=(with_aot without_aot launcher_only jvm_floor)
[[ -x $gvisor ]] && cases+=(gvisor_version)

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
for c in with_aot without_aot launcher_only jvm_floor gvisor_version; do
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
  echo "| floor: bare JVM start (\`java -version\`, same flags, default CDS) | $t_floor | $(ratio "$t_floor" "$t_gvisor") | $c_jvm_floor | $(ratio "$c_jvm_floor" "$c_gvisor_version") |"
  echo
  echo "AOT cache speed-up: $(ratio "$t_noaot" "$t_aot"). Goal: within 3× of gVisor."
  echo
  echo "## What stands between jVisor and 1×"
  echo
  echo "- **The JVM's own start** ($t_floor ms, $(ratio "$t_floor" "$t_gvisor") of gVisor's whole run) comes before any"
  echo "  runsc code: mapping the class-data archive, creating the heap, GC and compiler threads, booting the"
  echo "  module system. No runsc change reduces it."
  echo "- **runsc's own work** ($(awk -v a="$t_aot" -v b="$t_floor" -v c="$t_launcher" 'BEGIN {printf "%.1f", a-b-c}') ms with the cache): loading and linking our classes"
  echo "  and running them in the interpreter and C1. The JDK 25 AOT cache (JEP 483/514/515) stores classes"
  echo "  already loaded and linked, plus method profiles, but no compiled code, so the first calls still run"
  echo "  interpreted. Without the cache the same work costs $(awk -v a="$t_noaot" -v b="$t_floor" -v c="$t_launcher" 'BEGIN {printf "%.1f", a-b-c}') ms."
  echo "- **The bash launcher** ($t_launcher ms): bash, one readlink, the exec."
  echo
  echo "Closing the rest needs compiled code before the first call: ahead-of-time compiled methods in the"
  echo "AOT cache (planned for JDKs after 25), a native image (no GraalVM here), or a small native front end"
  echo "for the short-lived OCI calls that hands work to the resident Sentry process."
} > "$here/RESULTS.md.tmp"
mv "$here/RESULTS.md.tmp" "$here/RESULTS.md"
cat "$here/RESULTS.md"
