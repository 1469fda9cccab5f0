package dev.jvisor.p9;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds one 9P frame: reserves the size[4] type[1] tag[2] header and fills the size at the end. */
final class WireWriter {
    private byte[] buf;
    private int pos;

    WireWriter(int type, int tag, int sizeHint) {
        buf = new byte[Math.max(32, sizeHint)];
        pos = 4;
        u8(type);
        u16(tag);
    }

    void u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
    }

    void u16(int v) {
        ensure(2);
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >>> 8);
    }

    void u32(int v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
    }

    void u64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
    }

    void string(String s) throws P9ProtocolException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new P9ProtocolException(P9ProtocolException.Reason.TOO_LONG, P9ProtocolException.NO_TAG,
                    "string of " + b.length + " bytes exceeds 65535");
        }
        if (s.indexOf('\0') >= 0) {
            throw new P9ProtocolException(P9ProtocolException.Reason.NUL_IN_STRING, P9ProtocolException.NO_TAG,
                    "string contains NUL");
        }
        u16(b.length);
        bytes(b);
    }

    void qid(Qid q) {
        u8(q.type());
        u32(q.version());
        u64(q.path());
    }

    void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    int position() {
        return pos;
    }

    /** Writes a u32 at an earlier position (a count known only after its payload). */
    void patchU32(int at, int v) {
        ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }

    /** The finished frame, size field filled, ready to send. */
    ByteBuffer finish() {
        patchU32(0, pos);
        return ByteBuffer.wrap(buf, 0, pos).slice();
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }
}
