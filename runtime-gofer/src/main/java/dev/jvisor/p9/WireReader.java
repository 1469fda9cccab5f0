package dev.jvisor.p9;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads 9P little-endian fields from one frame, checking every length against what is left so
 * that no field can make the decoder read past the frame or allocate more than the frame holds.
 *
 * <p>Fields are assembled from the frame's bytes by hand rather than through a ByteBuffer's
 * accessors: a connection's first few hundred messages are decoded by the interpreter, where
 * each buffer accessor is several calls deep and a shift is one instruction.
 */
final class WireReader {
    private final byte[] buf;
    private final int start;
    private final int limit;
    private int pos;
    private final int tag;

    WireReader(ByteBuffer frame, int tag) {
        if (frame.hasArray()) {
            this.buf = frame.array();
            this.start = frame.arrayOffset() + frame.position();
        } else {
            this.buf = new byte[frame.remaining()];
            frame.duplicate().get(this.buf);
            this.start = 0;
        }
        this.limit = start + frame.remaining();
        this.pos = start;
        this.tag = tag;
    }

    int u8() throws P9ProtocolException {
        need(1);
        return buf[pos++] & 0xFF;
    }

    int u16() throws P9ProtocolException {
        need(2);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    /** An unsigned 32-bit field, as Java's int bit pattern. */
    int u32() throws P9ProtocolException {
        need(4);
        int v = le32(pos);
        pos += 4;
        return v;
    }

    long u64() throws P9ProtocolException {
        need(8);
        long v = (le32(pos) & 0xFFFF_FFFFL) | (long) le32(pos + 4) << 32;
        pos += 8;
        return v;
    }

    private int le32(int at) {
        return (buf[at] & 0xFF) | (buf[at + 1] & 0xFF) << 8 | (buf[at + 2] & 0xFF) << 16 | (buf[at + 3] & 0xFF) << 24;
    }

    /** A string: len[2] then that many bytes of UTF-8 without NUL. */
    String string() throws P9ProtocolException {
        int len = u16();
        need(len);
        int at = pos;
        pos += len;
        boolean ascii = true;
        for (int i = 0; i < len; i++) {
            byte b = buf[at + i];
            if (b == 0) {
                throw error(P9ProtocolException.Reason.NUL_IN_STRING, "NUL at byte " + i);
            }
            if (b < 0) {
                ascii = false;
            }
        }
        if (ascii) {
            return new String(buf, at, len, StandardCharsets.ISO_8859_1);   // ASCII is its own UTF-8
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, at, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error(P9ProtocolException.Reason.INVALID_UTF8, "string of " + len + " bytes");
        }
    }

    Qid qid() throws P9ProtocolException {
        int type = u8();
        int version = u32();
        long path = u64();
        if (!Qid.isValidType(type)) {
            throw error(P9ProtocolException.Reason.INVALID_QID_TYPE, "0x" + Integer.toHexString(type));
        }
        return new Qid(type, version, path);
    }

    /** {@code count} raw bytes; {@code count} is unsigned and checked against what is left first. */
    byte[] bytes(int count) throws P9ProtocolException {
        if (count < 0) {
            throw error(P9ProtocolException.Reason.TRUNCATED, "count " + Integer.toUnsignedString(count));
        }
        need(count);
        byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + count);
        pos += count;
        return out;
    }

    int remaining() {
        return limit - pos;
    }

    void expectEnd() throws P9ProtocolException {
        if (pos < limit) {
            throw error(P9ProtocolException.Reason.TRAILING_BYTES, (limit - pos) + " bytes after the last field");
        }
    }

    P9ProtocolException error(P9ProtocolException.Reason reason, String detail) {
        return new P9ProtocolException(reason, tag, detail);
    }

    private void need(int n) throws P9ProtocolException {
        if (limit - pos < n) {
            throw error(P9ProtocolException.Reason.TRUNCATED,
                    "need " + n + " bytes at offset " + (pos - start) + ", " + (limit - pos) + " left");
        }
    }
}
