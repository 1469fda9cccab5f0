package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jVisor's Twalkgetattr: a walk and the attributes of what it reached in one round trip, against
 * a real server; the fallback to Twalk and Tgetattr for a server that does not know it; and
 * replies no server should send.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WalkGetattrTest {
    private final MemoryTree tree = new MemoryTree();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    @Test
    void oneRoundTripGivesTheWalkedFidAndItsAttributes() throws Exception {
        FdTransport[] pair = FdTransport.socketPair();
        P9Server server = new P9Server(pair[0], tree, P9Server.Limits.defaults());
        server.start("walkgetattr-server");
        toClose.add(server);
        toClose.add(pair[1]);
        P9Client c = P9Client.connect(pair[1], 65536);
        toClose.add(c);
        int root = c.attach("u", "/", 0);
        int before = server.fidCount();

        P9Client.Walked w = c.walkAndGetattr(root, Attr.GETATTR_BASIC, "data");
        assertThat(w.attr()).isEqualTo(c.getattr(w.fid(), Attr.GETATTR_BASIC));
        assertThat(w.attr().size()).isEqualTo(MemoryTree.DATA.length);
        assertThat(server.fidCount()).isEqualTo(before + 1);
        c.clunk(w.fid());

        // Missing first name: the server's error; stopped later: ENOENT. Neither leaves a fid.
        assertThat(Errnos.of(() -> c.walkAndGetattr(root, Attr.GETATTR_BASIC, "absent"))).isEqualTo(Errno.ENOENT);
        assertThat(Errnos.of(() -> c.walkAndGetattr(root, Attr.GETATTR_BASIC, "data", "below"))).isEqualTo(Errno.ENOENT);
        assertThat(server.fidCount()).isEqualTo(before);

        // The raw reply to a partial walk: the qids walked and no attributes; the new fid is unbound.
        int newFid = c.newFid();
        Rmessage.WalkGetattr partial = c.walkGetattr(root, newFid, List.of("data", "below"), Attr.GETATTR_BASIC);
        assertThat(partial.qids()).hasSize(1);
        assertThat(partial.attr()).isNull();
        assertThat(c.walk(root, newFid, List.of("data"))).hasSize(1);   // free to bind
        c.clunk(newFid);
    }

    @Test
    void aServerThatDoesNotKnowItGetsTwalkAndTgetattrFromThenOn() throws Exception {
        ConcurrentLinkedQueue<MessageType> seen = new ConcurrentLinkedQueue<>();
        P9Client c = scripted(request -> {
            seen.add(P9Codec.typeOf(request));
            return switch (request) {
                case Tmessage.WalkGetattr x -> new Rmessage.Lerror(Errno.EINVAL);
                case Tmessage.Walk x -> new Rmessage.Walk(List.of(new Qid(Qid.QTFILE, 0, 2)));
                case Tmessage.Getattr x -> new Rmessage.Getattr(attr(7));
                default -> new Rmessage.Lerror(Errno.EIO);
            };
        });
        assertThat(c.walkAndGetattr(0, Attr.GETATTR_BASIC, "f").attr().size()).isEqualTo(7);
        assertThat(c.walkAndGetattr(0, Attr.GETATTR_BASIC, "g").attr().size()).isEqualTo(7);
        assertThat(seen).containsExactly(MessageType.TWALKGETATTR, MessageType.TWALK, MessageType.TGETATTR,
                MessageType.TWALK, MessageType.TGETATTR);
    }

    @Test
    void attributesThatDoNotMatchTheWalkAreAProtocolError() throws Exception {
        Qid q = new Qid(Qid.QTFILE, 0, 2);
        for (Rmessage lie : List.of(
                new Rmessage.WalkGetattr(List.of(q), null, ""),               // a full walk without attributes
                new Rmessage.WalkGetattr(List.of(), attr(1), ""),             // attributes for a walk that stopped
                new Rmessage.WalkGetattr(List.of(q, q), attr(1), ""))) {      // more qids than names
            P9Client c = scripted(request -> lie);
            assertThat(Errnos.of(() -> c.walkAndGetattr(0, Attr.GETATTR_BASIC, "f"))).as(lie.toString())
                    .isEqualTo(Errno.EPROTO);
        }
    }

    @Test
    void aBadHasAttrByteEndsTheConnection() throws Exception {
        P9Client c = scripted(request -> new Rmessage.WalkGetattr(List.of(), null, ""), frame -> {
            frame.put(frame.limit() - 1, (byte) 2);   // has_attr is the last byte of this reply
            return frame;
        });
        assertThat(Errnos.of(() -> c.walkAndGetattr(0, Attr.GETATTR_BASIC, "f"))).isEqualTo(Errno.ECONNRESET);
        assertThat(c.isOpen()).isFalse();
    }

    private static Attr attr(long size) {
        return new Attr(Attr.GETATTR_BASIC, new Qid(Qid.QTFILE, 0, 2), 0x81A4, 0, 0, 1, 0, size, 4096, 1,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    private P9Client scripted(Function<Tmessage, Rmessage> answer) throws Exception {
        return scripted(answer, Function.identity());
    }

    /** A client of a server that answers each request with {@code answer}, its frames passed through {@code mangle}. */
    private P9Client scripted(Function<Tmessage, Rmessage> answer, Function<ByteBuffer, ByteBuffer> mangle) throws Exception {
        FdTransport[] pair = FdTransport.socketPair();
        toClose.add(pair[0]);
        Thread server = new Thread(() -> {
            try {
                while (true) {
                    ByteBuffer raw = pair[0].readFrame(1 << 20);
                    if (raw == null) return;
                    Frame f = P9Codec.decodeRequest(raw, 1 << 20);
                    Rmessage reply = f.message() instanceof Tmessage.Version
                            ? new Rmessage.Version(8192, "9P2000.L") : answer.apply((Tmessage) f.message());
                    ByteBuffer out = P9Codec.encode(f.tag(), reply).order(ByteOrder.LITTLE_ENDIAN);
                    pair[0].writeFrame(f.message() instanceof Tmessage.Version ? out : mangle.apply(out));
                }
            } catch (Exception e) {
                pair[0].close();
            }
        }, "scripted-9p-server");
        server.setDaemon(true);
        server.start();
        P9Client c = P9Client.connect(pair[1], 8192);
        toClose.add(c);
        return c;
    }


}
