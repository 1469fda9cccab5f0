package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class P9CodecTest {
    private static final int MSIZE = 1 << 20;

    @Test
    void everyRequestRoundTrips() throws Exception {
        int tag = 0;
        for (Tmessage m : SampleMessages.requests()) {
            ByteBuffer frame = P9Codec.encode(tag, m);
            assertThat(frame.order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(frame.remaining());
            Frame decoded = P9Codec.decodeRequest(frame, MSIZE);
            assertThat(decoded.tag()).isEqualTo(tag);
            assertThat(decoded.message()).as(m.toString()).isEqualTo(m);
            tag++;
        }
    }

    @Test
    void everyReplyRoundTrips() throws Exception {
        for (Rmessage m : SampleMessages.replies()) {
            Frame decoded = P9Codec.decodeReply(P9Codec.encode(0xFFFE, m), MSIZE);
            assertThat(decoded.tag()).isEqualTo(0xFFFE);
            assertThat(decoded.message()).as(m.toString()).isEqualTo(m);
        }
    }

    @Test
    void samplesCoverEveryMessageType() {
        Set<Class<?>> covered = new HashSet<>();
        SampleMessages.requests().forEach(m -> covered.add(m.getClass()));
        SampleMessages.replies().forEach(m -> covered.add(m.getClass()));
        assertThat(covered).containsAll(Arrays.asList(Tmessage.class.getPermittedSubclasses()));
        assertThat(covered).containsAll(Arrays.asList(Rmessage.class.getPermittedSubclasses()));
        Set<MessageType> types = new HashSet<>();
        covered.forEach(c -> types.add(P9Codec.typeOf(sampleOf(c))));
        types.add(MessageType.TLERROR);   // never sent: Rlerror has no request
        assertThat(types).containsExactlyInAnyOrder(MessageType.values());
    }

    private static Message sampleOf(Class<?> c) {
        return java.util.stream.Stream.concat(SampleMessages.requests().stream(), SampleMessages.replies().stream())
                .filter(c::isInstance).findFirst().orElseThrow();
    }

    @Test
    void knownWireBytesForTversion() throws Exception {
        // size=21 type=100 tag=0xFFFF msize=8192 "9P2000.L"
        byte[] expected = {21, 0, 0, 0, 100, (byte) 0xFF, (byte) 0xFF, 0, 0x20, 0, 0, 8, 0,
                '9', 'P', '2', '0', '0', '0', '.', 'L'};
        ByteBuffer frame = P9Codec.encode(Message.NOTAG, new Tmessage.Version(8192, "9P2000.L"));
        byte[] actual = new byte[frame.remaining()];
        frame.get(actual);
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void donateFdIsJvisorsExtensionWithTheDescriptorBesideTheFrame() throws Exception {
        // Tdonatefd: size=15 type=240 tag=5 fid=0x01020304 flags=0 (RELEASE=1)
        assertThat(bytes(P9Codec.encode(5, new Tmessage.DonateFd(0x01020304))))
                .isEqualTo(new byte[] {15, 0, 0, 0, (byte) 240, 5, 0, 4, 3, 2, 1, 0, 0, 0, 0});
        assertThat(bytes(P9Codec.encode(5, new Tmessage.DonateFd(7, Tmessage.DonateFd.RELEASE))))
                .isEqualTo(new byte[] {15, 0, 0, 0, (byte) 240, 5, 0, 7, 0, 0, 0, 1, 0, 0, 0});
        // Rdonatefd: size=15 type=241 tag=5 size[8]=4097; the descriptor is not in the bytes.
        ByteBuffer reply = P9Codec.encode(5, new Rmessage.DonateFd(4097, 42));
        assertThat(bytes(reply.duplicate()))
                .isEqualTo(new byte[] {15, 0, 0, 0, (byte) 241, 5, 0, 1, 0x10, 0, 0, 0, 0, 0, 0});
        assertThat(P9Codec.decodeReply(reply, MSIZE).message()).isEqualTo(new Rmessage.DonateFd(4097, -1));
        assertThat(MessageType.TDONATEFD.code()).as("outside 9P2000.L's numbers").isGreaterThan(127);
        // Each side accepts only its own half of the pair.
        assertThat(reasonOf(P9Codec.encode(5, new Tmessage.DonateFd(1)), false))
                .isEqualTo(P9ProtocolException.Reason.UNKNOWN_TYPE);
        assertThat(reasonOf(P9Codec.encode(5, new Rmessage.DonateFd(1, -1)), true))
                .isEqualTo(P9ProtocolException.Reason.UNKNOWN_TYPE);
        assertThat(reasonOf(frame(241, 5, 1, 0, 0, 0), false)).isEqualTo(P9ProtocolException.Reason.TRUNCATED);
    }

    @Test
    void listdirIsJvisorsExtensionShapedLikeReaddir() throws Exception {
        // Tlistdir: size=23 type=244 tag=9 fid=2 offset=3 count=0x2000, as Treaddir's body.
        assertThat(bytes(P9Codec.encode(9, new Tmessage.Listdir(2, 3, 0x2000))))
                .isEqualTo(new byte[] {23, 0, 0, 0, (byte) 244, 9, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0});
        List<DirEntry> entries = List.of(new DirEntry(new Qid(Qid.QTDIR, 0, 5), 1, DirEntry.DT_DIR, "d"));
        ByteBuffer listed = P9Codec.encode(9, new Rmessage.Listdir(entries));
        ByteBuffer read = P9Codec.encode(9, new Rmessage.Readdir(entries));
        byte[] a = bytes(listed.duplicate());
        byte[] b = bytes(read.duplicate());
        assertThat(a[4] & 0xff).isEqualTo(245);
        a[4] = b[4];
        assertThat(a).as("Rlistdir's body is Rreaddir's").isEqualTo(b);
        assertThat(P9Codec.decodeReply(listed, MSIZE).message()).isEqualTo(new Rmessage.Listdir(entries));
        assertThat(reasonOf(frame(244, 9, 2, 0, 0, 0), true)).isEqualTo(P9ProtocolException.Reason.TRUNCATED);
    }

    private static byte[] bytes(ByteBuffer frame) {
        byte[] b = new byte[frame.remaining()];
        frame.get(b);
        return b;
    }

    private static ByteBuffer frame(int type, int tag, int... values) {
        byte[] body = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            body[i] = (byte) values[i];
        }
        return frame(type, tag, body);
    }

    private static ByteBuffer frame(int type, int tag, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(7 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(7 + body.length).put((byte) type).putShort((short) tag).put(body).flip();
        return b;
    }

    private static P9ProtocolException.Reason reasonOf(ByteBuffer f, boolean request) {
        try {
            if (request) {
                P9Codec.decodeRequest(f, MSIZE);
            } else {
                P9Codec.decodeReply(f, MSIZE);
            }
        } catch (P9ProtocolException e) {
            return e.reason();
        }
        throw new AssertionError("decoded a bad frame");
    }

    @Test
    void rejectsFramesThatLieAboutTheirSize() {
        ByteBuffer f = frame(120, 1, 1, 0, 0, 0);
        f.putInt(0, 100);
        assertThat(reasonOf(f, true)).isEqualTo(P9ProtocolException.Reason.TRUNCATED);
        f.putInt(0, 3);
        assertThat(reasonOf(f, true)).isEqualTo(P9ProtocolException.Reason.FRAME_TOO_SHORT);
        f.putInt(0, MSIZE + 1);
        assertThat(reasonOf(f, true)).isEqualTo(P9ProtocolException.Reason.FRAME_TOO_LARGE);
        assertThat(reasonOf(ByteBuffer.allocate(3), true)).isEqualTo(P9ProtocolException.Reason.FRAME_TOO_SHORT);
    }

    @Test
    void rejectsTruncatedAndOverlongBodies() {
        assertThat(reasonOf(frame(120, 1, 1, 0, 0), true)).isEqualTo(P9ProtocolException.Reason.TRUNCATED);
        assertThat(reasonOf(frame(120, 1, 1, 0, 0, 0, 9), true)).isEqualTo(P9ProtocolException.Reason.TRAILING_BYTES);
        // Twrite whose count claims more data than the frame holds.
        assertThat(reasonOf(frame(118, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 0, 0, 1), true))
                .isEqualTo(P9ProtocolException.Reason.TRUNCATED);
        // Rread whose count is negative as a Java int.
        assertThat(reasonOf(frame(117, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF), false))
                .isEqualTo(P9ProtocolException.Reason.TRUNCATED);
    }

    @Test
    void rejectsBadStrings() {
        // Tclunk is fine; Tmkdir with a string that is not UTF-8, then one with NUL.
        byte[] badUtf8 = {1, 0, 0, 0, 2, 0, (byte) 0xC3, (byte) 0x28, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(reasonOf(frame(72, 1, badUtf8), true)).isEqualTo(P9ProtocolException.Reason.INVALID_UTF8);
        byte[] nul = {1, 0, 0, 0, 2, 0, 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(reasonOf(frame(72, 1, nul), true)).isEqualTo(P9ProtocolException.Reason.NUL_IN_STRING);
        byte[] longer = {1, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 'a'};
        assertThat(reasonOf(frame(72, 1, longer), true)).isEqualTo(P9ProtocolException.Reason.TRUNCATED);
    }

    @Test
    void rejectsLongWalksAndBadQids() throws Exception {
        byte[] seventeen = {1, 0, 0, 0, 2, 0, 0, 0, 17, 0};
        assertThat(reasonOf(frame(110, 1, seventeen), true)).isEqualTo(P9ProtocolException.Reason.TOO_LONG);
        List<String> names = java.util.Collections.nCopies(17, "a");
        assertThatThrownBy(() -> P9Codec.encode(1, new Tmessage.Walk(1, 2, names)))
                .isInstanceOf(P9ProtocolException.class);
        byte[] dirAndLink = {(byte) (Qid.QTDIR | Qid.QTSYMLINK), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(reasonOf(frame(105, 1, dirAndLink), false)).isEqualTo(P9ProtocolException.Reason.INVALID_QID_TYPE);
    }

    @Test
    void keepsRequestsAndRepliesApart() throws Exception {
        assertThat(reasonOf(P9Codec.encode(1, new Rmessage.Clunk()), true))
                .isEqualTo(P9ProtocolException.Reason.UNKNOWN_TYPE);
        assertThat(reasonOf(P9Codec.encode(1, new Tmessage.Clunk(1)), false))
                .isEqualTo(P9ProtocolException.Reason.UNKNOWN_TYPE);
        assertThat(reasonOf(frame(6, 1, 2, 0, 0, 0), true)).isEqualTo(P9ProtocolException.Reason.UNKNOWN_TYPE);
        assertThat(reasonOf(frame(200, 1), true)).isEqualTo(P9ProtocolException.Reason.UNKNOWN_TYPE);
        assertThat(reasonOf(frame(7, 1, 0, 1, 0, 0), false)).isEqualTo(P9ProtocolException.Reason.INVALID_ERRNO);
    }

    @Test
    void unknownTypeStillReportsTheTag() {
        try {
            P9Codec.decodeRequest(frame(200, 0x1234, new byte[0]), MSIZE);
        } catch (P9ProtocolException e) {
            assertThat(e.tag()).isEqualTo(0x1234);
            return;
        }
        throw new AssertionError();
    }

    @Test
    void errnoNumbersMatchLinux() {
        assertThat(Errno.EPERM.number()).isEqualTo(1);
        assertThat(Errno.ENOENT.number()).isEqualTo(2);
        assertThat(Errno.EROFS.number()).isEqualTo(30);
        assertThat(Errno.ENOSYS.number()).isEqualTo(38);
        assertThat(Errno.ELOOP.number()).isEqualTo(40);
        assertThat(Errno.EOPNOTSUPP.number()).isEqualTo(95);
        assertThat(Errno.EHWPOISON.number()).isEqualTo(133);
        assertThat(Errno.EWOULDBLOCK).isSameAs(Errno.EAGAIN);
        for (Errno e : Errno.values()) {
            assertThat(Errno.of(e.number())).isSameAs(e);
        }
        assertThatThrownBy(() -> Errno.of(41)).isInstanceOf(IllegalArgumentException.class);
    }
}
