package dev.jvisor.runsc.control;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.ShortSocketPath;
import dev.jvisor.sentry.host.UnixSockets;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** runsc's side of the control channel: one connection, one request, its answer. */
public final class ControlClient implements AutoCloseable {
    private final ControlConnection conn;
    private final Transport transport;

    private ControlClient(Transport transport) {
        this.transport = transport;
        this.conn = new ControlConnection(transport);
    }

    /** Connects to the sandbox whose boot process keeps its state in {@code stateDir}. */
    public static ControlClient connect(Path stateDir) throws IOException {
        Path socket = ControlProtocol.socketIn(stateDir);
        try (ShortSocketPath name = ShortSocketPath.of(socket)) {
            return new ControlClient(new NativeTransport(UnixSockets.connect(name.address())));
        } catch (HostException e) {
            throw new IOException("cannot reach the sandbox at " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * Connects for one request that passes no fds (start, kill, ps, pause, resume, state, a pod
     * container's delete) over a JDK socket channel: no native code, so the short CLI call that
     * makes it never starts java.lang.foreign's linker, whose first use costs such a call more
     * than all the rest of its work. A state directory too long for {@code sockaddr_un} is still
     * reached through {@link ShortSocketPath}.
     */
    public static ControlClient connectForRequest(Path stateDir) throws IOException {
        Path socket = ControlProtocol.socketIn(stateDir);
        try (ShortSocketPath name = ShortSocketPath.of(socket)) {
            return new ControlClient(new ChannelTransport(SocketChannel.open(UnixDomainSocketAddress.of(name.address()))));
        } catch (HostException e) {
            throw new IOException("cannot reach the sandbox at " + socket + ": " + e.getMessage(), e);
        }
    }

    /** The connection's fd, for handing it to a waiter process (a connection made by {@link #connect} only). */
    public int fd() {
        if (!(transport instanceof NativeTransport n)) throw new IllegalStateException("a request connection has no fd to hand over");
        return n.fd();
    }

    /**
     * Sends {@code request} (with {@code fds}) and returns the {@code ok} member of the answer.
     *
     * @throws ControlException the server's error, or CONNECTION_CLOSED if it hung up
     */
    public JsonObject call(JsonObject request, int... fds) throws ControlException, IOException {
        conn.write(request, fds);
        return answer();
    }

    /** Reads the answer to a request already sent. */
    public JsonObject answer() throws ControlException, IOException {
        ControlConnection.Frame f = conn.read();
        if (f == null) throw new ControlException(ControlException.Code.CONNECTION_CLOSED, "the sandbox hung up without an answer");
        ControlConnection.closeAll(f.fds());
        return unwrap(f.body());
    }

    static JsonObject unwrap(JsonObject answer) throws ControlException {
        if (answer.get("ok") instanceof JsonObject ok) return ok;
        if (answer.get("error") instanceof JsonObject err) {
            String code = err.get("code") instanceof JsonString s ? s.value() : "INTERNAL";
            String message = err.get("message") instanceof JsonString s ? s.value() : "unknown error";
            throw new ControlException(ControlException.Code.parse(code), message);
        }
        throw new ControlException(ControlException.Code.BAD_FRAME, "an answer with neither ok nor error");
    }

    /** The connection itself, once a request holds it (exec, create). */
    public ControlConnection connection() { return conn; }

    @Override
    public void close() {
        conn.close();
    }
}
