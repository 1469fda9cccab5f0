#!/usr/bin/env bash
# Container lifecycle cost on a real node: wall time of `ctr run --rm busybox true` through
# containerd's stock runc shim, with jVisor's runsc, gVisor's runsc (Debian's, behind a wrapper
# adding --network=none, which it needs on this kernel) and runc as the runtime binary. The
# whole create/start/exit/delete round trip of the shim is in each sample.
# Prints medians and ratios and writes them to RESULTS.md next to this script (or $RESULTS).
#
#   bench/lifecycle/run.sh [RUNS]      (default 15 rounds, after 2 warm-up rounds; needs root)
# Uses a private containerd (its own config, root, state and sockets under a temporary
# directory) and a busybox image built from /bin/busybox, as kind-tests' node harness does.
# Builds the runtime first if runtime-sentry/target/jvisor-runtime is missing.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
runs=${1:-15}
runsc=$jvisor
runc=${RUNC:-$(command -v runc || echo /usr/sbin/runc)}
image=localhost/busybox:latest
ns=bench

[[ $(id -u) == 0 ]] || die "needs root (containerd)"
for tool in containerd ctr containerd-shim-runc-v2 tar gzip sha256sum; do
  command -v "$tool" >/dev/null || die "$tool missing (apt-get install containerd)"
done
ensure_jvisor_built "$runsc"

# Short path: containerd's sockets live in it and unix socket paths are limited to 107 bytes.
work=$(mktemp -d /tmp/jvb.XXXXXX)
sock=$work/c.sock
containerd_pid=
cleanup() {
  [[ -n $containerd_pid ]] && kill "$containerd_pid" 2>/dev/null && wait "$containerd_pid" 2>/dev/null || true
  # Shims that outlived containerd: the shim binary with our exact address in its argv.
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/exe" 2>/dev/null) == */containerd-shim-runc-v2 ]] || continue
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF -- "-address $sock " && kill -9 "${p#/proc/}" 2>/dev/null || true
  done
  awk -v w="$work/" 'index($5 "/", w) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- a private containerd ----------------------------------------------------------------
cat > "$work/config.toml" <<TOML
version = 2
root = "$work/root"
state = "$work/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = "$work/debug.sock"
TOML
containerd --config "$work/config.toml" > "$work/containerd.log" 2>&1 &
containerd_pid=$!
ctr_() { ctr --address "$sock" -n "$ns" "$@"; }
for ((i = 0; i < 300; i++)); do ctr_ version >/dev/null 2>&1 && break; sleep 0.1; done
ctr_ version >/dev/null || { cat "$work/containerd.log" >&2; echo "run.sh: containerd did not start" >&2; exit 1; }

# --- a busybox image without a registry (OCI image layout) --------------------------------
img=$work/img
mkdir -p "$img/blobs/sha256" "$work/rootfs/bin" "$work/rootfs/tmp" "$work/rootfs/proc" "$work/rootfs/dev"
cp /bin/busybox "$work/rootfs/bin/busybox"
for a in sh true echo sleep; do ln -s busybox "$work/rootfs/bin/$a"; done
blob() { local d; d=$(sha256sum "$1" | cut -d' ' -f1); mv "$1" "$img/blobs/sha256/$d"; echo "$d $(stat -c %s "$img/blobs/sha256/$d")"; }
tar -C "$work/rootfs" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -c "$work/layer.tar" > "$work/layer.tar.gz"
read -r layer layer_size < <(blob "$work/layer.tar.gz")
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$diff_id" > "$work/config.json"
read -r config config_size < <(blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config" "$config_size" "$layer" "$layer_size" > "$work/manifest.json"
read -r manifest manifest_size < <(blob "$work/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s"}}]}' \
  "$manifest" "$manifest_size" "$image" > "$img/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$img/oci-layout"
tar -C "$img" -cf "$work/image.tar" .
ctr_ images import "$work/image.tar" >/dev/null

# --- the runtimes ------------------------------------------------------------------------
printf '#!/bin/sh\nexec %s --network=none "$@"\n' "$gvisor" > "$work/gvisor-runsc"
chmod 755 "$work/gvisor-runsc"
declare -A binary=([jvisor]=$runsc [gvisor]=$work/gvisor-runsc [runc]=$runc)
cases=(jvisor runc)
[[ -x $gvisor ]] && cases+=(gvisor)

samples=$work/samples
: > "$samples"
n=0
one() { # one() CASE → appends "CASE millis" on success
  local c=$1 id t0 t1
  id=$c-$((n++))
  t0=$(date +%s%N)
  if ctr_ run --rm --runtime io.containerd.runc.v2 --runc-binary "${binary[$c]}" --runc-root "$work/runc" \
      --fifo-dir "$work/fifo" "$image" "$id" true > "$work/last.out" 2>&1; then
    t1=$(date +%s%N)
    echo "$c $(((t1 - t0) / 1000000))" >> "$samples"
  else
    echo "run.sh: $c failed: $(tail -c 300 "$work/last.out")" >&2
    ctr_ task rm -f "$id" >/dev/null 2>&1 || true
    ctr_ containers rm "$id" >/dev/null 2>&1 || true
  fi
}

echo "measuring $runs rounds of ${cases[*]}..." >&2
# Rounds run every case once, in turn, so load from other work on the machine falls on all alike.
for ((i = 0; i < 2; i++)); do for c in "${cases[@]}"; do one "$c"; done; done
: > "$samples"
for ((i = 0; i < runs; i++)); do for c in "${cases[@]}"; do one "$c"; done; done

median() { awk -v c="$1" '$1 == c {print $2}' "$samples" | sort -n | awk '{a[NR] = $1} END {if (NR) print (NR % 2 ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2))}'; }
count() { awk -v c="$1" '$1 == c' "$samples" | wc -l; }
ratio() { [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", a / b}' || echo "n/a"; }
m_jvisor=$(median jvisor); m_runc=$(median runc); m_gvisor=$(median gvisor)

row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "${2:-failed}" "$(count "$3")/$runs" "$(ratio "$2" "$m_runc")" "$(ratio "$2" "$m_gvisor")"; }
report=$(
  echo "# Lifecycle: \`ctr run --rm busybox true\` through the stock runc shim"
  echo
  echo "Measured $(date -u +%Y-%m-%d) by \`bench/lifecycle/run.sh $runs\` on $(nproc) CPUs (shared with other work),"
  echo "kernel $(uname -r), $(containerd --version | awk '{print $1, $3}'), runc $("$runc" --version | awk 'NR == 1 {print $3}'),"
  echo "gVisor $("$gvisor" --version 2>/dev/null | awk 'NR == 1 {print $3}'), jVisor at commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "Each sample is the wall time of one whole \`ctr run --rm\`: the shim starts, create, start, the"
  echo "program runs and exits, delete; medians of the rounds that succeeded, in milliseconds."
  echo
  echo "| runtime | median ms | ok | vs runc | vs gVisor |"
  echo "|---|---|---|---|---|"
  row "jVisor runsc" "$m_jvisor" jvisor
  row "gVisor runsc --network=none" "$m_gvisor" gvisor
  row "runc" "$m_runc" runc
)
echo "$report"
echo "$report" > "$results"
