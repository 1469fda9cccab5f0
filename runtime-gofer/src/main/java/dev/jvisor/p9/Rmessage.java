package dev.jvisor.p9;

import dev.jvisor.abi.Errno;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** The 9P2000.L replies, one record per message, fields in wire order. */
public sealed interface Rmessage extends Message {

    /** The request failed with a Linux errno. */
    record Lerror(Errno errno) implements Rmessage {
        public Lerror {
            Objects.requireNonNull(errno);
        }
    }

    record Version(int msize, String version) implements Rmessage {}

    record Attach(Qid qid) implements Rmessage {}

    /** One qid per name walked; fewer than requested means the walk stopped early. */
    record Walk(List<Qid> qids) implements Rmessage {
        public Walk {
            qids = List.copyOf(qids);
        }
    }

    record Lopen(Qid qid, int iounit) implements Rmessage {}

    record Lcreate(Qid qid, int iounit) implements Rmessage {}

    record Read(byte[] data) implements Rmessage {
        public Read {
            Objects.requireNonNull(data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Read r && Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Read[count=" + data.length + "]";
        }
    }

    record Write(int count) implements Rmessage {}

    record Clunk() implements Rmessage {}

    record Remove() implements Rmessage {}

    record Getattr(Attr attr) implements Rmessage {}

    record Setattr() implements Rmessage {}

    /** Entries in order; the server fits as many as the request's count allows. */
    record Readdir(List<DirEntry> entries) implements Rmessage {
        public Readdir {
            entries = List.copyOf(entries);
        }
    }

    /** jVisor's extension: the answer to {@link Tmessage.Listdir}, on the wire as {@link Readdir}. */
    record Listdir(List<DirEntry> entries) implements Rmessage {
        public Listdir {
            entries = List.copyOf(entries);
        }
    }

    record Mkdir(Qid qid) implements Rmessage {}

    record Mknod(Qid qid) implements Rmessage {}

    record Symlink(Qid qid) implements Rmessage {}

    record Link() implements Rmessage {}

    record Readlink(String target) implements Rmessage {}

    record Renameat() implements Rmessage {}

    record Unlinkat() implements Rmessage {}

    record Statfs(StatFs statfs) implements Rmessage {}

    record Fsync() implements Rmessage {}

    record Flush() implements Rmessage {}

    /** {@code size} is the attribute value's (or list's) length, readable from the new fid. */
    record XattrWalk(long size) implements Rmessage {}

    record XattrCreate() implements Rmessage {}

    /** {@code status} is one of {@link LockConstants}{@code .LOCK_*}. */
    record Lock(int status) implements Rmessage {}

    record GetLock(int type, long start, long length, int procId, String clientId) implements Rmessage {}

    /**
     * jVisor's extension: the answer to {@link Tmessage.DonateFd}. On the wire only
     * {@code size[8]}, the file's size when the descriptor was opened; the descriptor itself
     * travels as SCM_RIGHTS ancillary data sent with the frame's bytes. {@code fd} is that
     * descriptor in this process (-1 in a frame just decoded, before the client pairs it), owned
     * by whoever holds the message: the server closes it once sent, the client hands it on.
     */
    record DonateFd(long size, int fd) implements Rmessage {}

    /**
     * jVisor's extension: the answer to {@link Tmessage.WalkGetattr}. {@code qids} as
     * {@link Walk}'s; {@code attr} is what {@link Getattr} would answer for the new fid when the
     * walk reached every name, else null (a partial walk, which binds no fid). {@code target} is
     * what {@link Readlink} would answer when that is a symbolic link, else empty (also when the
     * server could not read it: a link's target is never empty). On the wire:
     * {@code nwqid[2] nwqid*(qid[13]) has_attr[1]} and, when {@code has_attr} is 1, the body of
     * Rgetattr and {@code target[s]}.
     */
    record WalkGetattr(List<Qid> qids, Attr attr, String target) implements Rmessage {
        public WalkGetattr {
            qids = List.copyOf(qids);
            target = attr == null ? "" : java.util.Objects.requireNonNull(target);
        }
    }
}
