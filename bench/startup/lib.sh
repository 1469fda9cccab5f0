# Shared by run.sh and flags.sh: timing one process without starting another to time it.

cpu_file=$(mktemp)
trap 'rm -f "$cpu_file"' EXIT

# Sets cpu_us to the user+system CPU time, in microseconds, of all the children this shell has
# waited for (bash's `times`, millisecond resolution). Runs in the current shell on purpose: in a
# $(...) subshell `times` would see none of our children.
children_cpu() {
  times > "$cpu_file"
  local line part m s f
  { read -r _; read -r line; } < "$cpu_file"
  cpu_us=0
  for part in $line; do
    [[ $part =~ ^([0-9]+)m([0-9]+)\.([0-9]+)s$ ]] || continue
    m=${BASH_REMATCH[1]}; s=${BASH_REMATCH[2]}; f=${BASH_REMATCH[3]}000000
    cpu_us=$(( cpu_us + (10#$m * 60 + 10#$s) * 1000000 + 10#${f:0:6} ))
  done
}

# Runs "$@" once with output discarded and appends "<label> <wall µs> <cpu µs>" to $samples.
sample() {
  local label=$1 start end cpu0
  shift
  children_cpu; cpu0=$cpu_us
  start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || true
  end=$EPOCHREALTIME
  children_cpu
  echo "$label $(( ${end/./} - ${start/./} )) $(( cpu_us - cpu0 ))" >> "$samples"
}

# Median in ms of column 2 (wall) or 3 (cpu) of $samples for one label.
median_ms() {
  grep "^$1 " "$samples" | awk -v c="$2" '{print $c}' | sort -n \
    | awk '{a[NR]=$1} END {if (NR == 0) exit; m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'
}
