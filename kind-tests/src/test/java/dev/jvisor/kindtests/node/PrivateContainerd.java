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
 * state ({@code --runc-root}) and ctr's fifos all under one temporary directory. Started with
 * {@link #start} the CRI plugin is off (those tests drive tasks through ctr, in {@link #NAMESPACE});
 * started with {@link #startWithCri} it serves CRI on the same socket, as kubelet's runtime, with
 * one runtime handler per {@link CriHandler} (namespace {@link #CRI_NAMESPACE}). containerd 1.6
 * still puts each shim's socket in {@code /run/containerd/s/}; {@link #shimSocket} names it so a
 * test can check it is gone. {@link #close()} stops everything it started and removes the directory.
 */
final class PrivateContainerd implements AutoCloseable {
    /**
     * The namespace of the ctr-driven tests, and so (ctr's default) the cgroup parent of their
     * containers: one per test JVM, so that the teardown's check that the parent is gone is not
     * upset by another test run on the same host.
     */
    static final String NAMESPACE = "jvisor-node-test-" + ProcessHandle.current().pid();
    /** The containerd namespace of everything CRI makes. */
    static final String CRI_NAMESPACE = "k8s.io";
    static final String SHIM_BINARY = "containerd-shim-runc-v2";
    private static final Duration CTR_TIMEOUT = Duration.ofSeconds(120);
    private static final Path SHIM_SOCKET_DIR = Path.of("/run/containerd/s");

    /**
     * A CRI runtime handler (what a RuntimeClass names): the stock runc shim running {@code binary}
     * as its runc, with that runtime's state under {@code root} (options {@code BinaryName}, {@code Root}).
     */
    record CriHandler(String name, Path binary, Path root) {}

    private final Path dir;
    private final Path socket;
    private final String namespace;
    private final Process containerd;

    private PrivateContainerd(Path dir, Path socket, String namespace, Process containerd) {
        this.dir = dir;
        this.socket = socket;
        this.namespace = namespace;
        this.containerd = containerd;
    }

    /** Starts containerd under {@code dir} (kept short: unix socket paths are limited to 107 bytes) and waits until it answers. */
    static PrivateContainerd start(Path dir) throws IOException, InterruptedException {
        return start(dir, NAMESPACE, "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n", "");
    }

    /**
     * Starts containerd under {@code dir} with its CRI plugin on: {@code sandboxImage} (which must
     * be imported into {@link #CRI_NAMESPACE} before the first pod) as every pod's sandbox
     * container, one runtime handler per entry of {@code handlers} (the first is the default), and
     * the settings this machine needs: no oom_score_adj below the server's own (no
     * CAP_SYS_RESOURCE here), network namespaces under the state directory, and a CNI directory of
     * its own with no network configured (host-network pods need none).
     */
    static PrivateContainerd startWithCri(Path dir, String sandboxImage, List<CriHandler> handlers) throws IOException, InterruptedException {
        if (handlers.isEmpty()) throw new IllegalArgumentException("CRI needs at least one runtime handler");
        Path cniConf = Files.createDirectories(dir.resolve("cni/net.d"));
        String cri = "[plugins.\"io.containerd.grpc.v1.cri\"]";
        StringBuilder toml = new StringBuilder();
        toml.append(cri).append('\n')
                .append("  sandbox_image = ").append(quoted(sandboxImage)).append('\n')
                .append("  restrict_oom_score_adj = true\n")
                .append("  netns_mounts_under_state_dir = true\n")
                .append("  stream_server_address = \"127.0.0.1\"\n")
                .append("  stream_server_port = \"0\"\n")
                .append("  [plugins.\"io.containerd.grpc.v1.cri\".cni]\n")
                .append("    bin_dir = \"/usr/lib/cni\"\n")
                .append("    conf_dir = ").append(quoted(cniConf.toString())).append('\n')
                .append("  [plugins.\"io.containerd.grpc.v1.cri\".containerd]\n")
                .append("    default_runtime_name = ").append(quoted(handlers.getFirst().name())).append('\n');
        for (CriHandler h : handlers) {
            String table = "plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes." + h.name();
            toml.append("    [").append(table).append("]\n")
                    .append("      runtime_type = \"io.containerd.runc.v2\"\n")
                    .append("      [").append(table).append(".options]\n")
                    .append("        BinaryName = ").append(quoted(h.binary().toString())).append('\n')
                    .append("        Root = ").append(quoted(h.root().toString())).append('\n');
        }
        return start(dir, CRI_NAMESPACE, "", toml.toString());
    }

    /** A TOML basic string; the paths and names here never hold a quote or backslash, so refuse any that does. */
    private static String quoted(String s) {
        if (s.contains("\"") || s.contains("\\") || s.contains("\n")) throw new IllegalArgumentException("not quotable in TOML here: " + s);
        return "\"" + s + "\"";
    }

    /** {@code topLevel}: keys that must precede every table; {@code tables}: appended after the common ones. */
    private static PrivateContainerd start(Path dir, String namespace, String topLevel, String tables) throws IOException, InterruptedException {
        Path socket = dir.resolve("c.sock");
        Path config = dir.resolve("config.toml");
        // The opt plugin would otherwise create /opt/containerd on the host.
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                %3$s
                [grpc]
                  address = "%2$s"
                [ttrpc]
                  address = "%2$s.ttrpc"
                [debug]
                  address = "%1$s/debug.sock"
                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/opt"
                """.formatted(dir, socket, topLevel) + tables);
        Process p = new ProcessBuilder("containerd", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        PrivateContainerd c = new PrivateContainerd(dir, socket, namespace, p);
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

    /** containerd's gRPC socket: ctr's, and CRI's when it is on. */
    Path socket() {
        return socket;
    }

    /** containerd's own process (not a leftover of any container). */
    long pid() {
        return containerd.pid();
    }

    /** The namespace ctr works in: {@link #NAMESPACE}, or {@link #CRI_NAMESPACE} with CRI on. */
    String namespace() {
        return namespace;
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

    /** {@code ctr --address … -n <namespace> args…}. */
    Commands.Result ctr(String... args) throws IOException, InterruptedException {
        return ctrRaw(List.of(args));
    }

    List<String> ctrCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "-n", namespace));
        cmd.addAll(args);
        return cmd;
    }

    private Commands.Result ctrRaw(List<String> args) throws IOException, InterruptedException {
        return Commands.run(dir, CTR_TIMEOUT, ctrCommand(args));
    }

    /**
     * Where containerd 1.6 puts the shim socket of container {@code id} (for CRI: of the pod,
     * whose containers share the sandbox container's shim):
     * {@code /run/containerd/s/<hex sha256 of "<grpc address>/<namespace>/<id>">}.
     */
    Path shimSocket(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((socket + "/" + namespace + "/" + id).getBytes(StandardCharsets.UTF_8));
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
            // A shim left running still holds its containers' processes (runc's, or a Sentry and its Gofers): they go first.
            for (ProcessHandle shim : shims()) {
                shim.descendants().forEach(ProcessHandle::destroyForcibly);
                shim.destroyForcibly();
            }
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

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
