package dev.jvisor.kindtests.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A containerd of the test's own: config, root, state, gRPC/ttrpc/debug sockets, the runc shim's
 * state ({@code --runc-root}) and ctr's fifos all under one temporary directory, and the CRI
 * plugin off (these tests drive tasks through ctr). containerd 1.6 still puts each shim's socket
 * in {@code /run/containerd/s/}; {@link #shimSocket} names it so a test can check it is gone.
 * {@link #close()} stops everything it started and removes the directory.
 */
final class PrivateContainerd implements AutoCloseable {
    static final String NAMESPACE = "jvisor-node-test";
    static final String SHIM_BINARY = "containerd-shim-runc-v2";
    private static final Duration CTR_TIMEOUT = Duration.ofSeconds(120);
    private static final Path SHIM_SOCKET_DIR = Path.of("/run/containerd/s");

    private final Path dir;
    private final Path socket;
    private final Process containerd;

    private PrivateContainerd(Path dir, Path socket, Process containerd) {
        this.dir = dir;
        this.socket = socket;
        this.containerd = containerd;
    }

    /** Starts containerd under {@code dir} (kept short: unix socket paths are limited to 107 bytes) and waits until it answers. */
    static PrivateContainerd start(Path dir) throws IOException, InterruptedException {
        Path socket = dir.resolve("c.sock");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "%2$s"
                [ttrpc]
                  address = "%2$s.ttrpc"
                [debug]
                  address = "%1$s/debug.sock"
                """.formatted(dir, socket));
        Process p = new ProcessBuilder("containerd", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        PrivateContainerd c = new PrivateContainerd(dir, socket, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!p.isAlive()) {
                c.close();
                throw new IOException("containerd exited with " + p.exitValue() + ": " + Files.readString(dir.resolve("containerd.log")));
            }
            if (Files.exists(socket) && c.ctrRaw(List.of("version")).status() == 0) return c;
            if (System.nanoTime() > deadline) {
                c.close();
                throw new IOException("containerd did not answer within 30s");
            }
            Thread.sleep(100);
        }
    }

    Path dir() {
        return dir;
    }

    /** The shim's runc state root; runsc gets {@code --root <this>/<namespace>}. */
    Path runcRoot() {
        return dir.resolve("runc");
    }

    /** The flags that make ctr run a container with {@code runsc} behind the stock runc shim. */
    List<String> runtimeFlags(Path runsc) {
        return List.of("--runtime", "io.containerd.runc.v2", "--runc-binary", runsc.toString(),
                "--runc-root", runcRoot().toString(), "--fifo-dir", dir.resolve("fifo").toString());
    }

    /** {@code ctr --address … -n NAMESPACE args…}. */
    Commands.Result ctr(String... args) throws IOException, InterruptedException {
        return ctrRaw(List.of(args));
    }

    List<String> ctrCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "-n", NAMESPACE));
        cmd.addAll(args);
        return cmd;
    }

    private Commands.Result ctrRaw(List<String> args) throws IOException, InterruptedException {
        return Commands.run(dir, CTR_TIMEOUT, ctrCommand(args));
    }

    /**
     * Where containerd 1.6 puts the shim socket of container {@code id}:
     * {@code /run/containerd/s/<hex sha256 of "<grpc address>/<namespace>/<id>">}.
     */
    Path shimSocket(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((socket + "/" + NAMESPACE + "/" + id).getBytes(StandardCharsets.UTF_8));
            return SHIM_SOCKET_DIR.resolve(HexFormat.of().formatHex(d));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Shim processes serving this containerd: the shim binary with our exact address in its argv. */
    List<ProcessHandle> shims() {
        String address = socket.toString();
        return ProcessHandle.allProcesses().filter(p -> {
            List<String> argv = p.info().arguments().map(List::of).orElse(List.of());
            String cmd = p.info().command().orElse("");
            return cmd.endsWith("/" + SHIM_BINARY) && argv.contains(address);
        }).toList();
    }

    /** Mount points at or under our directory (snapshots, task rootfs), deepest first. */
    List<String> mounts() throws IOException {
        String prefix = dir.toString() + "/";
        List<String> found = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && (f[4] + "/").startsWith(prefix)) found.add(f[4]);
        }
        found.sort(Comparator.comparingInt(String::length).reversed());
        return found;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            for (String task : lines(ctrIfUp("task", "ls", "-q"))) ctrIfUp("task", "rm", "-f", task);
            for (String c : lines(ctrIfUp("containers", "ls", "-q"))) ctrIfUp("containers", "rm", c);
        } finally {
            containerd.destroy();
            if (!containerd.waitFor(20, TimeUnit.SECONDS)) containerd.destroyForcibly().waitFor();
            for (ProcessHandle shim : shims()) shim.destroyForcibly();
            for (String m : mounts()) Commands.run(dir, Duration.ofSeconds(20), List.of("umount", "-l", m));
            deleteTree(dir);
        }
    }

    private Commands.Result ctrIfUp(String... args) throws IOException, InterruptedException {
        if (!containerd.isAlive()) return new Commands.Result(1, "", "containerd is not running");
        return ctrRaw(List.of(args));
    }

    private static List<String> lines(Commands.Result r) {
        return r.status() != 0 ? List.of() : r.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
