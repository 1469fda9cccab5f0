package dev.jvisor.runsc.control;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.ShortSocketPath;
import dev.jvisor.sentry.host.UnixSockets;
import java.io.IOException;
import java.nio.file.Path;

/** runsc's side of the control channel: one connection, one request, its answer. */
public final class ControlClient implements AutoCloseable {
    private final ControlConnection conn;
    private final NativeTransport transport;

    private ControlClient(NativeTransport transport) {
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

    /** The connection's fd, for handing it to a waiter process. */
    public int fd() { return transport.fd(); }

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
