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
        WireWriter w = new WireWriter(typeOf(message).code(), tag, sizeHint(message));
        switch (message) {
            case Tmessage.Version m -> { w.u32(m.msize()); w.string(m.version()); }
            case Tmessage.Attach m -> {
                w.u32(m.fid()); w.u32(m.afid()); w.string(m.uname()); w.string(m.aname()); w.u32(m.nUname());
            }
            case Tmessage.Walk m -> {
                w.u32(m.fid()); w.u32(m.newFid());
                walkNames(w, tag, m.names());
            }
            case Tmessage.WalkGetattr m -> {
                w.u32(m.fid()); w.u32(m.newFid()); w.u64(m.requestMask());
                walkNames(w, tag, m.names());
            }
            case Tmessage.Lopen m -> { w.u32(m.fid()); w.u32(m.flags()); }
            case Tmessage.Lcreate m -> {
                w.u32(m.fid()); w.string(m.name()); w.u32(m.flags()); w.u32(m.mode()); w.u32(m.gid());
            }
            case Tmessage.Read m -> { w.u32(m.fid()); w.u64(m.offset()); w.u32(m.count()); }
            case Tmessage.Write m -> { w.u32(m.fid()); w.u64(m.offset()); w.u32(m.data().length); w.bytes(m.data()); }
            case Tmessage.Clunk m -> w.u32(m.fid());
            case Tmessage.Remove m -> w.u32(m.fid());
            case Tmessage.Getattr m -> { w.u32(m.fid()); w.u64(m.requestMask()); }
            case Tmessage.Setattr m -> { w.u32(m.fid()); setattr(w, m.attr()); }
            case Tmessage.Readdir m -> { w.u32(m.fid()); w.u64(m.offset()); w.u32(m.count()); }
            case Tmessage.Listdir m -> { w.u32(m.fid()); w.u64(m.offset()); w.u32(m.count()); }
            case Tmessage.Mkdir m -> { w.u32(m.dirFid()); w.string(m.name()); w.u32(m.mode()); w.u32(m.gid()); }
            case Tmessage.Mknod m -> {
                w.u32(m.dirFid()); w.string(m.name()); w.u32(m.mode()); w.u32(m.major()); w.u32(m.minor());
                w.u32(m.gid());
            }
            case Tmessage.Symlink m -> { w.u32(m.dirFid()); w.string(m.name()); w.string(m.target()); w.u32(m.gid()); }
            case Tmessage.Link m -> { w.u32(m.dirFid()); w.u32(m.fid()); w.string(m.name()); }
            case Tmessage.Readlink m -> w.u32(m.fid());
            case Tmessage.Renameat m -> {
                w.u32(m.oldDirFid()); w.string(m.oldName()); w.u32(m.newDirFid()); w.string(m.newName());
            }
            case Tmessage.Unlinkat m -> { w.u32(m.dirFid()); w.string(m.name()); w.u32(m.flags()); }
            case Tmessage.Statfs m -> w.u32(m.fid());
            case Tmessage.Fsync m -> { w.u32(m.fid()); w.u32(m.datasync()); }
            case Tmessage.Flush m -> w.u16(m.oldTag());
            case Tmessage.XattrWalk m -> { w.u32(m.fid()); w.u32(m.newFid()); w.string(m.name()); }
            case Tmessage.XattrCreate m -> { w.u32(m.fid()); w.string(m.name()); w.u64(m.size()); w.u32(m.flags()); }
            case Tmessage.Lock m -> {
                w.u32(m.fid()); w.u8(m.type()); w.u32(m.flags()); w.u64(m.start()); w.u64(m.length());
                w.u32(m.procId()); w.string(m.clientId());
            }
            case Tmessage.GetLock m -> {
                w.u32(m.fid()); w.u8(m.type()); w.u64(m.start()); w.u64(m.length()); w.u32(m.procId());
                w.string(m.clientId());
            }
            case Tmessage.DonateFd m -> { w.u32(m.fid()); w.u32(m.flags()); }
            case Rmessage.DonateFd m -> w.u64(m.size());   // the descriptor goes beside the frame
            case Rmessage.Lerror m -> w.u32(m.errno().number());
            case Rmessage.Version m -> { w.u32(m.msize()); w.string(m.version()); }
            case Rmessage.Attach m -> w.qid(m.qid());
            case Rmessage.Walk m -> walkQids(w, tag, m.qids());
            case Rmessage.WalkGetattr m -> {
                walkQids(w, tag, m.qids());
                w.u8(m.attr() == null ? 0 : 1);
                if (m.attr() != null) {
                    attr(w, m.attr());
                    w.string(m.target());
                }
            }
            case Rmessage.Lopen m -> { w.qid(m.qid()); w.u32(m.iounit()); }
            case Rmessage.Lcreate m -> { w.qid(m.qid()); w.u32(m.iounit()); }
            case Rmessage.Read m -> { w.u32(m.data().length); w.bytes(m.data()); }
            case Rmessage.Write m -> w.u32(m.count());
            case Rmessage.Getattr m -> attr(w, m.attr());
            case Rmessage.Readdir m -> dirEntries(w, m.entries());
            case Rmessage.Listdir m -> dirEntries(w, m.entries());
            case Rmessage.Mkdir m -> w.qid(m.qid());
            case Rmessage.Mknod m -> w.qid(m.qid());
            case Rmessage.Symlink m -> w.qid(m.qid());
            case Rmessage.Readlink m -> w.string(m.target());
            case Rmessage.Statfs m -> statfs(w, m.statfs());
            case Rmessage.XattrWalk m -> w.u64(m.size());
            case Rmessage.Lock m -> w.u8(m.status());
            case Rmessage.GetLock m -> {
                w.u8(m.type()); w.u64(m.start()); w.u64(m.length()); w.u32(m.procId()); w.string(m.clientId());
            }
            case Rmessage.Clunk m -> { }
            case Rmessage.Remove m -> { }
            case Rmessage.Setattr m -> { }
            case Rmessage.Link m -> { }
            case Rmessage.Renameat m -> { }
            case Rmessage.Unlinkat m -> { }
            case Rmessage.Fsync m -> { }
            case Rmessage.Flush m -> { }
            case Rmessage.XattrCreate m -> { }
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

    static MessageType typeOf(Message m) {
        return switch (m) {
            case Tmessage.Version x -> MessageType.TVERSION;
            case Tmessage.Attach x -> MessageType.TATTACH;
            case Tmessage.Walk x -> MessageType.TWALK;
            case Tmessage.Lopen x -> MessageType.TLOPEN;
            case Tmessage.Lcreate x -> MessageType.TLCREATE;
            case Tmessage.Read x -> MessageType.TREAD;
            case Tmessage.Write x -> MessageType.TWRITE;
            case Tmessage.Clunk x -> MessageType.TCLUNK;
            case Tmessage.Remove x -> MessageType.TREMOVE;
            case Tmessage.Getattr x -> MessageType.TGETATTR;
            case Tmessage.Setattr x -> MessageType.TSETATTR;
            case Tmessage.Readdir x -> MessageType.TREADDIR;
            case Tmessage.Mkdir x -> MessageType.TMKDIR;
            case Tmessage.Mknod x -> MessageType.TMKNOD;
            case Tmessage.Symlink x -> MessageType.TSYMLINK;
            case Tmessage.Link x -> MessageType.TLINK;
            case Tmessage.Readlink x -> MessageType.TREADLINK;
            case Tmessage.Renameat x -> MessageType.TRENAMEAT;
            case Tmessage.Unlinkat x -> MessageType.TUNLINKAT;
            case Tmessage.Statfs x -> MessageType.TSTATFS;
            case Tmessage.Fsync x -> MessageType.TFSYNC;
            case Tmessage.Flush x -> MessageType.TFLUSH;
            case Tmessage.XattrWalk x -> MessageType.TXATTRWALK;
            case Tmessage.XattrCreate x -> MessageType.TXATTRCREATE;
            case Tmessage.Lock x -> MessageType.TLOCK;
            case Tmessage.GetLock x -> MessageType.TGETLOCK;
            case Tmessage.DonateFd x -> MessageType.TDONATEFD;
            case Tmessage.WalkGetattr x -> MessageType.TWALKGETATTR;
            case Tmessage.Listdir x -> MessageType.TLISTDIR;
            case Rmessage.Listdir x -> MessageType.RLISTDIR;
            case Rmessage.WalkGetattr x -> MessageType.RWALKGETATTR;
            case Rmessage.DonateFd x -> MessageType.RDONATEFD;
            case Rmessage.Lerror x -> MessageType.RLERROR;
            case Rmessage.Version x -> MessageType.RVERSION;
            case Rmessage.Attach x -> MessageType.RATTACH;
            case Rmessage.Walk x -> MessageType.RWALK;
            case Rmessage.Lopen x -> MessageType.RLOPEN;
            case Rmessage.Lcreate x -> MessageType.RLCREATE;
            case Rmessage.Read x -> MessageType.RREAD;
            case Rmessage.Write x -> MessageType.RWRITE;
            case Rmessage.Clunk x -> MessageType.RCLUNK;
            case Rmessage.Remove x -> MessageType.RREMOVE;
            case Rmessage.Getattr x -> MessageType.RGETATTR;
            case Rmessage.Setattr x -> MessageType.RSETATTR;
            case Rmessage.Readdir x -> MessageType.RREADDIR;
            case Rmessage.Mkdir x -> MessageType.RMKDIR;
            case Rmessage.Mknod x -> MessageType.RMKNOD;
            case Rmessage.Symlink x -> MessageType.RSYMLINK;
            case Rmessage.Link x -> MessageType.RLINK;
            case Rmessage.Readlink x -> MessageType.RREADLINK;
            case Rmessage.Renameat x -> MessageType.RRENAMEAT;
            case Rmessage.Unlinkat x -> MessageType.RUNLINKAT;
            case Rmessage.Statfs x -> MessageType.RSTATFS;
            case Rmessage.Fsync x -> MessageType.RFSYNC;
            case Rmessage.Flush x -> MessageType.RFLUSH;
            case Rmessage.XattrWalk x -> MessageType.RXATTRWALK;
            case Rmessage.XattrCreate x -> MessageType.RXATTRCREATE;
            case Rmessage.Lock x -> MessageType.RLOCK;
            case Rmessage.GetLock x -> MessageType.RGETLOCK;
        };
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
        return switch (m) {
            case Tmessage.Write w -> HEADER_SIZE + 16 + w.data().length;
            case Rmessage.Read r -> IO_HEADER_SIZE + r.data().length;
            default -> 64;
        };
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
