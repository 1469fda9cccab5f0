package dev.jvisor.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.OpenFlags;
import dev.jvisor.p9.Message;
import dev.jvisor.p9.MessageType;
import dev.jvisor.p9.P9Codec;
import dev.jvisor.p9.Rmessage;
import dev.jvisor.p9.SetattrRequest;
import dev.jvisor.p9.Tmessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throws random, mutated and truncated frames at a real Gofer server over a real socketpair.
 * For each frame: if its header is readable, exactly one well-formed reply with its tag must
 * come back (an Rlerror, or a real answer when the mutation happens to be a valid request);
 * if its header is impossible, the server must close the connection. Never an exception out of
 * the server, a hang, a leaked descriptor or an EIO (which would mean a server bug was caught).
 *
 * <p>Seeded: {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.cases=N} changes its length.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoferFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 0x9F00D5EEDL);
    private static final int CASES = Integer.getInteger("fuzz.cases", 100_000);
    private static final int MSIZE = 64 * 1024;
    /** Fids the setup binds on every connection so mutated requests reach real files. */
    private static final int ROOT = 1;
    private static final int FILE = 2;
    private static final int DIR = 3;

    @TempDir
    Path root;

    private final ConcurrentLinkedQueue<Throwable> crashes = new ConcurrentLinkedQueue<>();
    private int replies;
    private int errors;
    private int closes;

    @Test
    void randomMutatedAndTruncatedFramesGetAnAnswerOrAClosedConnection() throws Exception {
        Files.writeString(root.resolve("a.txt"), "some file content");
        Files.createDirectories(root.resolve("dir/sub"));
        Files.writeString(root.resolve("dir/b.txt"), "bbb");
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> crashes.add(e));
        long fdsBefore = openDescriptors();
        Random rnd = new Random(SEED);
        int cases = 0;
        try (GoferFileServer files = GoferFileServer.open(List.of(new MountPoint("/", root, false)))) {
            while (cases < CASES) {
                FuzzConnection conn = new FuzzConnection(files, (t, e) -> crashes.add(e));
                try {
                    setUp(conn);
                    int budget = 500 + rnd.nextInt(3000);
                    boolean open = true;
                    while (open && budget-- > 0 && cases < CASES) {
                        cases++;
                        open = oneCase(conn, rnd);
                    }
                    if (open) {
                        byte[] frame = encode(rnd.nextInt(0xFFFF), template(rnd));
                        conn.hangUpMidFrame(frame, 1 + rnd.nextInt(frame.length - 1));
                    }
                } finally {
                    conn.close();
                }
                assertThat(conn.hung()).as("server stopped answering (seed %d, case %d)", SEED, cases).isFalse();
                assertThat(conn.serving.isAlive()).as("server thread still running after close").isFalse();
                assertThat(conn.server.fidCount()).isZero();
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        System.out.printf("9P fuzz: seed %d, %d frames, %d replies (%d Rlerror), %d connections closed by the server%n",
                SEED, cases, replies, errors, closes);
        assertThat(crashes).as("exceptions escaping the server").isEmpty();
        assertThat(cases).isGreaterThanOrEqualTo(CASES);
        // Every code path was reached: errors, real answers, and connections closed by the server.
        assertThat(errors).isGreaterThan(CASES / 4);
        assertThat(replies - errors).isGreaterThan(CASES / 100);
        assertThat(closes).isPositive();
        // Each connection's descriptors and every fid's host descriptor are gone again.
        assertThat(openDescriptors()).isLessThanOrEqualTo(fdsBefore + 2);
    }

    @Test
    void pipelinedFramesEachGetExactlyOneReply() throws Exception {
        Files.writeString(root.resolve("a.txt"), "some file content");
        Files.createDirectories(root.resolve("dir/sub"));
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> crashes.add(e));
        long fdsBefore = openDescriptors();
        Random rnd = new Random(SEED + 1);
        int frames = 0;
        try (GoferFileServer files = GoferFileServer.open(List.of(new MountPoint("/", root, false)))) {
            FuzzConnection conn = new FuzzConnection(files, (t, e) -> crashes.add(e));
            try {
                while (frames < CASES / 5) {
                    setUp(conn);
                    // Up to 32 requests in flight at once, on the same few fids, with flushes among them.
                    int batch = 1 + rnd.nextInt(32);
                    java.util.Set<Integer> sent = new java.util.HashSet<>();
                    List<Integer> order = new java.util.ArrayList<>();
                    while (sent.size() < batch) {
                        int tag = 100 + rnd.nextInt(1000);
                        if (!sent.add(tag)) {
                            continue;
                        }
                        byte[] frame = rnd.nextInt(6) == 0 && !order.isEmpty()
                                ? encode(tag, new Tmessage.Flush(order.get(rnd.nextInt(order.size()))))
                                : pipelineSafe(rnd, tag);
                        order.add(tag);
                        assertThat(conn.send(frame)).as("server closed on a well-framed request").isTrue();
                    }
                    frames += batch;
                    java.util.Set<Integer> answered = new java.util.HashSet<>();
                    for (int i = 0; i < batch; i++) {
                        var reply = conn.nextReply();
                        assertThat(reply).as("connection ended with %d replies missing", batch - i).isNotNull();
                        assertThat(answered.add(reply.tag())).as("second reply to tag %d", reply.tag()).isTrue();
                        if (reply.message() instanceof Rmessage.Lerror(Errno e)) {
                            assertThat(e).isNotEqualTo(Errno.EIO);
                        }
                    }
                    assertThat(answered).isEqualTo(sent);
                }
            } finally {
                conn.close();
            }
            assertThat(conn.hung()).isFalse();
            assertThat(conn.server.fidCount()).isZero();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        assertThat(crashes).isEmpty();
        assertThat(openDescriptors()).isLessThanOrEqualTo(fdsBefore + 2);
    }

    /** A frame whose header is sound and that is not a Tversion: any damage is in the body. */
    private static byte[] pipelineSafe(Random rnd, int tag) throws Exception {
        while (true) {
            byte[] f = switch (rnd.nextInt(4)) {
                case 0 -> randomFrame(rnd, tag);
                case 1 -> truncated(rnd, encode(tag, template(rnd)));
                default -> mutated(rnd, encode(tag, template(rnd)));
            };
            if ((f[4] & 0xFF) != MessageType.TVERSION.code()) {
                return f;
            }
        }
    }

    /** Negotiates and binds the fids mutated requests refer to. */
    private void setUp(FuzzConnection conn) throws Exception {
        expectReply(conn, encode(Message.NOTAG, new Tmessage.Version(MSIZE, Message.VERSION_9P2000_L)), Message.NOTAG);
        expectReply(conn, encode(1, new Tmessage.Attach(ROOT, Message.NOFID, "u", "/", 0)), 1);
        expectReply(conn, encode(2, new Tmessage.Walk(ROOT, FILE, List.of("a.txt"))), 2);
        expectReply(conn, encode(3, new Tmessage.Walk(ROOT, DIR, List.of("dir"))), 3);
        expectReply(conn, encode(4, new Tmessage.Lopen(FILE, OpenFlags.O_RDWR)), 4);
    }

    private void expectReply(FuzzConnection conn, byte[] frame, int tag) throws Exception {
        FuzzConnection.Outcome o = conn.exchange(frame, true);
        assertThat(o).isInstanceOf(FuzzConnection.Outcome.Reply.class);
        assertThat(((FuzzConnection.Outcome.Reply) o).frame().tag()).isEqualTo(tag);
    }

    /** Sends one generated frame and checks the server's answer; false once the connection is gone. */
    private boolean oneCase(FuzzConnection conn, Random rnd) throws Exception {
        int tag = rnd.nextInt(0x10000);
        byte[] frame = switch (rnd.nextInt(10)) {
            case 0, 1, 2 -> randomFrame(rnd, tag);
            case 3 -> truncated(rnd, encode(tag, template(rnd)));
            case 4 -> withTrailingBytes(rnd, encode(tag, template(rnd)));
            case 5 -> impossibleSize(rnd, encode(tag, template(rnd)));
            default -> mutated(rnd, encode(tag, template(rnd)));
        };
        long size = Integer.toUnsignedLong(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        boolean headerReadable = size >= P9Codec.HEADER_SIZE && size <= MSIZE && size == frame.length;
        FuzzConnection.Outcome o = conn.exchange(frame, headerReadable);
        if (o instanceof FuzzConnection.Outcome.Reply(var reply)) {
            assertThat(reply.tag()).as("reply tag").isEqualTo(tag);
            replies++;
            if (reply.message() instanceof Rmessage.Lerror(Errno e)) {
                errors++;
                assertThat(e).as("EIO means the server caught a bug of its own").isNotEqualTo(Errno.EIO);
            }
            if (reply.message() instanceof Rmessage.Version) {
                setUp(conn);   // a mutated Tversion reset the session: bind the fids again
            }
            return true;
        }
        assertThat(headerReadable).as("server closed on a frame it could answer (seed %d)", SEED).isFalse();
        closes++;
        return false;
    }

    // ---- frame generators ----

    private static byte[] randomFrame(Random rnd, int tag) {
        MessageType[] types = MessageType.values();
        int type = rnd.nextInt(4) == 0 ? rnd.nextInt(256) : types[rnd.nextInt(types.length)].code();
        if (type == MessageType.TVERSION.code()) {
            type = MessageType.TCLUNK.code();   // random Tversions would mostly just reset the session
        }
        byte[] body = new byte[rnd.nextInt(rnd.nextBoolean() ? 16 : 200)];
        rnd.nextBytes(body);
        return frame(type, tag, body);
    }

    private static byte[] truncated(Random rnd, byte[] valid) {
        int keep = P9Codec.HEADER_SIZE + rnd.nextInt(Math.max(1, valid.length - P9Codec.HEADER_SIZE));
        byte[] out = Arrays.copyOf(valid, keep);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(0, keep);
        return out;
    }

    private static byte[] withTrailingBytes(Random rnd, byte[] valid) {
        byte[] out = Arrays.copyOf(valid, valid.length + 1 + rnd.nextInt(20));
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(0, out.length);
        return out;
    }

    private static byte[] impossibleSize(Random rnd, byte[] valid) {
        // Rare on purpose: each one costs a connection.
        if (rnd.nextInt(20) != 0) {
            return mutated(rnd, valid);
        }
        byte[] out = valid.clone();
        int size = rnd.nextBoolean() ? rnd.nextInt(P9Codec.HEADER_SIZE) : MSIZE + 1 + rnd.nextInt(1 << 30);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(0, size);
        return out;
    }

    private static byte[] mutated(Random rnd, byte[] valid) {
        byte[] out = valid.clone();
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            int at = P9Codec.HEADER_SIZE + rnd.nextInt(Math.max(1, out.length - P9Codec.HEADER_SIZE));
            if (at < out.length) {
                out[at] = switch (rnd.nextInt(4)) {
                    case 0 -> (byte) 0xFF;
                    case 1 -> 0;
                    default -> (byte) rnd.nextInt(256);
                };
            }
        }
        if (rnd.nextInt(8) == 0) {
            out[4] = (byte) rnd.nextInt(256);   // the type byte, keeping the body
        }
        return out;
    }

    /** A well-formed request on the setup's fids, as raw material for mutation. */
    private static Tmessage template(Random rnd) {
        String name = List.of("a.txt", "dir", "sub", "b.txt", "new-" + rnd.nextInt(50), "..", "x/y").get(rnd.nextInt(7));
        int fid = List.of(ROOT, FILE, DIR, 4 + rnd.nextInt(8)).get(rnd.nextInt(4));
        int newFid = 4 + rnd.nextInt(8);
        return switch (rnd.nextInt(24)) {
            case 0 -> new Tmessage.Walk(fid, newFid, List.of(name, "sub"));
            case 1 -> new Tmessage.Lopen(fid, rnd.nextInt(4));
            case 2 -> new Tmessage.Lcreate(DIR, name, OpenFlags.O_RDWR, 0644, 0);
            case 3 -> new Tmessage.Read(fid, rnd.nextInt(64), 1 + rnd.nextInt(8192));
            case 4 -> new Tmessage.Write(FILE, rnd.nextInt(64), new byte[rnd.nextInt(64)]);
            case 5 -> new Tmessage.Clunk(newFid);
            case 6 -> new Tmessage.Getattr(fid, rnd.nextLong());
            case 7 -> new Tmessage.Setattr(FILE, new SetattrRequest(rnd.nextInt(0x200), 0644, -1, -1,
                    rnd.nextInt(100), 0, 0, 0, 0));
            case 8 -> new Tmessage.Readdir(fid, 0, 1 + rnd.nextInt(4096));
            case 9 -> new Tmessage.Mkdir(DIR, name, 0755, 0);
            case 10 -> new Tmessage.Mknod(DIR, name, rnd.nextInt(0x10000), 1, 3, 0);
            case 11 -> new Tmessage.Symlink(DIR, name, "/etc/passwd", 0);
            case 12 -> new Tmessage.Link(DIR, FILE, name);
            case 13 -> new Tmessage.Readlink(fid);
            case 14 -> new Tmessage.Renameat(DIR, name, DIR, "renamed");
            case 15 -> new Tmessage.Unlinkat(DIR, name, rnd.nextBoolean() ? 0 : 0x200);
            case 16 -> new Tmessage.Statfs(fid);
            case 17 -> new Tmessage.Fsync(fid, rnd.nextInt(2));
            case 18 -> new Tmessage.Flush(rnd.nextInt(0x10000));
            case 19 -> new Tmessage.XattrWalk(fid, newFid, rnd.nextBoolean() ? "" : "user.k");
            case 20 -> new Tmessage.XattrCreate(newFid, "user.k", rnd.nextInt(100), 0);
            case 21 -> new Tmessage.Lock(FILE, rnd.nextInt(4), rnd.nextInt(4), 0, rnd.nextInt(100), 1, "c");
            case 22 -> new Tmessage.GetLock(FILE, rnd.nextInt(4), 0, 10, 1, "c");
            default -> new Tmessage.Version(rnd.nextInt(2 * MSIZE), rnd.nextBoolean() ? "9P2000.L" : "9P2000");
        };
    }

    private static byte[] encode(int tag, Tmessage m) throws Exception {
        ByteBuffer b = P9Codec.encode(tag, m);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] frame(int type, int tag, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(P9Codec.HEADER_SIZE + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(P9Codec.HEADER_SIZE + body.length).put((byte) type).putShort((short) tag).put(body);
        return b.array();
    }

    private static long openDescriptors() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

}
