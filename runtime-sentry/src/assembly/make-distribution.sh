#!/usr/bin/env bash
# Assembles the runtime distribution from the built jars (run by `mvn package`, bound in the
# module's pom; runnable by hand with the same arguments):
#   <dist>/bin/runsc         launcher, with the JDK that trained the AOT cache recorded in it
#   <dist>/etc/runsc.toml    node-wide sandbox settings (see RunscConfig)
#   <dist>/lib/*.jar         runtime-sentry.jar + runtime-gofer.jar, nothing else
#   <dist>/lib/runsc.aot     JDK AOT cache (JEP 483/514) trained on real runsc commands
#   <tarball>                the directory above as jvisor-runtime-<version>/
#   <rootfs>                 a busybox-static root filesystem for `./run` and tests
set -euo pipefail

while (($#)); do
  case $1 in
    --module-dir) module_dir=$2 ;;
    --jar) jar=$2 ;;
    --dist-dir) dist=$2 ;;
    --tarball) tarball=$2 ;;
    --rootfs) rootfs=$2 ;;
    --java-home) java_home=$2 ;;
    --main) main_class=$2 ;;
    --version) version=$2 ;;
    *) echo "make-distribution: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done

java="$java_home/bin/java"
[[ -x $java ]] || { echo "make-distribution: no java at $java" >&2; exit 1; }

# --- directory layout -------------------------------------------------------------------
mkdir -p "$dist/bin" "$dist/etc" "$dist/lib"
cp "$jar" "$dist/lib/runtime-sentry.jar"
[[ -f $dist/lib/runtime-gofer.jar ]] || { echo "make-distribution: lib/runtime-gofer.jar missing (dependency copy)" >&2; exit 1; }
# Only our two jars belong here: a stale third jar would silently join the class path.
for f in "$dist"/lib/*.jar; do
  case ${f##*/} in runtime-sentry.jar|runtime-gofer.jar) ;; *) rm -f "$f" ;; esac
done

# The launcher runs exactly the JVM that trained the cache: an AOT cache is only valid for it.
sed -e "s|@JAVA_HOME@|$java_home|g" -e "s|@VERSION@|$version|g" -e "s|@MAIN_CLASS@|$main_class|g" \
  "$module_dir/src/main/dist/bin/runsc" > "$dist/bin/runsc.tmp"
chmod 755 "$dist/bin/runsc.tmp"
mv "$dist/bin/runsc.tmp" "$dist/bin/runsc"
cp "$module_dir/src/main/dist/etc/runsc.toml" "$dist/etc/runsc.toml"

# --- AOT cache ---------------------------------------------------------------------------
# One training JVM runs a script of real runsc commands (AotTraining) with the launcher's own
# class path and flags, so the cache matches what bin/runsc starts. The JVM writes the cache
# when the training run exits (JEP 514 one-step workflow).
rm -f "$dist/lib/runsc.aot"
train_root=$(mktemp -d)
trap 'rm -rf "$train_root"' EXIT
JVISOR_TRAINING_ROOT="$train_root" JVISOR_JAVA_OPTS="-XX:AOTCacheOutput=$dist/lib/runsc.aot" \
  JVISOR_NO_AOT=1 JVISOR_MAIN=dev.jvisor.runsc.AotTraining \
  "$dist/bin/runsc" > "$train_root/training.out" 2>&1 \
  || { cat "$train_root/training.out" >&2; echo "make-distribution: AOT training failed" >&2; exit 1; }
[[ -s $dist/lib/runsc.aot ]] || { cat "$train_root/training.out" >&2; echo "make-distribution: no AOT cache written" >&2; exit 1; }

# --- tarball -----------------------------------------------------------------------------
# Modification times are kept: the JVM checks the jars' against the ones recorded in the cache.
dist_parent=$(dirname "$dist")
tar -C "$dist_parent" --sort=name --owner=0 --group=0 --numeric-owner \
  --transform "s,^$(basename "$dist"),jvisor-runtime-$version," \
  -czf "$tarball.tmp" "$(basename "$dist")"
mv "$tarball.tmp" "$tarball"

# --- busybox root filesystem ----------------------------------------------------------------
# From the host's busybox-static: the binary, one symlink per applet where busybox would put it,
# and the few files and directories a shell session expects.
busybox=/bin/busybox
if [[ ! -x $busybox ]] || ! applets=$("$busybox" --list-full 2>/dev/null); then
  echo "make-distribution: warning: $busybox missing (apt-get install busybox-static); no rootfs built" >&2
  exit 0
fi
rm -rf "$rootfs.tmp"
mkdir -p "$rootfs.tmp"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,proc,dev,sys,root}
cp "$busybox" "$rootfs.tmp/bin/busybox"
chmod 1777 "$rootfs.tmp/tmp"
chmod 700 "$rootfs.tmp/root"
while read -r applet; do
  [[ $applet == bin/busybox ]] && continue
  ln -sf /bin/busybox "$rootfs.tmp/$applet"
done <<< "$applets"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs.tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs.tmp/etc/group"
echo jvisor > "$rootfs.tmp/etc/hostname"
rm -rf "$rootfs"
mv "$rootfs.tmp" "$rootfs"
