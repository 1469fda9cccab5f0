package dev.jvisor.gofer;

import dev.jvisor.abi.AtFlags;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.FileMode;
import dev.jvisor.abi.OpenFlags;
import dev.jvisor.p9.Attr;
import dev.jvisor.p9.DirEntry;
import dev.jvisor.p9.FileNode;
import dev.jvisor.p9.Qid;
import dev.jvisor.p9.Rmessage;
import dev.jvisor.p9.SetattrRequest;
import dev.jvisor.p9.StatFs;

import java.util.List;

/**
 * A host file as one fid sees it. The node holds an O_PATH|O_NOFOLLOW descriptor for the file
 * (and one for its parent directory), obtained by walking one name at a time from the mount root
 * with {@link GoferMount#RESOLVE}; every later operation goes through those descriptors and
 * never resolves a path string again, so renames and symlink swaps on the host side cannot
 * redirect it outside the tree.
 */
final class GoferNode implements FileNode {
    // utimensat special nanoseconds, <linux/stat.h>.
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private final GoferMount mount;
    private final HostFd path;
    private final HostFd parent;
    private final String name;
    private final HostStat stat;
    /** Who files this node creates belong to (the attach's n_uname), or -1 to leave them as made. */
    private final int ownerUid;
    private final DirectoryReader directory = new DirectoryReader(this);
    private volatile int openFd = -1;

    GoferNode(GoferMount mount, HostFd path, HostFd parent, String name, HostStat stat, int ownerUid) {
        this.mount = mount;
        this.path = path;
        this.parent = parent;
        this.name = name;
        this.stat = stat;
        this.ownerUid = ownerUid;
    }

    /** The root node of {@code mount}, creating files for {@code ownerUid} (-1: as the Gofer). */
    static GoferNode root(GoferMount mount, int ownerUid) throws ErrnoException {
        HostFd root = mount.root().retain();
        try {
            return new GoferNode(mount, root, null, null, Native.fstat(root.fd()), ownerUid);
        } catch (ErrnoException | RuntimeException e) {
            root.release();
            throw e;
        }
    }

    int pathFd() {
        return path.fd();
    }

    int parentFd() {
        return parent == null ? -1 : parent.fd();
    }

    String name() {
        return name;
    }

    HostStat stat() {
        return stat;
    }

    GoferMount mount() {
        return mount;
    }

    int openFd() throws ErrnoException {
        int fd = openFd;
        if (fd < 0) {
            throw new ErrnoException(Errno.EBADF, "not open");
        }
        return fd;
    }

    @Override
    public Qid qid() {
        return qidOf(stat.mode(), stat.ino());
    }

    Qid qidOf(int mode, long ino) {
        int type = switch (FileMode.type(mode)) {
            case FileMode.S_IFDIR -> Qid.QTDIR;
            case FileMode.S_IFLNK -> Qid.QTSYMLINK;
            default -> Qid.QTFILE;
        };
        return new Qid(type, 0, mount.qidPath(ino));
    }

    @Override
    public FileNode walk(String child) throws ErrnoException {
        if (!stat.isDirectory()) {
            throw new ErrnoException(Errno.ENOTDIR, "walk");
        }
        return childNode(child);
    }

    private GoferNode childNode(String child) throws ErrnoException {
        int fd = Native.openat2(path.fd(), child, OpenFlags.O_PATH | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC, 0,
                GoferMount.RESOLVE);
        try {
            HostStat childStat = Native.fstat(fd);
            return new GoferNode(mount, new HostFd(fd), path.retain(), child, childStat, ownerUid);
        } catch (ErrnoException | RuntimeException e) {
            Native.closeQuietly(fd);
            throw e;
        }
    }

    @Override
    public FileNode duplicate() {
        return new GoferNode(mount, path.retain(), parent == null ? null : parent.retain(), name, stat, ownerUid);
    }

    /** Opens once: a second open (even a racing one) fails rather than leak a descriptor. */
    @Override
    public synchronized Qid open(int flags) throws ErrnoException {
        if (openFd >= 0) {
            throw new ErrnoException(Errno.EBADF, "open: already open");
        }
        openFd = mount.reopen(this, OpenFlagPolicy.forOpen(flags, stat, mount));
        return qid();
    }

    @Override
    public FileNode create(String child, int flags, int mode, int gid) throws ErrnoException {
        mount.checkWritable("create");
        requireDirectory("create");
        int hostFlags = OpenFlagPolicy.forCreate(flags);
        int fd = Native.openat2(path.fd(), child, hostFlags, mode & FileMode.PERMISSIONS, GoferMount.RESOLVE);
        try {
            mount.giveToCreator(fd, ownerUid, gid);
            HostStat created = Native.fstat(fd);
            HostFd createdPath = new HostFd(Native.dup(fd));
            // Nothing below can fail: the new node owns both descriptors from here on.
            GoferNode node = new GoferNode(mount, createdPath, path.retain(), child, created, ownerUid);
            node.openFd = fd;
            return node;
        } catch (ErrnoException | RuntimeException e) {
            Native.closeQuietly(fd);
            throw e;
        }
    }

    @Override
    public byte[] read(long offset, int count) throws ErrnoException {
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL, "read");
        }
        return Native.pread(openFd(), count, offset);
    }

    /**
     * Lends a read-only descriptor of this regular file (jVisor's Tdonatefd), so that the Sentry
     * copies a large file with pread instead of Tread frames. Only what Tread already gives: the
     * bytes of a regular file beneath the root. The descriptor is a fresh open of the inode this
     * node's O_PATH descriptor holds — reached by a walk that followed no symlink and left no
     * mount — opened O_RDONLY, so the holder can neither write nor truncate through it (EBADF).
     * Reopening through /proc/self/fd follows that one magic link to exactly this inode (it cannot
     * take O_NOFOLLOW, which would refuse the magic link itself); reopening through the parent
     * uses O_NOFOLLOW and checks the inode. The type is checked on the node (a symlink, FIFO,
     * socket or device is never opened: a FIFO would block, a device would reach host hardware)
     * and again on the opened descriptor.
     *
     * <p>Served on read-write mounts too: the descriptor grants reading, which Tread grants there
     * as well, and the client holds it only while it copies. Writes still go through Twrite,
     * where the mount's read-only flag is enforced.
     */
    @Override
    public ReadOnlyFd donateReadOnly() throws ErrnoException {
        if (!stat.isRegular()) {
            throw new ErrnoException(stat.isDirectory() ? Errno.EISDIR : stat.isSymlink() ? Errno.ELOOP : Errno.EPERM,
                    "donatefd");
        }
        int fd = mount.reopen(this, OpenFlags.O_RDONLY | OpenFlags.O_NOCTTY | OpenFlags.O_LARGEFILE
                | OpenFlags.O_NONBLOCK);
        try {
            HostStat opened = Native.fstat(fd);
            if (!opened.isRegular() || !opened.sameFile(stat)) {
                throw new ErrnoException(Errno.ESTALE, "donatefd");
            }
            return new ReadOnlyFd(fd, opened.size());
        } catch (ErrnoException | RuntimeException e) {
            Native.closeQuietly(fd);
            throw e;
        }
    }

    @Override
    public int write(long offset, byte[] data) throws ErrnoException {
        mount.checkWritable("write");
        if (offset < 0) {
            throw new ErrnoException(Errno.EINVAL, "write");
        }
        return Native.pwrite(openFd(), data, offset);
    }

    @Override
    public Attr getattr(long requestMask) throws ErrnoException {
        return attr(Native.fstat(path.fd()));
    }

    /** The attributes the walk to this node read (fstat of its O_PATH descriptor), without a second fstat. */
    @Override
    public Attr getattrAfterWalk(long requestMask) {
        return attr(stat);
    }

    private Attr attr(HostStat s) {
        return new Attr(Attr.GETATTR_BASIC, qidOf(s.mode(), s.ino()), s.mode(), s.uid(), s.gid(), s.nlink(),
                s.rdev(), s.size(), s.blksize(), s.blocks(), s.atimeSec(), s.atimeNsec(), s.mtimeSec(),
                s.mtimeNsec(), s.ctimeSec(), s.ctimeNsec(), 0, 0, 0, 0);
    }

    @Override
    public void setattr(SetattrRequest r) throws ErrnoException {
        mount.checkWritable("setattr");
        if (r.has(SetattrRequest.ATTR_UID) || r.has(SetattrRequest.ATTR_GID)) {
            Native.fchown(path.fd(), r.has(SetattrRequest.ATTR_UID) ? r.uid() : -1,
                    r.has(SetattrRequest.ATTR_GID) ? r.gid() : -1);
        }
        boolean mode = r.has(SetattrRequest.ATTR_MODE);
        boolean size = r.has(SetattrRequest.ATTR_SIZE);
        boolean times = r.has(SetattrRequest.ATTR_ATIME) || r.has(SetattrRequest.ATTR_MTIME);
        if (!mode && !size && !times) {
            return;
        }
        if (size && !stat.isRegular()) {
            throw new ErrnoException(stat.isDirectory() ? Errno.EISDIR : Errno.EINVAL, "truncate");
        }
        if (!stat.isRegular() && !stat.isDirectory()) {
            // Only files and directories are ever opened; links, FIFOs and devices keep their mode.
            throw new ErrnoException(Errno.EOPNOTSUPP, "setattr");
        }
        int fd = mount.reopen(this, stat.isDirectory() ? OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY
                : (size ? OpenFlags.O_WRONLY : OpenFlags.O_RDONLY) | OpenFlags.O_NONBLOCK);
        try {
            if (mode) {
                Native.fchmod(fd, r.mode() & FileMode.PERMISSIONS);
            }
            if (size) {
                Native.ftruncate(fd, r.size());
            }
            if (times) {
                Native.futimens(fd,
                        r.atimeSec(), timeNsec(r, SetattrRequest.ATTR_ATIME, SetattrRequest.ATTR_ATIME_SET, r.atimeNsec()),
                        r.mtimeSec(), timeNsec(r, SetattrRequest.ATTR_MTIME, SetattrRequest.ATTR_MTIME_SET, r.mtimeNsec()));
            }
        } finally {
            Native.closeQuietly(fd);
        }
    }

    private static long timeNsec(SetattrRequest r, int bit, int setBit, long nsec) {
        if (!r.has(bit)) {
            return UTIME_OMIT;
        }
        return r.has(setBit) ? nsec : UTIME_NOW;
    }

    @Override
    public List<DirEntry> readdir(long offset, int maxEntries) throws ErrnoException {
        return directory.read(openFd(), offset, maxEntries);
    }

    @Override
    public Qid mkdir(String child, int mode, int gid) throws ErrnoException {
        mount.checkWritable("mkdir");
        requireDirectory("mkdir");
        Native.mkdirat(path.fd(), child, mode & FileMode.PERMISSIONS);
        return created(child, gid);
    }

    @Override
    public Qid mknod(String child, int mode, int major, int minor, int gid) throws ErrnoException {
        mount.checkWritable("mknod");
        requireDirectory("mknod");
        int type = FileMode.type(mode);
        if (type != FileMode.S_IFREG && type != FileMode.S_IFIFO && type != FileMode.S_IFSOCK) {
            // Device nodes would give the sandbox host hardware; the Sentry serves /dev itself.
            throw new ErrnoException(Errno.EPERM, "mknod");
        }
        Native.mknodat(path.fd(), child, type | (mode & FileMode.PERMISSIONS), 0);
        return created(child, gid);
    }

    @Override
    public Qid symlink(String child, String target, int gid) throws ErrnoException {
        mount.checkWritable("symlink");
        requireDirectory("symlink");
        // The target is only data: the Gofer never follows symlinks, the Sentry resolves them.
        Native.symlinkat(target, path.fd(), child);
        return created(child, gid);
    }

    @Override
    public void link(FileNode target, String child) throws ErrnoException {
        mount.checkWritable("link");
        requireDirectory("link");
        if (!(target instanceof GoferNode t) || t.mount != mount) {
            throw new ErrnoException(Errno.EXDEV, "link");
        }
        if (t.stat.isDirectory()) {
            throw new ErrnoException(Errno.EPERM, "link");
        }
        // The source is the target node's own descriptor, reached by a walk beneath this mount:
        // there is no path a client could point at a file outside.
        try {
            Native.linkat(t.path.fd(), "", path.fd(), child, AtFlags.AT_EMPTY_PATH);
        } catch (ErrnoException e) {
            // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd/N names the same inode.
            if (e.errno() != Errno.ENOENT || !mount.canReopen()) {
                throw e;
            }
            mount.linkThroughProc(t.path.fd(), path.fd(), child);
        }
    }

    @Override
    public String readlink() throws ErrnoException {
        if (!stat.isSymlink()) {
            throw new ErrnoException(Errno.EINVAL, "readlink");
        }
        return Native.readlink(path.fd());
    }

    @Override
    public void renameat(String oldName, FileNode newDir, String newName) throws ErrnoException {
        mount.checkWritable("renameat");
        requireDirectory("renameat");
        if (!(newDir instanceof GoferNode d) || d.mount != mount) {
            throw new ErrnoException(Errno.EXDEV, "renameat");
        }
        d.requireDirectory("renameat");
        Native.renameat2(path.fd(), oldName, d.path.fd(), newName, 0);
    }

    @Override
    public void unlinkat(String child, int flags) throws ErrnoException {
        mount.checkWritable("unlinkat");
        requireDirectory("unlinkat");
        if ((flags & ~AtFlags.AT_REMOVEDIR) != 0) {
            throw new ErrnoException(Errno.EINVAL, "unlinkat");
        }
        Native.unlinkat(path.fd(), child, flags);
    }

    @Override
    public void remove() throws ErrnoException {
        mount.checkWritable("remove");
        if (parent == null) {
            throw new ErrnoException(Errno.EBUSY, "remove");
        }
        HostStat now = Native.fstatat(parent.fd(), name, AtFlags.AT_SYMLINK_NOFOLLOW);
        if (!now.sameFile(stat)) {
            throw new ErrnoException(Errno.ESTALE, "remove");
        }
        Native.unlinkat(parent.fd(), name, stat.isDirectory() ? AtFlags.AT_REMOVEDIR : 0);
    }

    @Override
    public StatFs statfs() throws ErrnoException {
        long[] f = Native.fstatfs(path.fd());
        return new StatFs((int) f[0], (int) f[1], f[2], f[3], f[4], f[5], f[6], f[7], (int) f[8]);
    }

    @Override
    public void fsync(boolean dataOnly) throws ErrnoException {
        Native.fsync(openFd(), dataOnly);
    }

    @Override
    public int lock(int type, int flags, long start, long length, int procId, String clientId) throws ErrnoException {
        return HostLocks.lock(openFd(), type, start, length);
    }

    @Override
    public Rmessage.GetLock getlock(int type, long start, long length, int procId, String clientId)
            throws ErrnoException {
        return HostLocks.getlock(openFd(), type, start, length, procId, clientId);
    }

    @Override
    public XattrReader xattrWalk(String attribute) throws ErrnoException {
        return Xattrs.walk(this, attribute);
    }

    @Override
    public FileNode xattrCreate(String attribute, long size, int flags) throws ErrnoException {
        mount.checkWritable("xattrcreate");
        return Xattrs.create(this, attribute, size, flags);
    }

    @Override
    public synchronized void close() {
        int fd = openFd;
        openFd = -1;
        Native.closeQuietly(fd);
        path.release();
        if (parent != null) {
            parent.release();
        }
    }

    private void requireDirectory(String op) throws ErrnoException {
        if (!stat.isDirectory()) {
            throw new ErrnoException(Errno.ENOTDIR, op);
        }
    }

    /**
     * The qid of a file just made in this directory, after giving it to its creator. The file is
     * reached the way a walk would reach it, so a name swapped meanwhile cannot redirect the chown.
     */
    private Qid created(String child, int gid) throws ErrnoException {
        int fd = Native.openat2(path.fd(), child, OpenFlags.O_PATH | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC, 0,
                GoferMount.RESOLVE);
        try {
            mount.giveToCreator(fd, ownerUid, gid);
            HostStat s = Native.fstat(fd);
            return qidOf(s.mode(), s.ino());
        } finally {
            Native.closeQuietly(fd);
        }
    }
}
