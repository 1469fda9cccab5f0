package dev.jvisor.p9;

import dev.jvisor.abi.Errno;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static dev.jvisor.p9.P9ProtocolException.NO_TAG;
import static dev.jvisor.p9.P9ProtocolException.Reason;

/**
 * Encodes and decodes 9P2000.L frames: {@code size[4] type[1] tag[2] body}, little-endian.
 *
 * <p>Decoding is strict because the Gofer decodes frames from the (untrusted) Sentry side: the
 * size must match the frame and fit the negotiated msize, every field must lie inside the frame,
 * nothing may follow the last field, strings must be UTF-8 without NUL, walks have at most
 * {@value Message#MAX_WALK_ELEMENTS} names, and requests and replies are told apart so that a
 * server never accepts a reply type and a client never accepts a request type.
 */
public final class P9Codec {
    /** size[4] type[1] tag[2]. */
    public static final int HEADER_SIZE = 7;
    /** Header plus the count[4] of Rread/Rreaddir: what msize must leave room for besides data. */
    public static final int IO_HEADER_SIZE = HEADER_SIZE + 4;
    /** The smallest msize jVisor accepts: room for a useful Rgetattr and a few data bytes. */
    public static final int MIN_MSIZE = 4096;

    private P9Codec() {}

    /** Encodes {@code message} with {@code tag} into a complete frame. */
    public static ByteBuffer encode(int tag, Message message) throws P9ProtocolException {
        MessageType type = typeOf(message);
        WireWriter w = new WireWriter(type.code(), tag, sizeHint(message));
        // A switch over the type, not over the message's class: a pattern switch costs each JVM a
        // class generated at its first use (SwitchBootstraps), on the path of its first request.
        switch (type) {
            case TVERSION -> {
                Tmessage.Version m = (Tmessage.Version) message;
                w.u32(m.msize()); w.string(m.version());
            }
            case TATTACH -> {
                Tmessage.Attach m = (Tmessage.Attach) message;
                w.u32(m.fid()); w.u32(m.afid()); w.string(m.uname()); w.string(m.aname()); w.u32(m.nUname());
            }
            case TWALK -> {
                Tmessage.Walk m = (Tmessage.Walk) message;
                w.u32(m.fid()); w.u32(m.newFid());
                walkNames(w, tag, m.names());
            }
            case TWALKGETATTR -> {
                Tmessage.WalkGetattr m = (Tmessage.WalkGetattr) message;
                w.u32(m.fid()); w.u32(m.newFid()); w.u64(m.requestMask());
                walkNames(w, tag, m.names());
            }
            case TLOPEN -> {
                Tmessage.Lopen m = (Tmessage.Lopen) message;
                w.u32(m.fid()); w.u32(m.flags());
            }
            case TLCREATE -> {
                Tmessage.Lcreate m = (Tmessage.Lcreate) message;
                w.u32(m.fid()); w.string(m.name()); w.u32(m.flags()); w.u32(m.mode()); w.u32(m.gid());
            }
            case TREAD -> {
                Tmessage.Read m = (Tmessage.Read) message;
                w.u32(m.fid()); w.u64(m.offset()); w.u32(m.count());
            }
            case TWRITE -> {
                Tmessage.Write m = (Tmessage.Write) message;
                w.u32(m.fid()); w.u64(m.offset()); w.u32(m.data().length); w.bytes(m.data());
            }
            case TCLUNK -> {
                Tmessage.Clunk m = (Tmessage.Clunk) message;
                w.u32(m.fid());
            }
            case TREMOVE -> {
                Tmessage.Remove m = (Tmessage.Remove) message;
                w.u32(m.fid());
            }
            case TGETATTR -> {
                Tmessage.Getattr m = (Tmessage.Getattr) message;
                w.u32(m.fid()); w.u64(m.requestMask());
            }
            case TSETATTR -> {
                Tmessage.Setattr m = (Tmessage.Setattr) message;
                w.u32(m.fid()); setattr(w, m.attr());
            }
            case TREADDIR -> {
                Tmessage.Readdir m = (Tmessage.Readdir) message;
                w.u32(m.fid()); w.u64(m.offset()); w.u32(m.count());
            }
            case TLISTDIR -> {
                Tmessage.Listdir m = (Tmessage.Listdir) message;
                w.u32(m.fid()); w.u64(m.offset()); w.u32(m.count());
            }
            case TMKDIR -> {
                Tmessage.Mkdir m = (Tmessage.Mkdir) message;
                w.u32(m.dirFid()); w.string(m.name()); w.u32(m.mode()); w.u32(m.gid());
            }
            case TMKNOD -> {
                Tmessage.Mknod m = (Tmessage.Mknod) message;
                w.u32(m.dirFid()); w.string(m.name()); w.u32(m.mode()); w.u32(m.major()); w.u32(m.minor());
                w.u32(m.gid());
            }
            case TSYMLINK -> {
                Tmessage.Symlink m = (Tmessage.Symlink) message;
                w.u32(m.dirFid()); w.string(m.name()); w.string(m.target()); w.u32(m.gid());
            }
            case TLINK -> {
                Tmessage.Link m = (Tmessage.Link) message;
                w.u32(m.dirFid()); w.u32(m.fid()); w.string(m.name());
            }
            case TREADLINK -> {
                Tmessage.Readlink m = (Tmessage.Readlink) message;
                w.u32(m.fid());
            }
            case TRENAMEAT -> {
                Tmessage.Renameat m = (Tmessage.Renameat) message;
                w.u32(m.oldDirFid()); w.string(m.oldName()); w.u32(m.newDirFid()); w.string(m.newName());
            }
            case TUNLINKAT -> {
                Tmessage.Unlinkat m = (Tmessage.Unlinkat) message;
                w.u32(m.dirFid()); w.string(m.name()); w.u32(m.flags());
            }
            case TSTATFS -> {
                Tmessage.Statfs m = (Tmessage.Statfs) message;
                w.u32(m.fid());
            }
            case TFSYNC -> {
                Tmessage.Fsync m = (Tmessage.Fsync) message;
                w.u32(m.fid()); w.u32(m.datasync());
            }
            case TFLUSH -> {
                Tmessage.Flush m = (Tmessage.Flush) message;
                w.u16(m.oldTag());
            }
            case TXATTRWALK -> {
                Tmessage.XattrWalk m = (Tmessage.XattrWalk) message;
                w.u32(m.fid()); w.u32(m.newFid()); w.string(m.name());
            }
            case TXATTRCREATE -> {
                Tmessage.XattrCreate m = (Tmessage.XattrCreate) message;
                w.u32(m.fid()); w.string(m.name()); w.u64(m.size()); w.u32(m.flags());
            }
            case TLOCK -> {
                Tmessage.Lock m = (Tmessage.Lock) message;
                w.u32(m.fid()); w.u8(m.type()); w.u32(m.flags()); w.u64(m.start()); w.u64(m.length());
                w.u32(m.procId()); w.string(m.clientId());
            }
            case TGETLOCK -> {
                Tmessage.GetLock m = (Tmessage.GetLock) message;
                w.u32(m.fid()); w.u8(m.type()); w.u64(m.start()); w.u64(m.length()); w.u32(m.procId());
                w.string(m.clientId());
            }
            case TDONATEFD -> {
                Tmessage.DonateFd m = (Tmessage.DonateFd) message;
                w.u32(m.fid()); w.u32(m.flags());
            }
            case RDONATEFD -> {
                Rmessage.DonateFd m = (Rmessage.DonateFd) message;
                w.u64(m.size());
            }   // the descriptor goes beside the frame
            case RLERROR -> {
                Rmessage.Lerror m = (Rmessage.Lerror) message;
                w.u32(m.errno().number());
            }
            case RVERSION -> {
                Rmessage.Version m = (Rmessage.Version) message;
                w.u32(m.msize()); w.string(m.version());
            }
            case RATTACH -> {
                Rmessage.Attach m = (Rmessage.Attach) message;
                w.qid(m.qid());
            }
            case RWALK -> {
                Rmessage.Walk m = (Rmessage.Walk) message;
                walkQids(w, tag, m.qids());
            }
            case RWALKGETATTR -> {
                Rmessage.WalkGetattr m = (Rmessage.WalkGetattr) message;
                walkQids(w, tag, m.qids());
                w.u8(m.attr() == null ? 0 : 1);
                if (m.attr() != null) {
                    attr(w, m.attr());
                    w.string(m.target());
                }
            }
            case RLOPEN -> {
                Rmessage.Lopen m = (Rmessage.Lopen) message;
                w.qid(m.qid()); w.u32(m.iounit());
            }
            case RLCREATE -> {
                Rmessage.Lcreate m = (Rmessage.Lcreate) message;
                w.qid(m.qid()); w.u32(m.iounit());
            }
            case RREAD -> {
                Rmessage.Read m = (Rmessage.Read) message;
                w.u32(m.data().length); w.bytes(m.data());
            }
            case RWRITE -> {
                Rmessage.Write m = (Rmessage.Write) message;
                w.u32(m.count());
            }
            case RGETATTR -> {
                Rmessage.Getattr m = (Rmessage.Getattr) message;
                attr(w, m.attr());
            }
            case RREADDIR -> {
                Rmessage.Readdir m = (Rmessage.Readdir) message;
                dirEntries(w, m.entries());
            }
            case RLISTDIR -> {
                Rmessage.Listdir m = (Rmessage.Listdir) message;
                dirEntries(w, m.entries());
            }
            case RMKDIR -> {
                Rmessage.Mkdir m = (Rmessage.Mkdir) message;
                w.qid(m.qid());
            }
            case RMKNOD -> {
                Rmessage.Mknod m = (Rmessage.Mknod) message;
                w.qid(m.qid());
            }
            case RSYMLINK -> {
                Rmessage.Symlink m = (Rmessage.Symlink) message;
                w.qid(m.qid());
            }
            case RREADLINK -> {
                Rmessage.Readlink m = (Rmessage.Readlink) message;
                w.string(m.target());
            }
            case RSTATFS -> {
                Rmessage.Statfs m = (Rmessage.Statfs) message;
                statfs(w, m.statfs());
            }
            case RXATTRWALK -> {
                Rmessage.XattrWalk m = (Rmessage.XattrWalk) message;
                w.u64(m.size());
            }
            case RLOCK -> {
                Rmessage.Lock m = (Rmessage.Lock) message;
                w.u8(m.status());
            }
            case RGETLOCK -> {
                Rmessage.GetLock m = (Rmessage.GetLock) message;
                w.u8(m.type()); w.u64(m.start()); w.u64(m.length()); w.u32(m.procId()); w.string(m.clientId());
            }
            case RCLUNK -> {
                Rmessage.Clunk m = (Rmessage.Clunk) message;
            }
            case RREMOVE -> {
                Rmessage.Remove m = (Rmessage.Remove) message;
            }
            case RSETATTR -> {
                Rmessage.Setattr m = (Rmessage.Setattr) message;
            }
            case RLINK -> {
                Rmessage.Link m = (Rmessage.Link) message;
            }
            case RRENAMEAT -> {
                Rmessage.Renameat m = (Rmessage.Renameat) message;
            }
            case RUNLINKAT -> {
                Rmessage.Unlinkat m = (Rmessage.Unlinkat) message;
            }
            case RFSYNC -> {
                Rmessage.Fsync m = (Rmessage.Fsync) message;
            }
            case RFLUSH -> {
                Rmessage.Flush m = (Rmessage.Flush) message;
            }
            case RXATTRCREATE -> {
                Rmessage.XattrCreate m = (Rmessage.XattrCreate) message;
            }
        }
        return w.finish();
    }

    /** Encoded size of one readdir entry, for servers packing entries into a count. */
    public static int encodedSize(DirEntry e) {
        return DirEntry.FIXED_SIZE + 2 + e.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** Decodes a frame a server received: only request types are accepted. */
    public static Frame decodeRequest(ByteBuffer frame, int msize) throws P9ProtocolException {
        return decode(frame, msize, true);
    }

    /** Decodes a frame a client received: only reply types are accepted. */
    public static Frame decodeReply(ByteBuffer frame, int msize) throws P9ProtocolException {
        return decode(frame, msize, false);
    }

    /**
     * Checks a frame's size field as read from the stream, before the rest is read, so a reader
     * never allocates more than {@code msize} for one frame.
     */
    public static void checkSize(long size, int msize) throws P9ProtocolException {
        if (size < HEADER_SIZE) {
            throw new P9ProtocolException(Reason.FRAME_TOO_SHORT, NO_TAG, "size " + size);
        }
        if (size > Integer.toUnsignedLong(msize)) {
            throw new P9ProtocolException(Reason.FRAME_TOO_LARGE, NO_TAG, "size " + size + " > msize " + msize);
        }
    }

    private static Frame decode(ByteBuffer frame, int msize, boolean request) throws P9ProtocolException {
        ByteBuffer f = frame.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (f.remaining() < HEADER_SIZE) {
            throw new P9ProtocolException(Reason.FRAME_TOO_SHORT, NO_TAG, f.remaining() + " bytes");
        }
        long size = Integer.toUnsignedLong(f.getInt(0));
        checkSize(size, msize);
        if (size != f.remaining()) {
            throw new P9ProtocolException(size > f.remaining() ? Reason.TRUNCATED : Reason.TRAILING_BYTES, NO_TAG,
                    "size field " + size + " but frame has " + f.remaining() + " bytes");
        }
        int code = f.get(4) & 0xFF;
        int tag = f.getShort(5) & 0xFFFF;
        MessageType type = MessageType.ofCode(code);
        boolean isRequest = type != null && (type.code() & 1) == 0 && type != MessageType.TLERROR;
        if (type == null || isRequest != request) {
            throw new P9ProtocolException(Reason.UNKNOWN_TYPE, tag, "type " + code);
        }
        WireReader r = new WireReader(f.position(HEADER_SIZE), tag);
        Message m = request ? MessageDecoder.request(type, r) : MessageDecoder.reply(type, r);
        r.expectEnd();
        return new Frame(tag, m);
    }

    /** The wire type of {@code m}. */
    static MessageType typeOf(Message m) {
        MessageType t = MessageType.of(m.getClass());
        if (t == null) throw new IllegalArgumentException("not a 9P message: " + m.getClass().getName());
        return t;
    }

    /** Rreaddir's body: {@code count[4] data[count]}, the entries packed one after another. */
    private static void dirEntries(WireWriter w, List<DirEntry> entries) throws P9ProtocolException {
        int countAt = w.position();
        w.u32(0);
        for (DirEntry e : entries) {
            dirEntry(w, e);
        }
        w.patchU32(countAt, w.position() - countAt - 4);
    }

    private static int sizeHint(Message m) {
        if (m instanceof Tmessage.Write w) return HEADER_SIZE + 16 + w.data().length;
        if (m instanceof Rmessage.Read r) return IO_HEADER_SIZE + r.data().length;
        return 64;
    }

    private static void setattr(WireWriter w, SetattrRequest a) {
        w.u32(a.valid()); w.u32(a.mode()); w.u32(a.uid()); w.u32(a.gid()); w.u64(a.size());
        w.u64(a.atimeSec()); w.u64(a.atimeNsec()); w.u64(a.mtimeSec()); w.u64(a.mtimeNsec());
    }

    private static void walkNames(WireWriter w, int tag, List<String> names) throws P9ProtocolException {
        if (names.size() > Message.MAX_WALK_ELEMENTS) {
            throw new P9ProtocolException(Reason.TOO_LONG, tag, names.size() + " walk names");
        }
        w.u16(names.size());
        for (String n : names) {
            w.string(n);
        }
    }

    private static void walkQids(WireWriter w, int tag, List<Qid> qids) throws P9ProtocolException {
        if (qids.size() > Message.MAX_WALK_ELEMENTS) {
            throw new P9ProtocolException(Reason.TOO_LONG, tag, qids.size() + " walk qids");
        }
        w.u16(qids.size());
        for (Qid q : qids) {
            w.qid(q);
        }
    }

    private static void attr(WireWriter w, Attr a) {
        w.u64(a.valid()); w.qid(a.qid()); w.u32(a.mode()); w.u32(a.uid()); w.u32(a.gid());
        w.u64(a.nlink()); w.u64(a.rdev()); w.u64(a.size()); w.u64(a.blksize()); w.u64(a.blocks());
        w.u64(a.atimeSec()); w.u64(a.atimeNsec()); w.u64(a.mtimeSec()); w.u64(a.mtimeNsec());
        w.u64(a.ctimeSec()); w.u64(a.ctimeNsec()); w.u64(a.btimeSec()); w.u64(a.btimeNsec());
        w.u64(a.gen()); w.u64(a.dataVersion());
    }

    private static void statfs(WireWriter w, StatFs s) {
        w.u32(s.type()); w.u32(s.bsize()); w.u64(s.blocks()); w.u64(s.bfree()); w.u64(s.bavail());
        w.u64(s.files()); w.u64(s.ffree()); w.u64(s.fsid()); w.u32(s.namelen());
    }

    private static void dirEntry(WireWriter w, DirEntry e) throws P9ProtocolException {
        w.qid(e.qid()); w.u64(e.offset()); w.u8(e.type()); w.string(e.name());
    }

    /** Errno for an Rlerror number, kept strict: a reply with a non-errno is malformed. */
    static Errno errno(WireReader r, int number) throws P9ProtocolException {
        Errno e = Errno.ofOr(number, null);
        if (e == null) {
            throw r.error(Reason.INVALID_ERRNO, Integer.toUnsignedString(number));
        }
        return e;
    }

    static List<DirEntry> dirEntries(WireReader r, int count) throws P9ProtocolException {
        if (count < 0 || count > r.remaining()) {
            throw r.error(Reason.TRUNCATED, "readdir count " + Integer.toUnsignedString(count));
        }
        int end = r.remaining() - count;
        List<DirEntry> entries = new ArrayList<>();
        while (r.remaining() > end) {
            Qid q = r.qid();
            long off = r.u64();
            int type = r.u8();
            String name = r.string();
            entries.add(new DirEntry(q, off, type, name));
        }
        if (r.remaining() != end) {
            throw r.error(Reason.TRUNCATED, "readdir entry crosses its count");
        }
        return entries;
    }
}
