package dev.jvisor.p9;

import java.util.ArrayList;
import java.util.List;

import static dev.jvisor.p9.P9ProtocolException.Reason;

/** Reads message bodies field by field; {@link P9Codec} checks the header and the frame's end. */
final class MessageDecoder {
    private MessageDecoder() {}

    static Tmessage request(MessageType type, WireReader r) throws P9ProtocolException {
        return switch (type) {
            case TVERSION -> new Tmessage.Version(r.u32(), r.string());
            case TATTACH -> new Tmessage.Attach(r.u32(), r.u32(), r.string(), r.string(), r.u32());
            case TWALK -> walk(r);
            case TLOPEN -> new Tmessage.Lopen(r.u32(), r.u32());
            case TLCREATE -> new Tmessage.Lcreate(r.u32(), r.string(), r.u32(), r.u32(), r.u32());
            case TREAD -> new Tmessage.Read(r.u32(), r.u64(), r.u32());
            case TWRITE -> new Tmessage.Write(r.u32(), r.u64(), r.bytes(r.u32()));
            case TCLUNK -> new Tmessage.Clunk(r.u32());
            case TREMOVE -> new Tmessage.Remove(r.u32());
            case TGETATTR -> new Tmessage.Getattr(r.u32(), r.u64());
            case TSETATTR -> new Tmessage.Setattr(r.u32(), new SetattrRequest(r.u32(), r.u32(), r.u32(), r.u32(),
                    r.u64(), r.u64(), r.u64(), r.u64(), r.u64()));
            case TREADDIR -> new Tmessage.Readdir(r.u32(), r.u64(), r.u32());
            case TMKDIR -> new Tmessage.Mkdir(r.u32(), r.string(), r.u32(), r.u32());
            case TMKNOD -> new Tmessage.Mknod(r.u32(), r.string(), r.u32(), r.u32(), r.u32(), r.u32());
            case TSYMLINK -> new Tmessage.Symlink(r.u32(), r.string(), r.string(), r.u32());
            case TLINK -> new Tmessage.Link(r.u32(), r.u32(), r.string());
            case TREADLINK -> new Tmessage.Readlink(r.u32());
            case TRENAMEAT -> new Tmessage.Renameat(r.u32(), r.string(), r.u32(), r.string());
            case TUNLINKAT -> new Tmessage.Unlinkat(r.u32(), r.string(), r.u32());
            case TSTATFS -> new Tmessage.Statfs(r.u32());
            case TFSYNC -> new Tmessage.Fsync(r.u32(), r.u32());
            case TFLUSH -> new Tmessage.Flush(r.u16());
            case TXATTRWALK -> new Tmessage.XattrWalk(r.u32(), r.u32(), r.string());
            case TXATTRCREATE -> new Tmessage.XattrCreate(r.u32(), r.string(), r.u64(), r.u32());
            case TLOCK -> new Tmessage.Lock(r.u32(), r.u8(), r.u32(), r.u64(), r.u64(), r.u32(), r.string());
            case TGETLOCK -> new Tmessage.GetLock(r.u32(), r.u8(), r.u64(), r.u64(), r.u32(), r.string());
            case TDONATEFD -> new Tmessage.DonateFd(r.u32(), r.u32());
            case TLISTDIR -> new Tmessage.Listdir(r.u32(), r.u64(), r.u32());
            case TWALKGETATTR -> {
                int fid = r.u32();
                int newFid = r.u32();
                long mask = r.u64();
                yield new Tmessage.WalkGetattr(fid, newFid, mask, walkNames(r));
            }
            default -> throw r.error(Reason.UNKNOWN_TYPE, "not a request: " + type);
        };
    }

    static Rmessage reply(MessageType type, WireReader r) throws P9ProtocolException {
        return switch (type) {
            case RLERROR -> new Rmessage.Lerror(P9Codec.errno(r, r.u32()));
            case RVERSION -> new Rmessage.Version(r.u32(), r.string());
            case RATTACH -> new Rmessage.Attach(r.qid());
            case RWALK -> walkReply(r);
            case RLOPEN -> new Rmessage.Lopen(r.qid(), r.u32());
            case RLCREATE -> new Rmessage.Lcreate(r.qid(), r.u32());
            case RREAD -> new Rmessage.Read(r.bytes(r.u32()));
            case RWRITE -> new Rmessage.Write(r.u32());
            case RCLUNK -> new Rmessage.Clunk();
            case RREMOVE -> new Rmessage.Remove();
            case RGETATTR -> new Rmessage.Getattr(attr(r));
            case RSETATTR -> new Rmessage.Setattr();
            case RREADDIR -> new Rmessage.Readdir(P9Codec.dirEntries(r, r.u32()));
            case RLISTDIR -> new Rmessage.Listdir(P9Codec.dirEntries(r, r.u32()));
            case RMKDIR -> new Rmessage.Mkdir(r.qid());
            case RMKNOD -> new Rmessage.Mknod(r.qid());
            case RSYMLINK -> new Rmessage.Symlink(r.qid());
            case RLINK -> new Rmessage.Link();
            case RREADLINK -> new Rmessage.Readlink(r.string());
            case RRENAMEAT -> new Rmessage.Renameat();
            case RUNLINKAT -> new Rmessage.Unlinkat();
            case RSTATFS -> new Rmessage.Statfs(new StatFs(r.u32(), r.u32(), r.u64(), r.u64(), r.u64(), r.u64(),
                    r.u64(), r.u64(), r.u32()));
            case RFSYNC -> new Rmessage.Fsync();
            case RFLUSH -> new Rmessage.Flush();
            case RXATTRWALK -> new Rmessage.XattrWalk(r.u64());
            case RXATTRCREATE -> new Rmessage.XattrCreate();
            case RLOCK -> new Rmessage.Lock(r.u8());
            case RGETLOCK -> new Rmessage.GetLock(r.u8(), r.u64(), r.u64(), r.u32(), r.string());
            case RDONATEFD -> new Rmessage.DonateFd(r.u64(), -1);
            case RWALKGETATTR -> {
                List<Qid> qids = walkReply(r).qids();
                int hasAttr = r.u8();
                if (hasAttr > 1) throw r.error(Reason.BAD_VALUE, "has_attr " + hasAttr);
                if (hasAttr == 0) yield new Rmessage.WalkGetattr(qids, null, "");
                Attr attr = attr(r);
                yield new Rmessage.WalkGetattr(qids, attr, r.string());
            }
            default -> throw r.error(Reason.UNKNOWN_TYPE, "not a reply: " + type);
        };
    }

    private static Attr attr(WireReader r) throws P9ProtocolException {
        return new Attr(r.u64(), r.qid(), r.u32(), r.u32(), r.u32(),
                r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64(),
                r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64());
    }

    private static Tmessage.Walk walk(WireReader r) throws P9ProtocolException {
        int fid = r.u32();
        int newFid = r.u32();
        return new Tmessage.Walk(fid, newFid, walkNames(r));
    }

    private static List<String> walkNames(WireReader r) throws P9ProtocolException {
        int n = r.u16();
        if (n > Message.MAX_WALK_ELEMENTS) {
            throw r.error(Reason.TOO_LONG, n + " walk names");
        }
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(r.string());
        }
        return names;
    }

    private static Rmessage.Walk walkReply(WireReader r) throws P9ProtocolException {
        int n = r.u16();
        if (n > Message.MAX_WALK_ELEMENTS) {
            throw r.error(Reason.TOO_LONG, n + " walk qids");
        }
        List<Qid> qids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            qids.add(r.qid());
        }
        return new Rmessage.Walk(qids);
    }
}
