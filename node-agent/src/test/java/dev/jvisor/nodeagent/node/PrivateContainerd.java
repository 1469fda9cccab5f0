package dev.jvisor.nodeagent.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A containerd of the test's own: config, root, state and sockets under one temporary directory,
 * started and restarted by a script (the agent's restart hook in these tests). Cleanup stops it,
 * ends any shim it left, unmounts what it left mounted and deletes the directory.
 */
final class PrivateContainerd implements AutoCloseable {

    static final String IMAGE = "localhost/busybox:latest";

    final Path dir;
    final Path config;
    final Path socket;
    final Path restartScript;
    final Path restartLog;

    PrivateContainerd() throws IOException {
        // Unix socket paths are limited to 108 bytes: keep the directory short.
        dir = Files.createTempDirectory(Path.of("/tmp"), "jv-ctd");
        config = dir.resolve("etc/containerd/config.toml");
        socket = dir.resolve("c.sock");
        restartScript = dir.resolve("restart-containerd.sh");
        restartLog = dir.resolve("restarts.log");
        Files.createDirectories(config.getParent());
        Files.createDirectories(dir.resolve("cni/bin"));
        Files.createDirectories(dir.resolve("cni/conf"));
        Files.writeString(config, configText(), StandardCharsets.UTF_8);
        writeScript(restartScript, """
                #!/bin/sh
                # Restarts the test's containerd, as systemctl restart would.
                D=%1$s
                echo restart >> "$D/restarts.log"
                if [ -f "$D/containerd.pid" ]; then
                  pid=$(cat "$D/containerd.pid")
                  kill "$pid" 2>/dev/null
                  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
                fi
                setsid containerd --config "%2$s" >> "$D/containerd.log" 2>&1 < /dev/null &
                echo $! > "$D/containerd.pid"
                """.formatted(dir, config));
    }

    String configText() {
        return """
                # Test containerd: everything under %1$s.
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"

                [grpc]
                  address = "%1$s/c.sock"

                [ttrpc]
                  address = "%1$s/c.sock.ttrpc"

                [debug]
                  address = "%1$s/debug.sock"

                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/opt"

                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%2$s"
                  restrict_oom_score_adj = true
                  netns_mounts_under_state_dir = true
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%1$s/cni/bin"
                    conf_dir = "%1$s/cni/conf"
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "native"
                """.formatted(dir, IMAGE);
    }

    static void writeScript(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Starts containerd through the restart script and waits for its socket. */
    void start() throws IOException, InterruptedException {
        run(List.of(restartScript.toString()), Duration.ofSeconds(30));
        ctr(List.of("version"), Duration.ofSeconds(30), true);
    }

    int restarts() throws IOException {
        return Files.exists(restartLog) ? Files.readAllLines(restartLog).size() : 0;
    }

    /** Runs ctr against this containerd; with {@code retry} until it answers or time runs out. */
    String ctr(List<String> args, Duration timeout, boolean retry) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", socket.toString()));
        command.addAll(args);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return run(command, timeout);
            } catch (IOException e) {
                if (!retry || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("jv-cmd", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            String text = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IOException(command + " exited " + p.exitValue() + ": " + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Stops containerd, ends leftover shims, unmounts and deletes everything under {@link #dir}. */
    @Override
    public void close() throws IOException, InterruptedException {
        Path pidFile = dir.resolve("containerd.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> {
                    h.destroyForcibly();
                    return h;
                }).join();
            });
        }
        killShims();
        unmountUnder(dir);
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Shims serving this containerd: the shim binary with our socket in its argv. */
    private void killShims() {
        ProcessHandle.allProcesses()
                .filter(h -> h.info().command().map(c -> c.endsWith("containerd-shim-runc-v2")).orElse(false))
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(socket.toString())).orElse(false))
                .forEach(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
    }

    static void unmountUnder(Path root) throws IOException, InterruptedException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4].replace("\\040", " ");
            if (mountPoint.startsWith(root.toString() + "/")) {
                mounts.add(mountPoint);
            }
        }
        mounts.sort(Comparator.reverseOrder());
        for (String mount : mounts) {
            new ProcessBuilder("umount", "-l", mount).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
