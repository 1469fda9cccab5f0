#!/usr/bin/env bash
# Which JVM flags of bin/runsc pay for themselves: each variant drops (or adds) one flag from
# the launcher's set, gets its own AOT cache trained with exactly those flags, and runs
# `runsc --version` RUNS times, interleaved with the others so that load on the machine hits
# all alike. Writes FLAGS.md.   bench/startup/flags.sh [RUNS]   (default 25)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
dist=$(cd "$here/../.." && pwd)/runtime-sentry/target/jvisor-runtime
runs=${1:-25}
[[ -x $dist/bin/runsc ]] || { echo "build first: mvn -pl runtime-sentry -am package -DskipTests" >&2; exit 1; }
# The JVM bin/runsc runs: the distribution's bundled jre/ when it has one, else the build JDK.
java=$dist/jre/bin/java
[[ -x $java ]] || java=$(sed -n "s/^built_java='\(.*\)'$/\1/p" "$dist/bin/runsc")
cp="$dist/lib/runtime-sentry.jar:$dist/lib/runtime-gofer.jar"
work=$(mktemp -d)
# shellcheck source=lib.sh
source "$here/lib.sh"
samples="$work/samples"
trap 'rm -rf "$work" "$cpu_file"' EXIT

launcher="--enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss1m -Xms8m -Xmx512m -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr"
names=(launcher no-TieredStopAtLevel no-UseSerialGC no-heap-sizes no-UsePerfData no-Xlog plus-Xint plus-no-ASLR bare)
declare -A opts=(
  [launcher]="$launcher"
  [no-TieredStopAtLevel]="${launcher/-XX:TieredStopAtLevel=1 /}"
  [no-UseSerialGC]="${launcher/-XX:+UseSerialGC /}"
  [no-heap-sizes]="${launcher/-Xss1m -Xms8m -Xmx512m /}"
  [no-UsePerfData]="${launcher/-XX:-UsePerfData /}"
  [no-Xlog]="${launcher/ -Xlog:disable -Xlog:all=warning:stderr/}"
  [plus-Xint]="$launcher -Xint"
  # Maps the AOT cache at its preferred address instead of a random one: faster, but gives up
  # address-space randomisation of the JVM's class metadata, so the launcher does not use it.
  [plus-no-ASLR]="$launcher -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0"
  [bare]="--enable-native-access=ALL-UNNAMED"
)

echo "training ${#names[@]} AOT caches..." >&2
for n in "${names[@]}"; do
  mkdir -p "$work/train-$n"
  # shellcheck disable=SC2086 # option lists are meant to split
  JVISOR_TRAINING_ROOT="$work/train-$n" "$java" ${opts[$n]} -XX:AOTCacheOutput="$work/$n.aot" -cp "$cp" \
    dev.jvisor.runsc.AotTraining >/dev/null 2>&1
done

run_variant() {
  # shellcheck disable=SC2086
  "$java" ${opts[$1]} -XX:AOTCache="$work/$1.aot" -cp "$cp" dev.jvisor.runsc.Main --version
}

echo "timing $runs rounds..." >&2
for ((i = 0; i < runs; i++)); do
  for n in "${names[@]}"; do sample "$n" run_variant "$n"; done
done

base_wall=$(median_ms launcher 2)
base_cpu=$(median_ms launcher 3)
{
  echo "# JVM flags of bin/runsc: what each is worth"
  echo
  echo "\`bench/startup/flags.sh $runs\` on $(date -u +%Y-%m-%d), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Medians of \`runsc --version\` (java started directly, no bash launcher), each variant with its own"
  echo "AOT cache trained with exactly its flags; wall time and CPU time (user+system, all threads)."
  echo "\"launcher\" is the set bin/runsc gives every call; it adds -Xint for the short-lived ones"
  echo "(state, delete, kill, version …), which \"plus-Xint\" measures."
  echo
  echo "| variant | wall ms | vs launcher set | CPU ms | vs launcher set |"
  echo "|---|---:|---:|---:|---:|"
  for n in "${names[@]}"; do
    w=$(median_ms "$n" 2)
    c=$(median_ms "$n" 3)
    echo "| $n | $w | $(awk -v a="$w" -v b="$base_wall" 'BEGIN {printf "%+.1f", a-b}') | $c | $(awk -v a="$c" -v b="$base_cpu" 'BEGIN {printf "%+.1f", a-b}') |"
  done
} > "$here/FLAGS.md"
cat "$here/FLAGS.md"
