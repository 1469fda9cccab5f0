package dev.jvisor.sentry.fs.gofer;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.gofer.RootHandoff;
import dev.jvisor.oci.Capability;
import dev.jvisor.p9.FdTransport;
import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.UnixSockets;
import dev.jvisor.sentry.host.confine.SandboxLaunch;
import dev.jvisor.startup.StartupTrace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Gofer bin/runsc starts for {@code runsc do} beside this JVM, before either knows the root
 * (its pid in {@value #PROPERTY}): its JVM boots and links while this one does, where a Gofer
 * spawned by the Sentry starts only once the Sentry has linked its first native call. The first
 * spawn of the JVM adopts it: waits until the Gofer has left the Sentry's end of its socketpair at
 * {@link RootHandoff#DEFAULT_FD}, takes a copy with pidfd_getfd(2) (this process is its parent),
 * checks that the socket's peer is that process and that it runs exactly the command line (and,
 * as root, the capability bounding set and no_new_privs) a Gofer spawned here would, and hands it
 * the root. Anything else stops it and spawns a Gofer the usual way: adopting is only faster.
 */
final class PreStartedGofer {
    /** The system property bin/runsc sets to the pre-started Gofer's pid. */
    static final String PROPERTY = "jvisor.gofer.preStarted";
    /** How long a pre-started Gofer may take to offer its socket (its JVM boots meanwhile). */
    private static final long WAIT_NANOS = 10_000_000_000L;
    private static final AtomicBoolean TAKEN = new AtomicBoolean();

    private PreStartedGofer() {}

    /**
     * The pre-started Gofer, handed {@code root} and ready to {@link GoferProcess.Spawned#connect};
     * null when there is none (or it was already taken) or it cannot be used, in which case it has
     * been stopped.
     */
    static GoferProcess.Spawned take(Path root, boolean readOnly) {
        String property = System.getProperty(PROPERTY, "");
        if (property.isEmpty() || !TAKEN.compareAndSet(false, true)) return null;
        int pid;
        try {
            pid = Integer.parseInt(property);
        } catch (NumberFormatException e) {
            return null;
        }
        if (pid <= 1) return null;
        try {
            return adopt(pid, root, readOnly);
        } catch (Stopped e) {
            return null;
        } catch (RuntimeException | IOException e) {
            stop(pid);
            return null;
        }
    }

    /** Adopting failed after the Gofer was stopped and reaped: its pid may already name another process. */
    private static final class Stopped extends IOException {
        Stopped(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static GoferProcess.Spawned adopt(int pid, Path root, boolean readOnly) throws IOException {
        int pidfd = Host.pidfdOpen(pid);
        try {
            int fd = awaitSocket(pidfd, pid);
            if (fd < 0) return null;   // it exited (and is reaped): nothing to stop
            FdTransport transport = new FdTransport(fd);
            try {
                checkCommand(pid);
                transport.writeFrame(RootHandoff.encode(root.toAbsolutePath().normalize(), readOnly));
            } catch (IOException | RuntimeException | dev.jvisor.abi.ErrnoException e) {
                // Stopped before it sees the hang-up, so that it does not report a missing root.
                stop(pid);
                transport.close();
                throw new Stopped(e);
            }
            StartupTrace.mark("gofer-adopted");
            return new GoferProcess.Spawned(root, pid, transport);
        } finally {
            Host.close(pidfd);
        }
    }

    /** A copy of the Gofer's end of its socketpair; -1 if the process exited first. */
    private static int awaitSocket(int pidfd, int pid) throws IOException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        int[] status = new int[1];
        while (true) {
            int fd = -1;
            try {
                fd = Host.pidfdGetfd(pidfd, RootHandoff.DEFAULT_FD);
                // Its own socketpair: the peer of that end is the Gofer itself.
                if (UnixSockets.peerCredentials(fd).pid() == pid) return fd;
                Host.close(fd);
            } catch (HostException e) {
                if (fd >= 0) Host.close(fd);
                // EBADF: not there yet; ENOTSOCK: something else is (briefly) at that number.
                if (e.errno() != Errno.EBADF.number() && e.errno() != Errno.ENOTSOCK.number()) throw e;
            }
            if (Host.wait4NoHang(pid, GoferProcess.WNOHANG | GoferProcess.WALL, status) == pid) return -1;
            if (System.nanoTime() > deadline) throw new IOException("the pre-started Gofer offered no socket");
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the pre-started Gofer");
            }
        }
    }

    /** Refuses a Gofer that runs other than a spawned one would (stale launcher, other options). */
    private static void checkCommand(int pid) throws IOException {
        boolean asRoot = SandboxLaunch.runningAsRoot();
        List<String> expected = GoferProcess.preStartedCommand(RootHandoff.DEFAULT_FD, ProcessHandle.current().pid(), asRoot);
        byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
        List<String> actual = Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
        if (!actual.equals(expected)) {
            throw new IOException("the pre-started Gofer runs " + actual + ", not " + expected);
        }
        if (SandboxLaunch.goferPrefix(asRoot).isEmpty()) return;
        long bounding = 0;
        for (Capability c : SandboxLaunch.goferCapabilities()) bounding |= 1L << c.number();
        boolean noNewPrivs = false;
        long actualBounding = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            if (line.startsWith("NoNewPrivs:")) noNewPrivs = line.substring(11).strip().equals("1");
            if (line.startsWith("CapBnd:")) actualBounding = Long.parseUnsignedLong(line.substring(7).strip(), 16);
        }
        if (!noNewPrivs || actualBounding != bounding) {
            throw new IOException("the pre-started Gofer is not confined as a spawned one is");
        }
    }

    /** Kills and reaps it; idempotent (a second call finds nothing to reap). */
    private static void stop(int pid) {
        try {
            Host.kill(pid, 9);
        } catch (RuntimeException ignored) {
            // gone already
        }
        GoferProcess.reap(pid);
    }
}
