package dev.jvisor.gofer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * How a pre-started Gofer learns what to serve. {@code runsc do} starts the Gofer's JVM beside
 * the Sentry's, before either knows the root ({@code runsc gofer --handoff-fd N --parent PID}).
 * The Gofer makes the socketpair itself and leaves the Sentry's end at descriptor {@code N}; the
 * Sentry, its parent, takes a copy with pidfd_getfd(2) and sends this message first on the
 * connection: the host directory to serve as "/" and whether read-only. The Gofer then closes
 * descriptor {@code N}, confines itself and serves 9P on the same connection.
 *
 * <p>On the wire it is framed like 9P, so that the transport reads it as any frame:
 * {@code size[4] type[1]=250 tag[2]=0xFFFF read_only[1] root[s]}, {@code root} a 9P string
 * (length[2], UTF-8) naming an absolute path.
 */
public final class RootHandoff {
    /** The descriptor number the Sentry's end waits at, unless the command line says otherwise. */
    public static final int DEFAULT_FD = 100;
    /** The frame's type byte: outside 9P2000.L's numbers and jVisor's 9P extensions. */
    static final int TYPE = 250;
    /** The largest handoff frame (a root path of up to 4 KiB). */
    static final int MAX_SIZE = 7 + 1 + 2 + 4096;

    private RootHandoff() {}

    /** What the Sentry hands over. */
    public record Root(Path dir, boolean readOnly) {}

    /** The frame for {@code dir}, an absolute path of at most 4096 bytes. */
    public static ByteBuffer encode(Path dir, boolean readOnly) {
        byte[] path = dir.toString().getBytes(StandardCharsets.UTF_8);
        if (!dir.isAbsolute() || path.length > 4096) {
            throw new IllegalArgumentException("not an absolute path of up to 4096 bytes: " + dir);
        }
        int size = 7 + 1 + 2 + path.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(size).put((byte) TYPE).putShort((short) 0xFFFF).put((byte) (readOnly ? 1 : 0))
                .putShort((short) path.length).put(path);
        return b.flip();
    }

    /** The root a frame names; IllegalArgumentException for anything but a well-formed handoff. */
    static Root decode(ByteBuffer frame) {
        ByteBuffer b = frame.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 10 || b.getInt() != frame.remaining() || (b.get() & 0xFF) != TYPE
                || (b.getShort() & 0xFFFF) != 0xFFFF) {
            throw new IllegalArgumentException("not a root handoff frame");
        }
        int readOnly = b.get();
        int length = b.getShort() & 0xFFFF;
        if ((readOnly & ~1) != 0 || length != b.remaining()) {
            throw new IllegalArgumentException("malformed root handoff");
        }
        String path;
        try {
            path = StandardCharsets.UTF_8.newDecoder().decode(b).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("root handoff path is not UTF-8");
        }
        if (!path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("root handoff path is not absolute: " + path);
        }
        return new Root(Path.of(path), readOnly == 1);
    }
}
