package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.p9.FdTransport;
import dev.jvisor.p9.P9Client;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.confine.HostRoot;
import dev.jvisor.sentry.host.confine.SandboxLaunch;
import dev.jvisor.startup.StartupTrace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Gofer child process serving one host directory to this Sentry over a socketpair. The Gofer
 * is a separate JVM ({@code dev.jvisor.gofer.GoferMain}) started with the same class path; it
 * inherits only its end of the socket (as fd 3) and stdio, so the Sentry's open files never reach it,
 * and the Sentry keeps only its own end.
 */
public final class GoferProcess implements AutoCloseable {
    /** The fd number the Gofer finds its socket at. */
    private static final int GOFER_FD = 3;
    /** The fd number of the Gofer's root when the Sentry opens it ({@link HostRoot}). */
    private static final int ROOT_FD = 4;
    /** Largest 9P message: 1 MiB of payload plus the Tread/Rread header (the Gofer's limit). */
    private static final int MSIZE = (1 << 20) + 11;
    private static final long EXIT_WAIT_MILLIS = 5_000;
    /** System property: the AOT cache the Gofer JVM starts from (set by bin/runsc). */
    public static final String GOFER_AOT_CACHE = "jvisor.gofer.aotCache";
    /** System property: record the Gofer's AOT configuration to this file (the build's training). */
    public static final String GOFER_AOT_RECORD = "jvisor.gofer.aotRecord";
    /**
     * System property: extra Gofer JVM options, whitespace-separated, appended last so they win
     * (bin/runsc sets it from JVISOR_GOFER_JAVA_OPTS).
     */
    public static final String GOFER_JAVA_OPTIONS = "jvisor.gofer.javaOptions";
    /** wait4(2) options, include/uapi/linux/wait.h. */
    static final int WNOHANG = 1, WALL = 0x40000000;

    private final int pid;
    private final P9Client client;

    private GoferProcess(int pid, P9Client client) {
        this.pid = pid;
        this.client = client;
    }

    /**
     * Starts a Gofer over {@code root} and connects to it.
     *
     * @throws GoferStartException when the process cannot be started or does not speak 9P
     */
    public static GoferProcess start(Path root, boolean readOnly) {
        return spawn(root, readOnly).connect();
    }

    /**
     * Starts a Gofer over {@code root} without waiting for it: its JVM starts while the caller
     * goes on with its own set-up, and {@link Spawned#connect} later finds it (nearly) ready.
     * A Gofer JVM takes a few hundred milliseconds before it answers; on a sandbox's start-up
     * path that time overlaps the Sentry's.
     *
     * @throws GoferStartException when the process cannot be started
     */
    public static Spawned spawn(Path root, boolean readOnly) {
        // runsc do's launcher may have started one already, before this JVM was up.
        if (!HostRoot.held()) {
            Spawned adopted = PreStartedGofer.take(root, readOnly);
            if (adopted != null) return adopted;
        }
        FdTransport[] pair;
        try {
            pair = FdTransport.socketPair();
        } catch (dev.jvisor.abi.ErrnoException e) {
            throw new GoferStartException("socketpair for the Gofer: " + e.getMessage(), e);
        }
        int pid;
        int rootFd = -1;
        try {
            int[][] dups = {{pair[1].fd(), GOFER_FD}};
            Path served = root;
            if (HostRoot.held()) {
                // A confined Sentry's mount namespace may predate this root (a pod's later
                // container): the Gofer gets it opened from the host's root, as its fd 4.
                rootFd = HostRoot.openDirectory(root.toAbsolutePath());
                dups = new int[][] {{pair[1].fd(), GOFER_FD}, {rootFd, ROOT_FD}};
                served = Path.of("/proc/self/fd", Integer.toString(ROOT_FD));
            }
            List<String> argv = command(served, readOnly);
            pid = Host.posixSpawn(argv.get(0), argv.toArray(String[]::new), dups, dups.length == 1 ? GOFER_FD + 1 : ROOT_FD + 1);
        } catch (RuntimeException | HostRoot.HostRootException e) {
            pair[0].close();
            pair[1].close();
            throw new GoferStartException("cannot start the Gofer: " + e.getMessage(), e);
        } finally {
            // The Sentry must not hold the Gofer's end: the Gofer sees end-of-file when the Sentry goes.
            pair[1].closeDescriptorOnly();
            if (rootFd >= 0) Host.close(rootFd);
        }
        StartupTrace.mark("gofer-spawned");
        return new Spawned(root, pid, pair[0]);
    }

    /** A started Gofer not yet spoken to: {@link #connect} it, or {@link #close} it to stop it. */
    public static final class Spawned implements AutoCloseable {
        private final Path root;
        private final int pid;
        private final FdTransport transport;
        private boolean taken;

        Spawned(Path root, int pid, FdTransport transport) {
            this.root = root;
            this.pid = pid;
            this.transport = transport;
        }

        /** The host directory it serves. */
        public Path root() { return root; }

        /** Its host pid. */
        public int pid() { return pid; }

        /**
         * Negotiates 9P with it (waiting for its JVM to come up) and hands it over; once only.
         *
         * @throws GoferStartException when it does not answer in 9P; it is then stopped
         */
        public synchronized GoferProcess connect() {
            if (taken) throw new IllegalStateException("the Gofer over " + root + " is already connected or closed");
            taken = true;
            try {
                GoferProcess g = new GoferProcess(pid, P9Client.connect(transport, MSIZE));
                StartupTrace.mark("gofer-connected");
                return g;
            } catch (dev.jvisor.abi.ErrnoException | RuntimeException e) {
                transport.close();
                reap(pid);
                throw new GoferStartException("the Gofer over " + root + " did not answer: " + e.getMessage(), e);
            }
        }

        /** Stops a Gofer that was never connected (the sandbox did not get to use it). */
        @Override
        public synchronized void close() {
            if (taken) return;
            taken = true;
            transport.close();
            reap(pid);
        }
    }

    /**
     * The command line a pre-started Gofer runs once setpriv (when there is a prefix) has exec'd
     * its JVM: what bin/runsc must have started for {@link PreStartedGofer} to adopt it.
     */
    static List<String> preStartedCommand(int handoffFd, long parent, boolean asRoot) {
        return goferJvm(asRoot, "--handoff-fd", Integer.toString(handoffFd), "--parent", Long.toString(parent));
    }

    private static List<String> command(Path root, boolean readOnly) {
        // Its capabilities narrowed to its own before the JVM starts (they are per thread).
        boolean asRoot = SandboxLaunch.runningAsRoot();
        List<String> argv = new ArrayList<>(SandboxLaunch.goferPrefix(asRoot));
        argv.addAll(goferJvm(asRoot, "--fd", Integer.toString(GOFER_FD),
                "--root", root.toAbsolutePath().normalize().toString()));
        if (readOnly) argv.add("--root-readonly");
        return argv;
    }

    /** This JVM's java with the Gofer's options, class path and main class, then {@code goferArgs}. */
    private static List<String> goferJvm(boolean asRoot, String... goferArgs) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(jvmOptions(asRoot));
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.jvisor.gofer.GoferMain"));
        argv.addAll(List.of(goferArgs));
        return argv;
    }

    /**
     * The Gofer JVM's options, all in one place. It serves requests for the sandbox's whole life
     * but is cheap per request, so it starts like a CLI: C1 only, serial GC, no perf data file,
     * no JVM output but warnings. It starts from the AOT cache named by the property
     * {@value #GOFER_AOT_CACHE}: bin/runsc sets it to the installation's lib/gofer.aot when it runs
     * the JVM that trained the caches (a cache is valid only for the JVM and class path that made
     * it; the Gofer has the Sentry's). The property
     * {@value #GOFER_AOT_RECORD} makes the Gofer record the classes it uses instead (the build's
     * training run).
     */
    static List<String> jvmOptions(boolean asRoot) {
        List<String> opts = new ArrayList<>(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-XX:-UsePerfData", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // its native call stubs are spun once, at start-up: see bin/runsc
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=exclude,jdk.internal.classfile.*::*",
                // up to 64 requests of 1 MiB in flight per connection
                "-Xms32m", "-Xmx320m",
                "-Xlog:disable", "-Xlog:all=warning:stderr"));
        if (asRoot) {
            // Its JIT at nice 19, so that answering the Sentry comes first (see bin/runsc); the
            // JVM warns about priority policy 1 unless root.
            opts.add("-XX:ThreadPriorityPolicy=1");
            opts.add("-XX:CompilerThreadPriority=19");
        }
        String record = System.getProperty(GOFER_AOT_RECORD, "");
        String cache = System.getProperty(GOFER_AOT_CACHE, "");
        if (!record.isEmpty()) {
            // Two-step training: a one-step -XX:AOTCacheOutput would start a JVM at exit, which the
            // Gofer's seccomp filter forbids. The build turns this configuration into the cache.
            opts.add("-XX:AOTMode=record");
            opts.add("-XX:AOTConfiguration=" + record);
        } else if (!cache.isEmpty() && Files.isRegularFile(Path.of(cache))) {
            opts.add("-XX:AOTCache=" + cache);
        }
        if (StartupTrace.enabled()) opts.add("-D" + StartupTrace.PROPERTY + "=" + StartupTrace.file());
        for (String extra : System.getProperty(GOFER_JAVA_OPTIONS, "").trim().split("\\s+")) {
            if (!extra.isEmpty()) opts.add(extra);
        }
        return opts;
    }

    public P9Client client() { return client; }
    public int pid() { return pid; }

    /** Hangs up (the Gofer then exits) and reaps the process, killing it if it lingers. */
    @Override
    public void close() {
        client.close();
        reap(pid);
    }

    static void reap(int pid) {
        int[] status = new int[1];
        long deadline = System.nanoTime() + EXIT_WAIT_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            int r = Host.wait4NoHang(pid, WNOHANG | WALL, status);
            if (r == pid || r < 0) return;
            try {
                // A Gofer exits within milliseconds of the hang-up; a sandbox's exit waits for this.
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Host.kill(pid, 9);
        Host.wait4(pid, WALL);
    }

    /** The Gofer could not be started or reached. */
    public static final class GoferStartException extends RuntimeException {
        public GoferStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
