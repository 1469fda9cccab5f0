package dev.jvisor.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.hostcall.EarlyLink;
import dev.jvisor.p9.FdTransport;
import dev.jvisor.p9.P9Server;
import dev.jvisor.startup.StartupTrace;

import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code runsc gofer}: serves a container's files over 9P on an inherited socket until the
 * Sentry hangs up. Startup order matters: everything that needs the host's filesystem namespace
 * (mount roots, /proc/self/fd, classes, worker threads) is opened first; then the process
 * chroots into the container root (when it has the privilege), sets no_new_privs and installs its
 * seccomp filter on all threads; only then does it read the first request.
 *
 * <p>What the launcher (runsc) provides: the connected socket as an inherited descriptor
 * ({@code --fd}); a mount namespace of the Gofer's own when the host's mount table must stay out
 * of reach (a JVM is multi-threaded and cannot unshare one itself, so the launcher starts it in
 * one); and {@code -XX:-UsePerfData} so that the JVM writes nothing under /tmp.
 *
 * <p>Started before its root is known ({@code --handoff-fd N --parent P}: bin/runsc does this for
 * {@code runsc do}), the Gofer makes the connection itself, leaves the Sentry's end at descriptor
 * {@code N} for its parent to take, and reads the root from it ({@link RootHandoff}) before opening
 * anything.
 */
public final class GoferMain {
    /** Exit status for a command line that cannot be run. */
    public static final int EXIT_USAGE = 2;
    /** Exit status when the Gofer could not start or confine itself. */
    public static final int EXIT_FAILURE = 1;

    private GoferMain() {}

    public static void main(String[] args) {
        StartupTrace.mark("gofer-main");
        EarlyLink.start();
        int status = run(args);
        System.err.flush();
        // halt, not exit: nothing is left to flush once the Sentry has hung up, and Runtime.exit
        // first sets up the platform logging framework to report the exit (JDK 21+), which the
        // Sentry would wait for. -Djvisor.exitHooks=true exits normally (a flight recording's dump).
        if (Boolean.getBoolean("jvisor.exitHooks")) System.exit(status);
        Runtime.getRuntime().halt(status);
    }

    /**
     * Runs the Gofer; returns its exit status (0 once the connection has ended normally).
     * Errors are reported on standard error.
     */
    public static int run(String[] args) {
        return run(args, System.err);
    }

    static int run(String[] args, PrintStream err) {
        GoferOptions options;
        try {
            options = GoferOptions.parse(args);
        } catch (GoferOptions.UsageException e) {
            err.println("gofer: " + e.getMessage());
            return EXIT_USAGE;
        }
        byte[] filter = null;
        if (options.confine()) {
            // The confinement's pure-Java preparation comes before the first native call, so that
            // it overlaps the link (EarlyLink) instead of following it.
            try {
                ClassPreloader.loadAll();
            } catch (IOException e) {
                err.println("gofer: " + e.getMessage());
                return EXIT_FAILURE;
            }
            // Initialise logging now: its configuration file is out of reach after chroot.
            System.getLogger(GoferMain.class.getName()).isLoggable(System.Logger.Level.DEBUG);
            filter = SeccompFilter.encode(SeccompPolicy.program());
            // The strict UTF-8 decoder a root handoff is read with: its classes are loaded here,
            // not between the handoff's arrival and the first answer.
            java.nio.charset.StandardCharsets.UTF_8.newDecoder();
        }
        // A pre-started Gofer serves on the transport that read the handoff: it may hold the
        // Sentry's first 9P request already, read in the same read(2) as the handoff.
        FdTransport transport;
        if (options.awaitsRoot()) {
            try {
                Handoff h = awaitRoot(options);
                options = h.options();
                transport = h.transport();
            } catch (ErrnoException | IllegalArgumentException e) {
                err.println("gofer: no root handed over: " + e.getMessage());
                return EXIT_FAILURE;
            }
        } else {
            transport = new FdTransport(options.fd());
        }
        try (GoferFileServer files = GoferFileServer.open(options.mounts())) {
            Native.raiseOpenFileLimit();
            P9Server server = new P9Server(transport, files, P9Server.Limits.defaults());
            if (filter != null) {
                confine(files, filter);
            }
            StartupTrace.mark("gofer-serving");
            server.serve();
            return 0;
        } catch (ErrnoException e) {
            err.println("gofer: " + e.getMessage());
            return EXIT_FAILURE;
        }
    }

    /** What a pre-started Gofer was handed: its options with the root, and the connection. */
    private record Handoff(GoferOptions options, FdTransport transport) {}

    /**
     * A pre-started Gofer's wait for its root ({@link RootHandoff}): dies with its parent, makes
     * the connection, leaves the parent's end at the handoff descriptor and reads the root from
     * it.
     */
    private static Handoff awaitRoot(GoferOptions options) throws ErrnoException {
        Native.dieWithParent(options.parent());
        FdTransport[] pair = FdTransport.socketPair();
        FdTransport ours = pair[0];
        boolean handedOver = false;
        try {
            try {
                Native.dupTo(pair[1].fd(), options.handoffFd());
            } finally {
                pair[1].closeDescriptorOnly();
            }
            java.nio.ByteBuffer frame;
            try {
                frame = ours.readFrame(RootHandoff.MAX_SIZE);
            } catch (dev.jvisor.p9.P9ProtocolException e) {
                throw new IllegalArgumentException(e.getMessage());
            } finally {
                // The parent has its copy (it wrote through it) or is not coming: ours goes.
                Native.closeQuietly(options.handoffFd());
            }
            if (frame == null) {
                throw new IllegalArgumentException("the parent hung up");
            }
            Handoff h = new Handoff(options.withRoot(ours.fd(), RootHandoff.decode(frame)), ours);
            handedOver = true;
            return h;
        } finally {
            if (!handedOver) ours.close();
        }
    }

    private static void confine(GoferFileServer files, byte[] filter) throws ErrnoException {
        if (Native.geteuid() == 0) {
            Native.chrootTo(files.rootDescriptor());
        }
        Native.noNewPrivileges();
        Native.installSeccompFilter(filter);
    }
}
