package dev.jvisor.p9;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The 9P2000.L requests jVisor speaks, one record per message, fields in wire order. Unsigned
 * 32-bit wire fields are Java {@code int}s (fids, counts) and 64-bit ones {@code long}s; the
 * codec enforces the protocol's limits, not these constructors, except where an invariant makes a
 * message unencodable.
 */
public sealed interface Tmessage extends Message {

    /** Negotiates the maximum message size and protocol; must be the first request. */
    record Version(int msize, String version) implements Tmessage {}

    /** Binds {@code fid} to the root of the tree named {@code aname}. */
    record Attach(int fid, int afid, String uname, String aname, int nUname) implements Tmessage {}

    /** Walks {@code names} from {@code fid}; on full success {@code newFid} names the result. */
    record Walk(int fid, int newFid, List<String> names) implements Tmessage {
        public Walk {
            names = List.copyOf(names);
        }
    }

    /** Opens the file {@code fid} names, with Linux {@code open(2)} flags. */
    record Lopen(int fid, int flags) implements Tmessage {}

    /** Creates and opens {@code name} in directory {@code fid}; the fid then names the new file. */
    record Lcreate(int fid, String name, int flags, int mode, int gid) implements Tmessage {}

    record Read(int fid, long offset, int count) implements Tmessage {}

    record Write(int fid, long offset, byte[] data) implements Tmessage {
        public Write {
            Objects.requireNonNull(data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Write w && w.fid == fid && w.offset == offset && Arrays.equals(w.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(fid, offset, Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "Write[fid=" + fid + ", offset=" + offset + ", count=" + data.length + "]";
        }
    }

    record Clunk(int fid) implements Tmessage {}

    record Remove(int fid) implements Tmessage {}

    /** {@code requestMask} is a set of {@link Attr}{@code .GETATTR_*} bits. */
    record Getattr(int fid, long requestMask) implements Tmessage {}

    /** {@code valid} is a set of {@link SetattrRequest}{@code .ATTR_*} bits saying which fields apply. */
    record Setattr(int fid, SetattrRequest attr) implements Tmessage {}

    record Readdir(int fid, long offset, int count) implements Tmessage {}

    /**
     * jVisor's extension: {@link Readdir} of the directory {@code fid} names, which need not be
     * open (the server opens and closes the directory itself), answered by {@link Rmessage.Listdir}.
     * Listing a directory kept for walks otherwise costs a Twalk to clone the fid, a Tlopen and a
     * Tclunk besides the Treaddir. On the wire as Treaddir: {@code fid[4] offset[8] count[4]}.
     */
    record Listdir(int fid, long offset, int count) implements Tmessage {}

    record Mkdir(int dirFid, String name, int mode, int gid) implements Tmessage {}

    record Mknod(int dirFid, String name, int mode, int major, int minor, int gid) implements Tmessage {}

    record Symlink(int dirFid, String name, String target, int gid) implements Tmessage {}

    /** Makes {@code name} in directory {@code dirFid} a hard link to the file {@code fid} names. */
    record Link(int dirFid, int fid, String name) implements Tmessage {}

    record Readlink(int fid) implements Tmessage {}

    record Renameat(int oldDirFid, String oldName, int newDirFid, String newName) implements Tmessage {}

    /** {@code flags} is 0 or {@code AT_REMOVEDIR}. */
    record Unlinkat(int dirFid, String name, int flags) implements Tmessage {}

    record Statfs(int fid) implements Tmessage {}

    record Fsync(int fid, int datasync) implements Tmessage {}

    /** Asks the server to abandon the request with tag {@code oldTag}. */
    record Flush(int oldTag) implements Tmessage {}

    /** Makes {@code newFid} a reader of attribute {@code name} of {@code fid} (empty name: the list). */
    record XattrWalk(int fid, int newFid, String name) implements Tmessage {}

    /** Turns {@code fid} into a writer of attribute {@code name}; the value is set on clunk. */
    record XattrCreate(int fid, String name, long size, int flags) implements Tmessage {}

    record Lock(int fid, int type, int flags, long start, long length, int procId, String clientId)
            implements Tmessage {}

    record GetLock(int fid, int type, long start, long length, int procId, String clientId)
            implements Tmessage {}

    /**
     * jVisor's extension: asks for a read-only host descriptor of the regular file {@code fid}
     * names (walked, open or not). The answer, {@link Rmessage.DonateFd}, carries it beside the
     * frame as SCM_RIGHTS data. With {@link #RELEASE} in {@code flags} the server also clunks
     * {@code fid}, whether or not it lent a descriptor: a fid walked only to borrow a descriptor
     * costs no Tclunk of its own. Other flag bits are refused (EINVAL, the fid untouched). On the
     * wire: {@code fid[4] flags[4]}.
     */
    record DonateFd(int fid, int flags) implements Tmessage {
        /** Clunk {@code fid} once the request is carried out, as Tremove does. */
        public static final int RELEASE = 1;

        /** Lends a descriptor and leaves the fid as it was. */
        public DonateFd(int fid) {
            this(fid, 0);
        }
    }

    /**
     * jVisor's extension: {@link Walk} and, when every name was walked, {@link Getattr} of
     * {@code newFid} with {@code requestMask}, answered together by {@link Rmessage.WalkGetattr}.
     * A first look at a file is a walk followed by a getattr (9P2000.L has no message for both):
     * this halves its round trips. On the wire: {@code fid[4] newfid[4] request_mask[8]
     * nwname[2] nwname*(wname[s])}.
     */
    record WalkGetattr(int fid, int newFid, long requestMask, List<String> names) implements Tmessage {
        /**
         * Not an attribute: a {@code requestMask} bit asking the server to keep {@code newFid}
         * bound only when the walk reached a directory or a regular file (what a client walks from
         * or opens). A symbolic link, device, FIFO or socket is answered with its attributes (and
         * a link with its target) and leaves {@code newFid} free, which saves the Tclunk a client
         * that only looked would send. Ignored when {@code newFid} is {@code fid}.
         */
        public static final long ONLY_DIRS_AND_FILES = 1L << 63;

        /**
         * Whether a walk asked with {@code requestMask} keeps the new fid bound for a file with
         * {@code attr}: the rule the server follows and the client counts on.
         */
        public static boolean keepsFid(long requestMask, Attr attr) {
            if ((requestMask & ONLY_DIRS_AND_FILES) == 0) return true;
            int type = attr.mode() & dev.jvisor.abi.FileMode.S_IFMT;
            return type == dev.jvisor.abi.FileMode.S_IFDIR || type == dev.jvisor.abi.FileMode.S_IFREG;
        }

        public WalkGetattr {
            names = List.copyOf(names);
        }
    }
}
