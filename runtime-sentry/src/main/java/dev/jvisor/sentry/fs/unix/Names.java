package dev.jvisor.sentry.fs.unix;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where bound sockets can be found: abstract names (a leading NUL) in a sandbox-wide table,
 * path names as socket inodes in the file tree.
 */
public final class Names {
    private Names() {}

    private static final Map<String, UnixSocket> ABSTRACT = new ConcurrentHashMap<>();

    /** The inode a path-bound socket leaves in its directory; connecting through it reaches the socket. */
    public static final class SocketNode extends Inode {
        private volatile UnixSocket socket;

        SocketNode(FileSystem fs, int perm, int uid, int gid, UnixSocket socket) {
            super(fs, FileMode.S_IFSOCK | (perm & 07777), uid, gid);
            this.socket = socket;
        }

        public UnixSocket socket() { return socket; }

        @Override
        public long size() { return 0; }

        @Override
        public OpenFile open(Location loc, String path, int flags) {
            throw Errno.ENXIO.exception();
        }
    }

    public static void bindAbstract(String name, UnixSocket s) {
        if (ABSTRACT.putIfAbsent(name, s) != null) throw Errno.EADDRINUSE.exception();
        try {
            s.bound("\0" + name);
        } catch (RuntimeException e) {
            ABSTRACT.remove(name, s);
            throw e;
        }
    }

    /** Where autobind's names start their search; each autobind takes the next. */
    private static final java.util.concurrent.atomic.AtomicInteger AUTOBIND = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * bind(2) given only the family: an unused name of five hex digits in the abstract namespace
     * (net/unix/af_unix.c unix_autobind); a socket that has a name keeps it.
     */
    public static void autobind(UnixSocket s) {
        if (s.boundName() != null) return;
        for (int tries = 0; tries <= 0xfffff; tries++) {
            String name = String.format("%05x", AUTOBIND.getAndIncrement() & 0xfffff);
            if (ABSTRACT.putIfAbsent(name, s) != null) continue;
            try {
                s.bound("\0" + name);
            } catch (RuntimeException e) {
                ABSTRACT.remove(name, s);
                throw e;
            }
            return;
        }
        throw Errno.ENOSPC.exception();
    }

    public static void bindPath(DirInode dir, String name, String path, int perm, int uid, int gid, UnixSocket s) {
        if (dir.lookup(name) != null) throw Errno.EADDRINUSE.exception();
        s.bound(path);
        dir.link(name, new SocketNode(dir.fs(), perm, uid, gid, s));
    }

    public static UnixSocket lookupAbstract(String name) {
        UnixSocket s = ABSTRACT.get(name);
        if (s == null) throw Errno.ECONNREFUSED.exception();
        return s;
    }

    public static UnixSocket lookupPath(Inode node) {
        if (!(node instanceof SocketNode sn)) throw Errno.ECONNREFUSED.exception();
        UnixSocket s = sn.socket();
        if (s == null) throw Errno.ECONNREFUSED.exception();
        return s;
    }

    static void unbind(UnixSocket s) {
        String n = s.boundName();
        if (n != null && n.startsWith("\0")) ABSTRACT.remove(n.substring(1), s);
    }
}
