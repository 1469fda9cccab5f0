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

# Rounds run every case once, in turn, so that load from other work on the machine falls on all
# cases alike. Timed with bash's EPOCHREALTIME: no extra process per sample.
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT
echo "measuring $runs rounds of ${#cases[@]} cases (median wall time, whole process)..." >&2
for c in "${cases[@]}"; do for ((i = 0; i < 3; i++)); do "$c" >/dev/null 2>&1 || true; done; done
for ((i = 0; i < runs; i++)); do
  for c in "${cases[@]}"; do
    start=$EPOCHREALTIME
    "$c" >/dev/null 2>&1 || true
    end=$EPOCHREALTIME
    echo "$c $(( ${end/./} - ${start/./} ))" >> "$samples"
  done
done
median_ms() {
  grep "^$1 " "$samples" | awk '{print $2}' | sort -n \
    | awk '{a[NR]=$1} END {if (NR == 0) exit; m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'
}
t_aot=$(median_ms with_aot)
t_noaot=$(median_ms without_aot)
t_launcher=$(median_ms launcher_only)
t_floor=$(median_ms jvm_floor)
t_gvisor=$(median_ms gvisor_version)

ratio() { [[ -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f×", a/b}' || echo "n/a"; }

{
  echo "# Start-up of \`runsc --version\`"
  echo
  echo "Measured by \`bench/startup/run.sh $runs\` on $(date -u +%Y-%m-%d), $(nproc) CPUs, $(uname -r), load average $(cut -d" " -f1-3 /proc/loadavg);"
  echo "JVM: $("$java_bin" -version 2>&1 | sed -n 2p). gVisor: $([[ -x $gvisor ]] && "$gvisor" --version 2>/dev/null | sed -n 1p || echo 'not installed')."
  echo "Median wall time of the whole process over $runs interleaved rounds, after 3 warm-up runs of each case."
  echo
  echo "| case | median ms | vs gVisor |"
  echo "|---|---:|---:|"
  echo "| jVisor \`bin/runsc --version\`, AOT cache | $t_aot | $(ratio "$t_aot" "$t_gvisor") |"
  echo "| jVisor \`bin/runsc --version\`, no AOT cache | $t_noaot | $(ratio "$t_noaot" "$t_gvisor") |"
  echo "| gVisor \`runsc --version\` (Go) | ${t_gvisor:-n/a} | 1.0× |"
  echo "| floor: the bash launcher alone (exec /bin/true) | $t_launcher | $(ratio "$t_launcher" "$t_gvisor") |"
  echo "| floor: bare JVM start (\`java -version\`, same flags, default CDS) | $t_floor | $(ratio "$t_floor" "$t_gvisor") |"
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
