package dev.jvisor.runsc;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.OciConfigReader;
import dev.jvisor.runsc.state.ContainerLock;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.control.ControlProtocol;
import dev.jvisor.runsc.state.HostProcess;
import dev.jvisor.runsc.state.StateStore;
import java.io.ByteArrayInputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The AOT cache training run (JEP 514): the build starts this class under
 * {@code -XX:AOTCacheOutput} with the launcher's class path and flags. It runs the commands
 * people and containerd run most, in one JVM, so that the classes they load and link go into
 * the cache. Each command runs for real against a scratch {@code --root}. A new subcommand
 * belongs in this script as soon as it exists. Not {@code help syscalls}: it builds the Sentry's
 * syscall table, and every class in the cache is loaded by every start.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        String scratch = System.getenv("JVISOR_TRAINING_ROOT");
        Path dir = scratch != null ? Path.of(scratch) : Files.createTempDirectory("runsc-aot");
        Path root = dir.resolve("root");
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        String log = dir.resolve("log.json").toString();
        // Every real call reads the node's config file; so does training.
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/runsc.toml"), "network = \"none\"  # trained\noverlay = true\n");
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        Main.Environment env = new Main.Environment(dir, new ByteArrayInputStream(new byte[0]), sink, sink, Clock.systemUTC());

        List<List<String>> script = List.of(
                List.of("--version"),
                List.of("version"),
                List.of("features"),
                List.of("help"),
                List.of("help", "config"),
                List.of("help", "delete"),
                List.of("spec", "--bundle", bundle.toString()),
                List.of("--root", root.toString(), "--log", log, "--log-format", "json", "state", "missing"),
                List.of("--root", root.toString(), "list"),
                List.of("--root", root.toString(), "list", "--format", "json"),
                List.of("--root", root.toString(), "--log", log, "--log-format", "json", "delete", "missing"),
                List.of("--root", root.toString(), "delete", "--force", "missing"),
                List.of("--log", log, "--log-format", "json", "no-such-command"),
                // The shim's lifecycle calls, each down its refusal path: a real create would
                // start a sandbox, which this cache must not hold (the sandbox cache does).
                List.of("--root", root.toString(), "--log", log, "--log-format", "json", "create", "--bundle", bundle.toString(),
                        "--pid-file", dir.resolve("init.pid").toString(), "untrained"),
                List.of("--root", root.toString(), "--log", log, "--log-format", "json", "start", "missing"),
                List.of("--root", root.toString(), "--log", log, "--log-format", "json", "kill", "missing", "9"),
                List.of("--root", root.toString(), "--log", log, "--log-format", "json", "kill", "--all", "missing", "SIGKILL"),
                List.of("--root", root.toString(), "--log", log, "--log-format", "json", "ps", "--format", "json", "missing"),
                List.of("--root", root.toString(), "--log", log, "--log-format", "json", "exec", "--process",
                        dir.resolve("process.json").toString(), "--detach", "missing"),
                List.of("--network=none", "--strace", "do"));
        for (List<String> command : script) Main.run(command, env);

        // A recorded container: state, list and delete through their real paths.
        try (ContainerLock ignored = new StateStore(root).create(new ContainerRecord("trained", bundle.toString(),
                ContainerStatus.STOPPED, null, Instant.now(), "root", Map.of()))) {
            // Created and released: the commands below take the lock themselves.
        }
        Main.run(List.of("--root", root.toString(), "state", "trained"), env);
        Main.run(List.of("--root", root.toString(), "list"), env);
        Main.run(List.of("--root", root.toString(), "ps", "--format", "json", "trained"), env);
        Main.run(List.of("--root", root.toString(), "kill", "trained", "15"), env);
        Main.run(List.of("--root", root.toString(), "start", "trained"), env);
        Main.run(List.of("--root", root.toString(), "wait", "trained"), env);
        Main.run(List.of("--root", root.toString(), "delete", "trained"), env);

        // What create will do first: read a bundle's config.json.
        OciConfigReader.readBundle(bundle);

        // The calls that reach a sandbox's control channel (start, kill, ps, pause, resume): against
        // a stand-in that answers every request "ok", so that the client side is in the cache and
        // the Sentry's server side is not.
        ProcessHandle self = ProcessHandle.current();
        for (String id : List.of("starting", "serving")) {
            ContainerStatus status = id.equals("starting") ? ContainerStatus.CREATED : ContainerStatus.RUNNING;
            try (ContainerLock ignored = new StateStore(root).create(new ContainerRecord(id, bundle.toString(), status,
                    HostProcess.of(self.pid()).orElseThrow(), Instant.now(), "root", Map.of()))) {
                // Recorded and released, as create leaves a container.
            }
        }
        try (ControlStandIn ignored = ControlStandIn.serve(root.resolve("starting"));
             ControlStandIn alsoIgnored = ControlStandIn.serve(root.resolve("serving"))) {
            Main.run(List.of("--root", root.toString(), "--log", log, "--log-format", "json", "start", "starting"), env);
            Main.run(List.of("--root", root.toString(), "--log", log, "--log-format", "json", "kill", "serving", "15"), env);
            Main.run(List.of("--root", root.toString(), "--log", log, "--log-format", "json", "kill", "--all", "serving", "9"), env);
            Main.run(List.of("--root", root.toString(), "--log", log, "--log-format", "json", "ps", "--format", "json", "serving"), env);
            Main.run(List.of("--root", root.toString(), "--log", log, "--log-format", "json", "pause", "serving"), env);
            Main.run(List.of("--root", root.toString(), "--log", log, "--log-format", "json", "resume", "serving"), env);
        }
    }

    /**
     * A control socket that answers each request with an empty "ok" (a JDK server socket: the
     * training run must not load the native layer, which no short call needs).
     */
    private static final class ControlStandIn implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Path path;
        private final Thread thread;

        private ControlStandIn(ServerSocketChannel server, Path path) {
            this.server = server;
            this.path = path;
            this.thread = Thread.ofPlatform().daemon(true).start(this::serve);
        }

        static ControlStandIn serve(Path stateDir) throws java.io.IOException {
            Path path = ControlProtocol.socketIn(stateDir);
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            return new ControlStandIn(server, path);
        }

        private void serve() {
            byte[] ok = "{\"v\":1,\"ok\":{}}".getBytes(StandardCharsets.UTF_8);
            while (server.isOpen()) {
                try (SocketChannel peer = server.accept()) {
                    ByteBuffer length = ByteBuffer.allocate(4);
                    while (length.hasRemaining() && peer.read(length) >= 0) { }
                    ByteBuffer body = ByteBuffer.allocate(Math.min(Math.max(length.flip().getInt(), 0), ControlProtocol.MAX_FRAME));
                    while (body.hasRemaining() && peer.read(body) >= 0) { }
                    ByteBuffer answer = ByteBuffer.allocate(4 + ok.length).putInt(ok.length).put(ok).flip();
                    while (answer.hasRemaining()) peer.write(answer);
                } catch (java.io.IOException closedOrGone) {
                    // closed by close(), or a peer that left: either way nothing more to answer it
                }
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(1000);
            Files.deleteIfExists(path);
        }
    }
}
