#!/usr/bin/env bash
# Assembles the runtime distribution from the built jars (run by `mvn package`, bound in the
# module's pom; runnable by hand with the same arguments):
#   <dist>/bin/runsc         launcher; runs <dist>/jre (or, without one, the build JDK recorded in it)
#   <dist>/jre/              a Java runtime linked (jlink) from the build JDK with only the modules
#                            the two jars use, so that a node needs no JDK of its own
#   <dist>/VERSION           the distribution's version (the node agent installs under it)
#   <dist>/etc/runsc.toml    node-wide sandbox settings (see RunscConfig)
#   <dist>/lib/*.jar         runtime-sentry.jar + runtime-gofer.jar, nothing else
#   <dist>/lib/policy/*.jar  the node agent's gRPC client and its dependencies (policy-socket)
#   <dist>/lib/runsc.aot     JDK AOT cache (JEP 483/514) trained on real runsc commands
#   <dist>/lib/sandbox.aot   the same for commands that run a sandbox (trained on real programs)
#   <dist>/lib/gofer.aot     the same for the Gofer JVMs a sandbox starts
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
    --jre) jre_mode=$2 ;;
    *) echo "make-distribution: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done

java="$java_home/bin/java"
[[ -x $java ]] || { echo "make-distribution: no java at $java" >&2; exit 1; }
# --jre bundled (default): link jre/ into the distribution; --jre none: run on the build JDK.
jre_mode=${jre_mode:-bundled}
case $jre_mode in bundled|none) ;; *) echo "make-distribution: --jre must be bundled or none, not $jre_mode" >&2; exit 2 ;; esac

# --- directory layout -------------------------------------------------------------------
mkdir -p "$dist/bin" "$dist/etc" "$dist/lib"
cp "$jar" "$dist/lib/runtime-sentry.jar"
[[ -f $dist/lib/runtime-gofer.jar ]] || { echo "make-distribution: lib/runtime-gofer.jar missing (dependency copy)" >&2; exit 1; }
# Only our two jars belong here: a stale third jar would silently join the class path.
for f in "$dist"/lib/*.jar; do
  case ${f##*/} in runtime-sentry.jar|runtime-gofer.jar) ;; *) rm -f "$f" ;; esac
done

# The launcher runs exactly the JVM that trained the cache (an AOT cache is only valid for it):
# the bundled jre/ when there is one, else the build JDK recorded here.
# lib/policy/: the policy client's jars, off the launcher's class path (runsc loads them itself).
[[ -f $dist/lib/policy/grpc-netty-shaded.jar ]] || { echo "make-distribution: lib/policy/ lacks the gRPC client jars (dependency copy)" >&2; exit 1; }
sed -e "s|@JAVA_HOME@|$java_home|g" -e "s|@VERSION@|$version|g" -e "s|@MAIN_CLASS@|$main_class|g" \
  "$module_dir/src/main/dist/bin/runsc" > "$dist/bin/runsc.tmp"
chmod 755 "$dist/bin/runsc.tmp"
mv "$dist/bin/runsc.tmp" "$dist/bin/runsc"
cp "$module_dir/src/main/dist/etc/runsc.toml" "$dist/etc/runsc.toml"
echo "$version" > "$dist/VERSION"

# --- bundled Java runtime -------------------------------------------------------------------
# jdeps names the modules the jars need (java.base, jdk.unsupported today); jlink links exactly
# those from the build JDK. The AOT caches below are trained on this runtime; it also gets the
# JDK's default CDS archive, as the JVMs started without a cache (the Gofer, JVISOR_NO_AOT) would
# otherwise load every JDK class from lib/modules (measured without it: runsc --version with
# JVISOR_NO_AOT took 60% more CPU than on the build JDK). Only the compressed-oops archive is
# kept: heaps here are far below 32 GB.
# Linking takes seconds, so an unchanged runtime (same JDK, same jlink flags and modules) is kept: its
# inputs are recorded next to the distribution.
if [[ $jre_mode == bundled ]]; then
  modules=$("$java_home/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 \
    "$dist/lib/runtime-sentry.jar" "$dist/lib/runtime-gofer.jar")
  [[ -n $modules ]] || { echo "make-distribution: jdeps found no modules" >&2; exit 1; }
  jlink_flags=(--add-modules "$modules" --strip-debug --no-header-files --no-man-pages --generate-cds-archive)
  jre_inputs="$java_home"$'\n'"$(cat "$java_home/release")"$'\n'"jlink ${jlink_flags[*]}"
  stamp="$dist.jre-inputs"
  if [[ ! -x $dist/jre/bin/java || ! -f $stamp || $(cat "$stamp") != "$jre_inputs" ]]; then
    rm -rf "$dist/jre" "$stamp"
    # The CDS dump warns about JDK classes of modules left out; show its output only on failure.
    "$java_home/bin/jlink" "${jlink_flags[@]}" --output "$dist/jre" > "$dist.jlink.log" 2>&1 \
      || { cat "$dist.jlink.log" >&2; echo "make-distribution: jlink failed" >&2; exit 1; }
    rm -f "$dist/jre/lib/server/classes_nocoops.jsa" "$dist.jlink.log"
    [[ -s $dist/jre/lib/server/classes.jsa ]] || { echo "make-distribution: jlink wrote no CDS archive" >&2; exit 1; }
    printf '%s' "$jre_inputs" > "$stamp"
  fi
else
  rm -rf "$dist/jre" "$dist.jre-inputs"
fi

# --- busybox root filesystem ----------------------------------------------------------------
# From the host's busybox-static: the binary, one symlink per applet where busybox would put it,
# and the few files and directories a shell session expects.
busybox=/bin/busybox
if [[ ! -x $busybox ]] || ! applets=$("$busybox" --list-full 2>/dev/null); then
  echo "make-distribution: warning: $busybox missing (apt-get install busybox-static); no rootfs built" >&2
  rm -rf "$rootfs"
else
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
fi

# --- AOT caches ---------------------------------------------------------------------------
# Two caches, because what a short CLI call and a sandbox load differ tenfold, and a cache's
# classes are all loaded at start: lib/runsc.aot for the CLI, lib/sandbox.aot for commands that
# run the Sentry (the launcher picks). Each is trained by running real commands through
# bin/runsc itself, so class path and flags match what it starts; the JVM writes the cache
# when the training run exits (JEP 514 one-step workflow).
rm -f "$dist/lib/runsc.aot" "$dist/lib/sandbox.aot"
train_root=$(mktemp -d)
trap 'rm -rf "$train_root"' EXIT
JVISOR_TRAINING_ROOT="$train_root" JVISOR_JAVA_OPTS="-XX:AOTCacheOutput=$dist/lib/runsc.aot" \
  JVISOR_NO_AOT=1 JVISOR_MAIN=dev.jvisor.runsc.AotTraining \
  "$dist/bin/runsc" > "$train_root/training.out" 2>&1 \
  || { cat "$train_root/training.out" >&2; echo "make-distribution: AOT training failed" >&2; exit 1; }
[[ -s $dist/lib/runsc.aot ]] || { cat "$train_root/training.out" >&2; echo "make-distribution: no AOT cache written" >&2; exit 1; }

# The sandbox cache: trained on what containers really run, over the host root (read-only,
# beneath the in-memory overlay, as `do` serves it): dynamically linked programs loaded through
# PT_INTERP (ls, env, src/main/aot/train.c compiled here: fork/exec, pipes, a mapped file,
# threads and futexes, epoll, an AF_UNIX socketpair, loopback TCP, timers, signals), python3 with
# threads and a subprocess when the build machine has python3, and busybox pipelines (a static
# binary, as in the busybox rootfs; one whose writer fills the pipe and waits, as a generator
# feeding sqlite3 or a compiler does). One JVM writes one cache, so this is one `do` running one
# script; its Sentry runs in that JVM, and the cache keeps the classes it linked and, with them,
# the method profiles of this run (JEP 515), which the JIT then starts from.
# If the sandbox cannot start at all on this build machine there is no sandbox cache (the launcher
# uses runsc.aot for everything); if it starts but the training script fails, the build fails:
# a weaker cache must not pass silently.
if ! JVISOR_NO_AOT=1 timeout 120 "$dist/bin/runsc" do --cwd / -- /bin/true > "$train_root/sandbox-probe.out" 2>&1; then
  cat "$train_root/sandbox-probe.out" >&2
  echo "make-distribution: warning: no sandbox runs on this build machine; no sandbox AOT cache" >&2
else
  script='set -e
ls -l / /proc/self > /dev/null
/usr/bin/env > /dev/null
/bin/busybox sh -c "echo trained | cat > /tmp/t; sort /etc/passwd | wc -l > /dev/null; test -s /tmp/t"
/bin/busybox sh -c "head -c 1048576 /dev/zero | { sleep 0.1; wc -c; } > /dev/null"
'
  if command -v gcc > /dev/null; then
    gcc -O2 -pthread -o "$train_root/train" "$module_dir/src/main/aot/train.c" \
      || { echo "make-distribution: the sandbox training program does not compile" >&2; exit 1; }
    script+="$train_root/train $train_root/train"$'\n'
  else
    echo "make-distribution: warning: no gcc; the sandbox cache is trained without its C program" >&2
  fi
  if command -v python3 > /dev/null; then
    script+="python3 $module_dir/src/main/aot/train.py"$'\n'
  else
    echo "make-distribution: warning: no python3; the sandbox cache is trained without it" >&2
  fi
  script+='echo sandbox-training-done'
  # The shell is named, not given by path, as most commands are: runsc then looks it up on PATH
  # (code a path skips). Trained under the tiered JIT of the long-lived sandboxes (boot), whose C2 uses the method
  # profiles the cache keeps; do, which runs C1 alone, starts from the same cache.
  if JVISOR_JAVA_OPTS="-XX:TieredStopAtLevel=4 -XX:AOTCacheOutput=$dist/lib/sandbox.aot" JVISOR_NO_AOT=1 \
      timeout 120 "$dist/bin/runsc" do --cwd / -- sh -c "$script" > "$train_root/sandbox.out" 2>&1 \
      && grep -qx sandbox-training-done "$train_root/sandbox.out" && [[ -s $dist/lib/sandbox.aot ]]; then
    :
  else
    cat "$train_root/sandbox.out" >&2
    rm -f "$dist/lib/sandbox.aot"
    echo "make-distribution: sandbox AOT training failed (script above)" >&2
    exit 1
  fi
fi

# The Gofer's cache: every sandbox starts one Gofer JVM per container, after the Sentry's. It is
# trained on a real Gofer serving a busybox shell over the host root (read-only): the Gofer
# chroots into the directory it serves and confines itself with seccomp, so its JVM can neither
# start the JVM that a one-step -XX:AOTCacheOutput needs at exit nor reach a path outside that
# directory. Two steps then: the Gofer records its configuration (GoferProcess.GOFER_AOT_RECORD),
# and the cache is created from it here with the Gofer's own JVM options
# (GoferProcess.jvmOptions(): keep in step) and class path.
rm -f "$dist/lib/gofer.aot"
if [[ -x /bin/busybox ]]; then
  gofer_conf=$train_root/gofer.aotconf
  if JVISOR_JAVA_OPTS="-Djvisor.gofer.aotRecord=$gofer_conf" JVISOR_NO_AOT=1 \
      timeout 300 "$dist/bin/runsc" do --cwd / -- \
      /bin/busybox sh -c 'ls -l / /proc/self >/dev/null; /bin/busybox cat /etc/passwd | /bin/busybox sort | /bin/busybox wc -l; /bin/busybox test -d /usr/bin' \
      > "$train_root/gofer.out" 2>&1 && [[ -s $gofer_conf ]]; then
    gofer_java=$dist/jre/bin/java
    [[ -x $gofer_java ]] || gofer_java=$java
    "$gofer_java" --enable-native-access=ALL-UNNAMED -XX:-UsePerfData -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Xms32m -Xmx320m -XX:AOTMode=create -XX:AOTConfiguration="$gofer_conf" -XX:AOTCache="$dist/lib/gofer.aot" \
      -cp "$dist/lib/runtime-sentry.jar:$dist/lib/runtime-gofer.jar" > "$train_root/gofer-create.out" 2>&1 \
      || { cat "$train_root/gofer-create.out" >&2; echo "make-distribution: warning: no Gofer AOT cache" >&2; rm -f "$dist/lib/gofer.aot"; }
  else
    cat "$train_root/gofer.out" >&2
    echo "make-distribution: warning: Gofer training run failed; no Gofer AOT cache" >&2
  fi
fi

# --- tarball -----------------------------------------------------------------------------
# Files keep their build-time modification times, as the jars had when the caches were trained.
dist_parent=$(dirname "$dist")
tar -C "$dist_parent" --sort=name --owner=0 --group=0 --numeric-owner \
  --transform "s,^$(basename "$dist"),jvisor-runtime-$version," \
  -czf "$tarball.tmp" "$(basename "$dist")"
mv "$tarball.tmp" "$tarball"

