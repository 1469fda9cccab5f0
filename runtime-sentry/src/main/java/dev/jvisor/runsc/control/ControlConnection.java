package dev.jvisor.runsc.control;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonSyntaxException;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.oci.json.JsonWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One control connection: reads and writes whole frames. Writes may come from several threads
 * (an exec's exit and a reply); reads from one. Fds received with a frame belong to the caller
 * of {@link #read}.
 */
public final class ControlConnection implements AutoCloseable {
    /** One frame and the fds that came with it. */
    public record Frame(JsonObject body, int[] fds) {}

    private final Transport transport;
    private final Object writeLock = new Object();
    private boolean writeClosed;

    ControlConnection(Transport transport) {
        this.transport = transport;
    }

    /**
     * Reads the next frame, or returns null at a clean end of stream (between frames).
     *
     * @throws ControlException BAD_FRAME for a length out of range, bytes that are not a UTF-8
     *                          JSON object, or a stream that ends inside a frame; any fds that
     *                          came with it are closed
     */
    public Frame read() throws ControlException, IOException {
        List<Integer> fds = new ArrayList<>();
        try {
            byte[] header = new byte[4];
            if (!readFully(header, fds, true)) return null;
            int length = ByteBuffer.wrap(header).getInt();
            if (length <= 0 || length > ControlProtocol.MAX_FRAME) {
                throw new ControlException(ControlException.Code.BAD_FRAME,
                        "frame length " + Integer.toUnsignedString(length) + " is not between 1 and " + ControlProtocol.MAX_FRAME);
            }
            byte[] body = new byte[length];
            readFully(body, fds, false);
            JsonObject o = parse(body);
            int[] out = fds.stream().mapToInt(Integer::intValue).toArray();
            fds.clear();
            return new Frame(o, out);
        } finally {
            closeAll(fds);
        }
    }

    private boolean readFully(byte[] b, List<Integer> fds, boolean atFrameStart) throws ControlException, IOException {
        int done = 0;
        while (done < b.length) {
            int n = transport.read(b, done, b.length - done, fds);
            if (n == 0) {
                if (done == 0 && atFrameStart) return false;
                throw new ControlException(ControlException.Code.BAD_FRAME, "the connection ended inside a frame");
            }
            done += n;
        }
        return true;
    }

    private static JsonObject parse(byte[] body) throws ControlException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ControlException(ControlException.Code.BAD_FRAME, "the frame is not UTF-8");
        }
        JsonValue v;
        try {
            v = JsonParser.parse(text);
        } catch (JsonSyntaxException e) {
            throw new ControlException(ControlException.Code.BAD_FRAME, "the frame is not JSON: " + e.getMessage());
        }
        if (!(v instanceof JsonObject o)) throw new ControlException(ControlException.Code.BAD_FRAME, "the frame is not a JSON object");
        ControlProtocol.checkVersion(o);
        return o;
    }

    /** Writes one frame; {@code fds} ride with it. */
    public void write(JsonObject body, int... fds) throws IOException {
        byte[] json = JsonWriter.compact(body).getBytes(StandardCharsets.UTF_8);
        if (json.length > ControlProtocol.MAX_FRAME) throw new IOException("message too large for a control frame");
        ByteBuffer frame = ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json);
        synchronized (writeLock) {
            if (writeClosed) throw new IOException("the connection is closed");
            transport.write(frame.array(), fds);
        }
    }

    /** Wakes a reader blocked in {@link #read} with end of stream. */
    public void shutdown() {
        transport.shutdown();
    }

    @Override
    public void close() {
        synchronized (writeLock) {
            writeClosed = true;
            transport.close();
        }
    }

    static void closeAll(List<Integer> fds) {
        for (int fd : fds) dev.jvisor.sentry.host.UnixSockets.closeQuietly(fd);
        fds.clear();
    }

    static void closeAll(int[] fds) {
        for (int fd : fds) dev.jvisor.sentry.host.UnixSockets.closeQuietly(fd);
    }
}
