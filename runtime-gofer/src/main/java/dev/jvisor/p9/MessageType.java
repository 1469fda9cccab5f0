package dev.jvisor.p9;

import java.util.Map;

/**
 * 9P2000.L message type numbers as they appear on the wire (the {@code type[1]} header byte),
 * from the Linux kernel's {@code include/net/9p/9p.h} ({@code enum p9_msg_t}). Every R-message
 * number is its T-message number plus one.
 *
 * <p>{@link #TDONATEFD}/{@link #RDONATEFD}, {@link #TWALKGETATTR}/{@link #RWALKGETATTR} and
 * {@link #TLISTDIR}/{@link #RLISTDIR} are jVisor's extensions, numbered above every 9P2000,
 * 9P2000.u and 9P2000.L type (the highest, Rwstat, is 127): a server that does not know them
 * answers Rlerror, and the client falls back to Tread, to Twalk and Tgetattr, or to Treaddir of
 * an opened fid.
 */
public enum MessageType {
    TLERROR(6), RLERROR(7),
    TSTATFS(8), RSTATFS(9),
    TLOPEN(12), RLOPEN(13),
    TLCREATE(14), RLCREATE(15),
    TSYMLINK(16), RSYMLINK(17),
    TMKNOD(18), RMKNOD(19),
    TREADLINK(22), RREADLINK(23),
    TGETATTR(24), RGETATTR(25),
    TSETATTR(26), RSETATTR(27),
    TXATTRWALK(30), RXATTRWALK(31),
    TXATTRCREATE(32), RXATTRCREATE(33),
    TREADDIR(40), RREADDIR(41),
    TFSYNC(50), RFSYNC(51),
    TLOCK(52), RLOCK(53),
    TGETLOCK(54), RGETLOCK(55),
    TLINK(70), RLINK(71),
    TMKDIR(72), RMKDIR(73),
    TRENAMEAT(74), RRENAMEAT(75),
    TUNLINKAT(76), RUNLINKAT(77),
    TVERSION(100), RVERSION(101),
    TATTACH(104), RATTACH(105),
    TFLUSH(108), RFLUSH(109),
    TWALK(110), RWALK(111),
    TREAD(116), RREAD(117),
    TWRITE(118), RWRITE(119),
    TCLUNK(120), RCLUNK(121),
    TREMOVE(122), RREMOVE(123),
    /** jVisor: lend the client a read-only host descriptor of a regular file (SCM_RIGHTS). */
    TDONATEFD(240), RDONATEFD(241),
    /** jVisor: walk, and read the attributes of what the walk reached, in one round trip. */
    TWALKGETATTR(242), RWALKGETATTR(243),
    /** jVisor: list a directory a fid names without opening that fid (Treaddir's answer). */
    TLISTDIR(244), RLISTDIR(245);

    private static final MessageType[] BY_CODE = new MessageType[256];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type of each message record (a map, not a pattern switch: see P9Codec.encode). */
    private static final class ByClass {
        static final Map<Class<?>, MessageType> TYPES = Map.ofEntries(
            Map.entry(Tmessage.Version.class, TVERSION),
            Map.entry(Tmessage.Attach.class, TATTACH),
            Map.entry(Tmessage.Walk.class, TWALK),
            Map.entry(Tmessage.Lopen.class, TLOPEN),
            Map.entry(Tmessage.Lcreate.class, TLCREATE),
            Map.entry(Tmessage.Read.class, TREAD),
            Map.entry(Tmessage.Write.class, TWRITE),
            Map.entry(Tmessage.Clunk.class, TCLUNK),
            Map.entry(Tmessage.Remove.class, TREMOVE),
            Map.entry(Tmessage.Getattr.class, TGETATTR),
            Map.entry(Tmessage.Setattr.class, TSETATTR),
            Map.entry(Tmessage.Readdir.class, TREADDIR),
            Map.entry(Tmessage.Mkdir.class, TMKDIR),
            Map.entry(Tmessage.Mknod.class, TMKNOD),
            Map.entry(Tmessage.Symlink.class, TSYMLINK),
            Map.entry(Tmessage.Link.class, TLINK),
            Map.entry(Tmessage.Readlink.class, TREADLINK),
            Map.entry(Tmessage.Renameat.class, TRENAMEAT),
            Map.entry(Tmessage.Unlinkat.class, TUNLINKAT),
            Map.entry(Tmessage.Statfs.class, TSTATFS),
            Map.entry(Tmessage.Fsync.class, TFSYNC),
            Map.entry(Tmessage.Flush.class, TFLUSH),
            Map.entry(Tmessage.XattrWalk.class, TXATTRWALK),
            Map.entry(Tmessage.XattrCreate.class, TXATTRCREATE),
            Map.entry(Tmessage.Lock.class, TLOCK),
            Map.entry(Tmessage.GetLock.class, TGETLOCK),
            Map.entry(Tmessage.DonateFd.class, TDONATEFD),
            Map.entry(Tmessage.WalkGetattr.class, TWALKGETATTR),
            Map.entry(Tmessage.Listdir.class, TLISTDIR),
            Map.entry(Rmessage.Listdir.class, RLISTDIR),
            Map.entry(Rmessage.WalkGetattr.class, RWALKGETATTR),
            Map.entry(Rmessage.DonateFd.class, RDONATEFD),
            Map.entry(Rmessage.Lerror.class, RLERROR),
            Map.entry(Rmessage.Version.class, RVERSION),
            Map.entry(Rmessage.Attach.class, RATTACH),
            Map.entry(Rmessage.Walk.class, RWALK),
            Map.entry(Rmessage.Lopen.class, RLOPEN),
            Map.entry(Rmessage.Lcreate.class, RLCREATE),
            Map.entry(Rmessage.Read.class, RREAD),
            Map.entry(Rmessage.Write.class, RWRITE),
            Map.entry(Rmessage.Clunk.class, RCLUNK),
            Map.entry(Rmessage.Remove.class, RREMOVE),
            Map.entry(Rmessage.Getattr.class, RGETATTR),
            Map.entry(Rmessage.Setattr.class, RSETATTR),
            Map.entry(Rmessage.Readdir.class, RREADDIR),
            Map.entry(Rmessage.Mkdir.class, RMKDIR),
            Map.entry(Rmessage.Mknod.class, RMKNOD),
            Map.entry(Rmessage.Symlink.class, RSYMLINK),
            Map.entry(Rmessage.Link.class, RLINK),
            Map.entry(Rmessage.Readlink.class, RREADLINK),
            Map.entry(Rmessage.Renameat.class, RRENAMEAT),
            Map.entry(Rmessage.Unlinkat.class, RUNLINKAT),
            Map.entry(Rmessage.Statfs.class, RSTATFS),
            Map.entry(Rmessage.Fsync.class, RFSYNC),
            Map.entry(Rmessage.Flush.class, RFLUSH),
            Map.entry(Rmessage.XattrWalk.class, RXATTRWALK),
            Map.entry(Rmessage.XattrCreate.class, RXATTRCREATE),
            Map.entry(Rmessage.Lock.class, RLOCK),
            Map.entry(Rmessage.GetLock.class, RGETLOCK));
    }

    /** The wire type of a message record class, or null for a class that is no message. */
    static MessageType of(Class<?> messageClass) {
        return ByClass.TYPES.get(messageClass);
    }

    /** The type with this wire code, or null when jVisor does not speak it. */
    public static MessageType ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
