package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.util.List;

/**
 * The file one fid names, as a {@link FileServer} implements it. {@link P9Server} owns the fid
 * table: it validates names, tracks which fids are open, keeps a node alive while a request uses
 * it and calls {@link #close()} exactly once when the fid is clunked and no request holds it.
 *
 * <p>Names passed in are single path components, never empty, {@code "."}, {@code ".."} or
 * containing {@code '/'}. Operations a file server does not support fail with EOPNOTSUPP, as they
 * do on a Linux filesystem.
 */
public interface FileNode {
    Qid qid();

    /** The child {@code name} of this directory, as a new node (this one is unchanged). */
    FileNode walk(String name) throws ErrnoException;

    /** A new node for the same file, for a zero-length walk. */
    FileNode duplicate() throws ErrnoException;

    /** Opens this file with {@code open(2)} flags; reads and writes follow. */
    default Qid open(int flags) throws ErrnoException {
        throw unsupported("open");
    }

    /** Creates {@code name} in this directory and returns it, opened with {@code flags}. */
    default FileNode create(String name, int flags, int mode, int gid) throws ErrnoException {
        throw unsupported("create");
    }

    /** Up to {@code count} bytes at {@code offset}; fewer (or none) at end of file. */
    default byte[] read(long offset, int count) throws ErrnoException {
        throw unsupported("read");
    }

    /** Writes {@code data} at {@code offset}, returning how many bytes were written. */
    default int write(long offset, byte[] data) throws ErrnoException {
        throw unsupported("write");
    }

    default Attr getattr(long requestMask) throws ErrnoException {
        throw unsupported("getattr");
    }

    /**
     * {@link #getattr} of a node {@link #walk} has just made (not a {@link #duplicate}), for
     * Twalkgetattr: a node that read its file's attributes while walking to it may answer with
     * those instead of asking again.
     */
    default Attr getattrAfterWalk(long requestMask) throws ErrnoException {
        return getattr(requestMask);
    }

    default void setattr(SetattrRequest request) throws ErrnoException {
        throw unsupported("setattr");
    }

    /**
     * Directory entries after cookie {@code offset} (0: from the start). The server packs as many
     * as fit the request; each entry's offset is the cookie that continues after it.
     */
    default List<DirEntry> readdir(long offset, int maxEntries) throws ErrnoException {
        throw unsupported("readdir");
    }

    default Qid mkdir(String name, int mode, int gid) throws ErrnoException {
        throw unsupported("mkdir");
    }

    default Qid mknod(String name, int mode, int major, int minor, int gid) throws ErrnoException {
        throw unsupported("mknod");
    }

    default Qid symlink(String name, String target, int gid) throws ErrnoException {
        throw unsupported("symlink");
    }

    /** Makes {@code name} in this directory a hard link to {@code target}. */
    default void link(FileNode target, String name) throws ErrnoException {
        throw unsupported("link");
    }

    default String readlink() throws ErrnoException {
        throw unsupported("readlink");
    }

    default void renameat(String oldName, FileNode newDir, String newName) throws ErrnoException {
        throw unsupported("renameat");
    }

    default void unlinkat(String name, int flags) throws ErrnoException {
        throw unsupported("unlinkat");
    }

    /** Removes the file this node names (Tremove). */
    default void remove() throws ErrnoException {
        throw unsupported("remove");
    }

    default StatFs statfs() throws ErrnoException {
        throw unsupported("statfs");
    }

    default void fsync(boolean dataOnly) throws ErrnoException {
        throw unsupported("fsync");
    }

    /** A POSIX record lock request; returns a {@link LockConstants}{@code .LOCK_*} status. */
    default int lock(int type, int flags, long start, long length, int procId, String clientId)
            throws ErrnoException {
        throw unsupported("lock");
    }

    /** The first lock that would conflict with the described one, or it back with type UNLCK. */
    default Rmessage.GetLock getlock(int type, long start, long length, int procId, String clientId)
            throws ErrnoException {
        throw unsupported("getlock");
    }

    /** A node reading attribute {@code name} (empty: the name list), and the value's size. */
    default XattrReader xattrWalk(String name) throws ErrnoException {
        throw unsupported("xattrwalk");
    }

    /** The node that, written to and then closed, sets attribute {@code name} on this file. */
    default FileNode xattrCreate(String name, long size, int flags) throws ErrnoException {
        throw unsupported("xattrcreate");
    }

    /**
     * jVisor's Tdonatefd: a new read-only host descriptor of this regular file, which the server
     * sends to the client and then closes. Servers that cannot lend descriptors keep the default,
     * EOPNOTSUPP, and the client reads with Tread.
     */
    default ReadOnlyFd donateReadOnly() throws ErrnoException {
        throw unsupported("donatefd");
    }

    /** Releases what the node holds; called once, when no request uses it any more. */
    void close();

    /** The result of {@link #donateReadOnly}: a descriptor the caller owns, and the file's size. */
    record ReadOnlyFd(int fd, long size) {}

    /** The result of {@link #xattrWalk}: the reading node and the value's length. */
    record XattrReader(FileNode node, long size) {}

    private static ErrnoException unsupported(String op) {
        return new ErrnoException(Errno.EOPNOTSUPP, op);
    }
}
