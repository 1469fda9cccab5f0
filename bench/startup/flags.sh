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
java=$(sed -n "s/^built_java='\(.*\)'$/\1/p" "$dist/bin/runsc")
cp="$dist/lib/runtime-sentry.jar:$dist/lib/runtime-gofer.jar"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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

echo "timing $runs rounds..." >&2
for ((i = 0; i < runs; i++)); do
  for n in "${names[@]}"; do
    s=$EPOCHREALTIME
    # shellcheck disable=SC2086
    "$java" ${opts[$n]} -XX:AOTCache="$work/$n.aot" -cp "$cp" dev.jvisor.runsc.Main --version >/dev/null 2>&1
    e=$EPOCHREALTIME
    echo "$n $(( ${e/./} - ${s/./} ))"
  done
done > "$work/samples"

median() { grep "^$1 " "$work/samples" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }
base=$(median launcher)
{
  echo "# JVM flags of bin/runsc: what each is worth"
  echo
  echo "\`bench/startup/flags.sh $runs\` on $(date -u +%Y-%m-%d), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Median of \`runsc --version\` (java started directly, no bash launcher), each variant with its own AOT cache."
  echo
  echo "| variant | median ms | vs launcher set |"
  echo "|---|---:|---:|"
  for n in "${names[@]}"; do
    m=$(median "$n")
    echo "| $n | $m | $(awk -v a="$m" -v b="$base" 'BEGIN {printf "%+.1f ms", a-b}') |"
  done
} > "$here/FLAGS.md"
cat "$here/FLAGS.md"
