package dev.jvisor.runsc.control;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.ShortSocketPath;
import dev.jvisor.sentry.host.UnixSockets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The boot process's side of the control channel: listens on {@code control.sock} in the
 * container's state directory and serves each connection on a thread of its own, so that a
 * slow or hostile peer holds up nobody else. A peer gets {@link #REQUEST_TIMEOUT_MILLIS} to send
 * its request; at most {@link #MAX_CONNECTIONS} are served at once; a peer that is neither root
 * nor this process's user is refused (SO_PEERCRED), whatever the socket file's mode.
 */
public final class ControlServer implements AutoCloseable {
    static final int MAX_CONNECTIONS = 256;
    static final long REQUEST_TIMEOUT_MILLIS = 5_000;

    private final int listenFd;
    private final Path path;
    private final ControlHandler handler;
    private final PrintStream log;
    private final int ownUid;
    private final AtomicInteger active = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(int listenFd, Path path, ControlHandler handler, PrintStream log) throws IOException {
        this.listenFd = listenFd;
        this.path = path;
        this.handler = handler;
        this.log = log;
        this.ownUid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        this.acceptor = Thread.ofPlatform().daemon(true).name("jvisor-control").unstarted(this::acceptLoop);
    }

    /**
     * Listens in {@code stateDir} and starts serving. The socket appears under its final name
     * only once it listens (bound under a temporary name, mode 0600, then renamed). A state
     * directory too long for {@code sockaddr_un} is bound through its fd ({@link ShortSocketPath}).
     */
    public static ControlServer start(Path stateDir, ControlHandler handler, PrintStream log) throws IOException {
        Path path = ControlProtocol.socketIn(stateDir);
        Path tmp = stateDir.resolve(ControlProtocol.SOCKET + ".tmp");
        Files.deleteIfExists(tmp);
        int fd;
        try (ShortSocketPath name = ShortSocketPath.of(tmp)) {
            fd = UnixSockets.listen(name.address());
        } catch (HostException e) {
            throw new IOException("cannot listen on " + tmp + ": " + e.getMessage(), e);
        }
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            ControlServer server = new ControlServer(fd, path, handler, log);
            server.acceptor.start();
            return server;
        } catch (IOException | RuntimeException e) {
            UnixSockets.closeQuietly(fd);
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    public Path path() { return path; }

    private void acceptLoop() {
        while (!closed) {
            int fd;
            try {
                fd = UnixSockets.accept(listenFd);
            } catch (HostException e) {
                if (closed) return;
                if (e.errno() == 24 /* EMFILE */ || e.errno() == 23 /* ENFILE */) {
                    pause();
                    continue;
                }
                log.println("jvisor: control socket: " + e.getMessage());
                return;
            }
            if (closed || active.incrementAndGet() > MAX_CONNECTIONS) {
                active.decrementAndGet();
                UnixSockets.closeQuietly(fd);
                continue;
            }
            Thread.ofPlatform().daemon(true).name("jvisor-control-" + fd).start(() -> {
                try {
                    serve(fd);
                } finally {
                    active.decrementAndGet();
                }
            });
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(int fd) {
        ControlConnection conn = new ControlConnection(new NativeTransport(fd));
        boolean handedOver = false;
        try {
            UnixSockets.PeerCredentials peer = UnixSockets.peerCredentials(fd);
            boolean permitted = peer.uid() == 0 || peer.uid() == ownUid;
            UnixSockets.receiveTimeout(fd, REQUEST_TIMEOUT_MILLIS);
            ControlConnection.Frame request;
            try {
                // Read even from a peer that will be refused (bounded and timed as for anyone, its
                // fds closed unseen): one answered and hung up on before it has sent would get
                // EPIPE for its request instead of the refusal.
                request = conn.read();
            } catch (ControlException e) {
                reply(conn, permitted ? ControlProtocol.error(e.code(), e.getMessage()) : refusal(peer));
                return;
            }
            if (!permitted) {
                if (request != null) ControlConnection.closeAll(request.fds());
                reply(conn, refusal(peer));
                return;
            }
            if (request == null) return;
            UnixSockets.receiveTimeout(fd, 0);
            handedOver = handler.handle(request, conn);
        } catch (IOException | HostException e) {
            // The peer went away or sent nothing in time: nothing to answer.
        } catch (RuntimeException e) {
            log.println("jvisor: control request failed: " + e);
            reply(conn, ControlProtocol.error(ControlException.Code.INTERNAL, "internal error: " + e.getMessage()));
        } finally {
            if (!handedOver) conn.close();
        }
    }

    private static JsonObject refusal(UnixSockets.PeerCredentials peer) {
        return ControlProtocol.error(ControlException.Code.NOT_PERMITTED, "uid " + peer.uid() + " may not control this sandbox");
    }

    private static void reply(ControlConnection conn, JsonObject message) {
        try {
            conn.write(message);
        } catch (IOException ignored) {
            // the peer is gone
        }
    }

    /** Stops accepting and removes the socket; connections being served finish on their own. */
    @Override
    public void close() {
        closed = true;
        UnixSockets.shutdown(listenFd);
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        UnixSockets.closeQuietly(listenFd);
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the state directory is going away too
        }
    }
}
