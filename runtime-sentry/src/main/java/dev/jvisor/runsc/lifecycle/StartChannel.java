package dev.jvisor.runsc.lifecycle;

import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.ShortSocketPath;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The start handshake: the boot process listens on {@code start.sock} in the container's state
 * directory; {@code runsc start} connects and sends {@value #REQUEST}; the boot process answers
 * {@value #CONFIRMATION} as it hands the program to the Sentry. The socket appears under its
 * final name only once it listens (bound under a temporary name, then renamed), so its existence
 * tells {@code create} that the container is ready to start.
 *
 * <p>Only root may connect: the socket file is mode 0600 inside the root-owned state directory.
 * Both sides name the socket through {@link ShortSocketPath}, so a state directory of any
 * length works.
 */
public final class StartChannel implements AutoCloseable {
    public static final String SOCKET = "start.sock";
    static final String REQUEST = "start\n";
    static final String CONFIRMATION = "running\n";
    /** Longer than any message of the protocol; a peer that sends more is not speaking it. */
    private static final int MAX_MESSAGE = 64;

    private final ServerSocketChannel server;
    private final Path path;

    private StartChannel(ServerSocketChannel server, Path path) {
        this.server = server;
        this.path = path;
    }

    /** Where the boot process of the container whose state lives in {@code stateDir} listens. */
    public static Path socketIn(Path stateDir) {
        return stateDir.resolve(SOCKET);
    }

    /** Listens in {@code stateDir}; fails if a socket is already there (another boot owns it). */
    public static StartChannel listen(Path stateDir) throws IOException {
        Path path = socketIn(stateDir);
        if (Files.exists(path)) throw new IOException(path + " already exists: the container has a boot process");
        Path tmp = stateDir.resolve(SOCKET + ".tmp");
        Files.deleteIfExists(tmp);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            try (ShortSocketPath name = ShortSocketPath.of(tmp)) {
                server.bind(UnixDomainSocketAddress.of(name.address()));
            } catch (HostException e) {
                throw new IOException("cannot listen on " + tmp + ": " + e.getMessage(), e);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new StartChannel(server, path);
    }

    /**
     * Blocks until a peer asks to start, and returns that connection for {@link #confirm}. A
     * peer that sends anything else is hung up on and the wait goes on.
     */
    public SocketChannel awaitStart() throws IOException {
        while (true) {
            SocketChannel peer = server.accept();
            String message;
            try {
                message = readMessage(peer);
            } catch (IOException brokenPeer) {
                peer.close();
                continue;
            }
            if (message.equals(REQUEST)) return peer;
            peer.close();
        }
    }

    /** Tells the waiting {@code start} that the program is handed over, and hangs up. */
    public static void confirm(SocketChannel peer) throws IOException {
        try (peer) {
            ByteBuffer b = ByteBuffer.wrap(CONFIRMATION.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) peer.write(b);
        }
    }

    /** Stops listening and removes the socket: a container starts once. */
    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /**
     * {@code runsc start}'s side: asks the boot process listening in {@code stateDir} to start
     * the program and waits for its confirmation.
     *
     * @throws IOException if nobody listens, or the boot process hung up without confirming
     */
    public static void requestStart(Path stateDir) throws IOException {
        try (SocketChannel ch = open(socketIn(stateDir))) {
            ByteBuffer b = ByteBuffer.wrap(REQUEST.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) ch.write(b);
            String answer = readMessage(ch);
            if (!answer.equals(CONFIRMATION)) {
                throw new IOException(answer.isEmpty() ? "the sandbox exited before it started the program"
                        : "unexpected answer from the sandbox: " + answer.strip());
            }
        }
    }

    private static SocketChannel open(Path socket) throws IOException {
        try (ShortSocketPath name = ShortSocketPath.of(socket)) {
            return SocketChannel.open(UnixDomainSocketAddress.of(name.address()));
        } catch (HostException e) {
            // The state directory itself is gone: nobody can be listening in it.
            throw new ConnectException("cannot reach the sandbox at " + socket + ": " + e.getMessage());
        }
    }

    /** Reads one newline-terminated message (or up to end of stream). */
    private static String readMessage(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(MAX_MESSAGE);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) break;
            if (b.position() > 0 && b.get(b.position() - 1) == '\n') break;
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }
}
