package dev.jvisor.p9;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads 9P little-endian fields from one frame, checking every length against what is left so
 * that no field can make the decoder read past the frame or allocate more than the frame holds.
 */
final class WireReader {
    private final ByteBuffer buf;
    private final int tag;

    WireReader(ByteBuffer frame, int tag) {
        this.buf = frame.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.tag = tag;
    }

    int u8() throws P9ProtocolException {
        need(1);
        return buf.get() & 0xFF;
    }

    int u16() throws P9ProtocolException {
        need(2);
        return buf.getShort() & 0xFFFF;
    }

    /** An unsigned 32-bit field, as Java's int bit pattern. */
    int u32() throws P9ProtocolException {
        need(4);
        return buf.getInt();
    }

    long u64() throws P9ProtocolException {
        need(8);
        return buf.getLong();
    }

    /** A string: len[2] then that many bytes of UTF-8 without NUL. */
    String string() throws P9ProtocolException {
        int len = u16();
        need(len);
        ByteBuffer bytes = buf.slice(buf.position(), len);
        buf.position(buf.position() + len);
        for (int i = 0; i < len; i++) {
            if (bytes.get(i) == 0) {
                throw error(P9ProtocolException.Reason.NUL_IN_STRING, "NUL at byte " + i);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
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
        byte[] out = new byte[count];
        buf.get(out);
        return out;
    }

    int remaining() {
        return buf.remaining();
    }

    void expectEnd() throws P9ProtocolException {
        if (buf.hasRemaining()) {
            throw error(P9ProtocolException.Reason.TRAILING_BYTES, buf.remaining() + " bytes after the last field");
        }
    }

    P9ProtocolException error(P9ProtocolException.Reason reason, String detail) {
        return new P9ProtocolException(reason, tag, detail);
    }

    private void need(int n) throws P9ProtocolException {
        if (buf.remaining() < n) {
            throw error(P9ProtocolException.Reason.TRUNCATED,
                    "need " + n + " bytes at offset " + buf.position() + ", " + buf.remaining() + " left");
        }
    }
}
