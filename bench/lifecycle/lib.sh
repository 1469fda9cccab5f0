# Shared by run.sh and phases.sh: a private containerd (its own config, root, state and sockets
# under a temporary directory) and a busybox image built from /bin/busybox and imported without a
# registry, as kind-tests' node harness does. Source it after ../lib.sh and setting runsc and ns; it
# leaves $work, $sock, $image and ctr_ (ctr against that containerd) defined, and cleans up on exit.
image=localhost/busybox:latest
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
ctr_ version >/dev/null || { cat "$work/containerd.log" >&2; echo "${0##*/}: containerd did not start" >&2; exit 1; }

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

