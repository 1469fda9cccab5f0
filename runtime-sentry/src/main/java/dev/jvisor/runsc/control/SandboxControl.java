package dev.jvisor.runsc.control;

import static dev.jvisor.runsc.control.ControlException.Code.BAD_REQUEST;
import static dev.jvisor.runsc.control.ControlException.Code.EXEC_FAILED;
import static dev.jvisor.runsc.control.ControlException.Code.NO_SUCH_CONTAINER;
import static dev.jvisor.runsc.control.ControlException.Code.UNKNOWN_OP;
import static dev.jvisor.runsc.control.ControlException.Code.WRONG_STATE;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.runsc.lifecycle.ExitStatusFile;
import dev.jvisor.runsc.state.ContainerId;
import dev.jvisor.runsc.state.InvalidContainerIdException;
import dev.jvisor.sentry.ProcessSpec;
import dev.jvisor.sentry.RunningSandbox;
import dev.jvisor.sentry.Sandbox;
import dev.jvisor.sentry.SandboxContainer;
import dev.jvisor.sentry.SandboxProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Serves control requests on a {@link RunningSandbox}: every operation names the container it
 * acts on; exec and create keep their connection for the life of their process.
 */
public final class SandboxControl implements ControlHandler {
    /** Signal numbers a request may name: 1 to SIGRTMAX (asm-generic/signal.h _NSIG). */
    private static final int MAX_SIGNAL = 64;
    private static final int SIGKILL = 9;

    private final RunningSandbox sandbox;
    private final PrintStream log;
    /** runsc's --root: a joined container's exit status goes to its state directory there, for runsc wait. */
    private final Path stateRoot;
    /** Created pod containers not started yet: what start will run, and where their exit goes. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private record Pending(ProcessSpec process, CompletableFuture<Integer> exit) {}

    public SandboxControl(RunningSandbox sandbox, Path stateRoot, PrintStream log) {
        this.sandbox = sandbox;
        this.stateRoot = stateRoot;
        this.log = log;
    }

    @Override
    public boolean handle(ControlConnection.Frame request, ControlConnection conn) throws IOException {
        int[] fds = request.fds();
        try {
            JsonObject o = request.body();
            String op = ControlProtocol.string(o, "op");
            return switch (op) {
                case ControlProtocol.EXEC -> exec(o, ControlProtocol.optionalBoolean(o, "terminal") ? takeTerminal(fds) : takeStdio(fds), conn);
                case ControlProtocol.CREATE -> create(o, ControlProtocol.optionalBoolean(o, "terminal") ? takeTerminal(fds) : takeStdio(fds), conn);
                default -> {
                    noFds(fds);
                    conn.write(ControlProtocol.ok(simple(op, o)));
                    yield false;
                }
            };
        } catch (ControlException e) {
            ControlConnection.closeAll(fds);
            conn.write(ControlProtocol.error(e.code(), e.getMessage()));
            return false;
        }
    }

    private static int[] takeStdio(int[] fds) throws ControlException {
        if (fds.length != 3) throw new ControlException(BAD_REQUEST, "expected 3 fds (stdin, stdout, stderr), got " + fds.length);
        return fds;
    }

    /** exec or create with a terminal: one fd, the host pty slave, which stands for stdin, stdout and stderr. */
    private static int[] takeTerminal(int[] fds) throws ControlException {
        if (fds.length != 1) throw new ControlException(BAD_REQUEST, "expected 1 fd (the terminal's host pty slave), got " + fds.length);
        return new int[] {fds[0], fds[0], fds[0]};
    }

    private static void noFds(int[] fds) throws ControlException {
        if (fds.length != 0) throw new ControlException(BAD_REQUEST, "this operation takes no fds");
    }

    private JsonObject simple(String op, JsonObject o) throws ControlException {
        return switch (op) {
            case ControlProtocol.SIGNAL -> {
                ControlProtocol.onlyMembers(o, Set.of("container", "signal", "all"));
                SandboxContainer c = container(o);
                int sig = (int) ControlProtocol.integer(o, "signal", 0, MAX_SIGNAL);
                if (ControlProtocol.optionalBoolean(o, "all")) {
                    c.signalAll(sig);
                } else {
                    SandboxProcess first = c.first();
                    if (first == null || !first.isAlive()) throw new ControlException(WRONG_STATE, "container not running");
                    first.signal(sig);
                }
                yield JsonObject.builder().build();
            }
            case ControlProtocol.PS -> {
                ControlProtocol.onlyMembers(o, Set.of("container"));
                List<JsonValue> pids = container(o).hostPids().stream().<JsonValue>map(p -> JsonNumber.of(p)).toList();
                yield JsonObject.builder().put("pids", new JsonArray(pids)).build();
            }
            case ControlProtocol.PAUSE, ControlProtocol.RESUME -> {
                ControlProtocol.onlyMembers(o, Set.of("container"));
                SandboxContainer c = container(o);
                if (op.equals(ControlProtocol.PAUSE)) c.pause();
                else c.resume();
                yield JsonObject.builder().build();
            }
            case ControlProtocol.STATE -> {
                ControlProtocol.onlyMembers(o, Set.of("container"));
                SandboxContainer c = container(o);
                SandboxProcess first = c.first();
                yield JsonObject.builder().put("started", first != null)
                        .put("running", first != null && first.isAlive()).put("paused", c.isPaused()).build();
            }
            case ControlProtocol.START -> {
                ControlProtocol.onlyMembers(o, Set.of("container"));
                SandboxContainer c = container(o);
                Pending p = pending.remove(c.name());
                if (p == null) throw new ControlException(WRONG_STATE, "container " + c.name() + " is not waiting to start");
                SandboxProcess first;
                try {
                    first = c.startFirst(p.process());
                } catch (Sandbox.SandboxException e) {
                    p.exit().complete(127);
                    throw new ControlException(EXEC_FAILED, e.getMessage(), e);
                }
                // As when a PID namespace's init exits: what is left of the container dies with it.
                first.exit().whenComplete((status, err) -> {
                    c.signalAll(SIGKILL);
                    int shellStatus = status == null ? 128 + SIGKILL : status;
                    recordExit(c.name(), shellStatus);
                    p.exit().complete(shellStatus);
                });
                yield JsonObject.builder().put("pid", first.pid()).build();
            }
            case ControlProtocol.DELETE -> {
                ControlProtocol.onlyMembers(o, Set.of("container"));
                SandboxContainer c = container(o);
                if (c == sandbox.primary()) throw new ControlException(WRONG_STATE, "the sandbox's own container ends with the sandbox");
                Pending p = pending.remove(c.name());
                if (p != null) {
                    closeStdio(p.process());
                    p.exit().complete(128 + SIGKILL);
                }
                sandbox.removeContainer(c.name());
                yield JsonObject.builder().build();
            }
            default -> throw new ControlException(UNKNOWN_OP, "unknown operation \"" + op + "\"");
        };
    }

    private void recordExit(String name, int status) {
        try {
            Path dir = stateRoot.resolve(name);
            if (Files.isDirectory(dir)) ExitStatusFile.write(dir, status);
        } catch (IOException e) {
            log.println("jvisor: cannot record the exit status of container " + name + ": " + e.getMessage());
        }
    }

    private SandboxContainer container(JsonObject o) throws ControlException {
        String name = ControlProtocol.string(o, "container");
        SandboxContainer c = sandbox.container(name);
        if (c == null) throw new ControlException(NO_SUCH_CONTAINER, "container " + name + " does not exist in this sandbox");
        return c;
    }

    private static final Set<String> PROCESS_MEMBERS = union(Set.of("container", "argv", "env", "cwd"), IdentityMessage.MEMBERS);
    /** exec's: a process, and whether its one fd is a terminal for it. */
    private static final Set<String> EXEC_MEMBERS = union(PROCESS_MEMBERS, Set.of("terminal"));

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static ProcessSpec process(JsonObject o, int[] stdio, boolean terminal) throws ControlException {
        return new ProcessSpec(ControlProtocol.strings(o, "argv", true), ControlProtocol.strings(o, "env", false),
                ControlProtocol.optionalString(o, "cwd", "/"), IdentityMessage.read(o),
                stdio[0], stdio[1], stdio[2], true, terminal);
    }

    /** exec: starts the process, answers its pid, then stays with it until it exits or the peer hangs up. */
    private boolean exec(JsonObject o, int[] stdio, ControlConnection conn) throws ControlException, IOException {
        ControlProtocol.onlyMembers(o, EXEC_MEMBERS);
        SandboxContainer c = container(o);
        ProcessSpec spec = process(o, stdio, ControlProtocol.optionalBoolean(o, "terminal"));
        SandboxProcess p;
        try {
            p = c.exec(spec);
        } catch (Sandbox.SandboxException e) {
            // The sandbox owned the fds from the spec on, and has released them.
            conn.write(ControlProtocol.error(EXEC_FAILED, e.getMessage()));
            return false;
        }
        conn.write(ControlProtocol.ok(JsonObject.builder().put("pid", p.pid()).build()));
        attend(conn, p.exit(), p::signal, () -> p.signal(SIGKILL), "exec " + p.pid());
        return true;
    }

    /**
     * create: a pod container joins this sandbox with its own root; its first process runs on
     * start. The connection stays until that process exits; a hang-up kills the container.
     */
    private boolean create(JsonObject o, int[] stdio, ControlConnection conn) throws ControlException, IOException {
        // Until the container is made, a failure leaves the fds to handle(), which closes them.
        Set<String> members = new java.util.HashSet<>(PROCESS_MEMBERS);
        members.addAll(Set.of("rootfs", "overlay", "terminal"));
        members.addAll(MountsMessage.MEMBERS);
        ControlProtocol.onlyMembers(o, members);
        String name = ControlProtocol.string(o, "container");
        try {
            ContainerId.validate(name);
        } catch (InvalidContainerIdException e) {
            throw new ControlException(BAD_REQUEST, "container: " + e.getMessage());
        }
        Path rootfs = Path.of(ControlProtocol.string(o, "rootfs"));
        if (!rootfs.isAbsolute() || !Files.isDirectory(rootfs)) {
            throw new ControlException(BAD_REQUEST, "rootfs " + rootfs + " is not an absolute path to a directory");
        }
        boolean overlay = ControlProtocol.optionalBoolean(o, "overlay");
        dev.jvisor.sentry.mounts.ContainerMounts mounts = MountsMessage.read(o);
        // On a terminal the one slave fd stands for all three; start runs the process on a terminal of its own over it.
        ProcessSpec spec = process(o, stdio, ControlProtocol.optionalBoolean(o, "terminal"));
        SandboxContainer c;
        try {
            c = sandbox.addContainer(name, rootfs, overlay, mounts);
        } catch (IllegalArgumentException | Sandbox.SandboxException e) {
            throw new ControlException(e instanceof IllegalArgumentException ? WRONG_STATE : EXEC_FAILED, e.getMessage(), e);
        }
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        pending.put(name, new Pending(spec, exit));
        try {
            conn.write(ControlProtocol.ok(JsonObject.builder().build()));
        } catch (IOException e) {
            // Nobody to hold it: the container goes again, fds and all.
            pending.remove(name);
            closeStdio(spec);
            sandbox.removeContainer(name);
            return false;
        }
        attend(conn, exit, sig -> {
            SandboxProcess first = c.first();
            if (first != null) first.signal(sig);
        }, () -> {
            Pending p = pending.remove(name);
            if (p != null) {
                closeStdio(p.process());
                p.exit().complete(128 + SIGKILL);
            }
            c.signalAll(SIGKILL);
        }, "container " + name);
        return true;
    }

    /** Closes a process's host stdio that never reached it; a terminal's one fd, once. */
    private static void closeStdio(ProcessSpec p) {
        ControlConnection.closeAll(IntStream.of(p.stdin(), p.stdout(), p.stderr()).distinct().toArray());
    }

    /**
     * Stays with a started process on its own thread: forwards the peer's signal frames, sends
     * the exit status when it comes, and runs {@code onHangUp} if the peer leaves first.
     */
    private void attend(ControlConnection conn, CompletableFuture<Integer> exit, java.util.function.IntConsumer signal,
                        Runnable onHangUp, String what) {
        exit.whenComplete((status, err) -> {
            try {
                conn.write(ControlProtocol.exited(status == null ? 128 + SIGKILL : status));
            } catch (IOException ignored) {
                // the peer left; it was told nothing, and wanted nothing more
            }
            conn.shutdown();
        });
        Thread.ofPlatform().daemon(true).name("jvisor-attend-" + what).start(() -> {
            try {
                while (true) {
                    ControlConnection.Frame f;
                    try {
                        f = conn.read();
                    } catch (ControlException | IOException e) {
                        break;
                    }
                    if (f == null) break;
                    ControlConnection.closeAll(f.fds());
                    Integer sig = signalOf(f.body());
                    if (sig == null) break; // not our protocol: treated as a hang-up
                    signal.accept(sig);
                }
                if (!exit.isDone()) onHangUp.run();
            } catch (RuntimeException e) {
                log.println("jvisor: " + what + ": " + e);
            } finally {
                conn.close();
            }
        });
    }

    private static Integer signalOf(JsonObject o) {
        try {
            if (!ControlProtocol.SIGNAL.equals(ControlProtocol.string(o, "op"))) return null;
            ControlProtocol.onlyMembers(o, Set.of("signal"));
            return (int) ControlProtocol.integer(o, "signal", 1, MAX_SIGNAL);
        } catch (ControlException e) {
            return null;
        }
    }
}
