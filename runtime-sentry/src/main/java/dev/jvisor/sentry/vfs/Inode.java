package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;

/**
 * A file of any type. Attributes are guarded by the inode's monitor; subclasses add content.
 */
public abstract class Inode {
    protected final FileSystem fs;
    protected final long ino;
    protected int mode;
    protected int uid, gid;
    /** Links from directories; 0 until linked (anonymous inodes report 1, see subclasses). */
    protected int nlink = 0;
    protected long atimeNs, mtimeNs, ctimeNs;
    /** {@link #adoptAttributesOnce} has run. */
    private boolean attributesAdopted;
    /** Advisory locks, made at the first lock (most files never have one); read without the lock by every close. */
    private volatile FileLocks locks;
    /** Set once something is mounted here; lets a path walk skip the mount table for every other inode. */
    private volatile boolean mountedOn;

    protected Inode(FileSystem fs, int mode, int uid, int gid) {
        this.fs = fs;
        this.ino = fs.nextIno();
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        long now = Clock.realtimeNanos();
        atimeNs = mtimeNs = ctimeNs = now;
    }

    public FileSystem fs() { return fs; }
    public long ino() { return ino; }
    public synchronized int mode() { return mode; }
    public int type() { return mode() & FileMode.S_IFMT; }
    public boolean isDir() { return type() == FileMode.S_IFDIR; }
    public boolean isSymlink() { return type() == FileMode.S_IFLNK; }
    public boolean isRegular() { return type() == FileMode.S_IFREG; }
    public int uid() {
        java.util.function.IntSupplier f = uidFollows;
        if (f != null) return f.getAsInt();
        synchronized (this) {
            return uid;
        }
    }

    public int gid() {
        java.util.function.IntSupplier f = gidFollows;
        if (f != null) return f.getAsInt();
        synchronized (this) {
            return gid;
        }
    }

    /** Where the owner comes from when it follows something else, as a process's /proc files follow the process. */
    private volatile java.util.function.IntSupplier uidFollows, gidFollows;

    /** Makes this belong to whoever {@code uid} and {@code gid} name at the time of asking. */
    public void ownerFollows(java.util.function.IntSupplier uid, java.util.function.IntSupplier gid) {
        this.uidFollows = uid;
        this.gidFollows = gid;
    }
    public synchronized int nlink() { return nlink; }

    /**
     * Whether the calling process may have {@code may} access that the mode bits refused
     * (a rule of the file's own, like /proc/PID/fd's for the process itself). None by default.
     */
    public boolean grantsBeyondMode(int may) { return false; }

    /** This file's advisory locks, made on first use. */
    public FileLocks locks() {
        FileLocks l = locks;
        if (l != null) return l;
        synchronized (this) {
            if (locks == null) locks = new FileLocks();
            return locks;
        }
    }

    /** The advisory locks if anyone ever locked this file, else null (a close then has nothing to drop). */
    public FileLocks locksIfAny() { return locks; }

    /** Whether anything was ever mounted on this inode (set by {@link Vfs}; never cleared, so only a hint). */
    final boolean mayBeMountedOn() { return mountedOn; }

    final void markMountedOn() { mountedOn = true; }

    /** Size in bytes as stat(2) reports it. */
    public abstract long size();

    /** The device number a character or block device inode stands for; 0 otherwise. */
    public long rdev() { return 0; }

    /** Opens this inode; {@code loc} is where it was found, {@code path} its absolute path for /proc. */
    public abstract OpenFile open(Location loc, String path, int flags);

    /**
     * Takes mode, owner and times from {@code lower}'s attributes the first time it is called (an
     * overlay inode adopting its lower file's lazily); later calls do nothing. {@code lower} is read
     * outside this inode's lock (it may be Gofer I/O); a racing caller's read is dropped.
     */
    protected final void adoptAttributesOnce(java.util.function.Supplier<Stat> lower) {
        synchronized (this) {
            if (attributesAdopted) return;
        }
        Stat s = lower.get();
        synchronized (this) {
            if (attributesAdopted) return;
            attributesAdopted = true;
            mode = s.mode();
            uid = s.uid();
            gid = s.gid();
            atimeNs = s.atimeNs();
            mtimeNs = s.mtimeNs();
            ctimeNs = s.ctimeNs();
        }
    }

    public synchronized void chmod(int perm) {
        mode = (mode & FileMode.S_IFMT) | (perm & 07777);
        ctimeNs = Clock.realtimeNanos();
    }

    public synchronized void chown(int newUid, int newGid) {
        if (newUid != -1) uid = newUid;
        if (newGid != -1) gid = newGid;
        ctimeNs = Clock.realtimeNanos();
    }

    public synchronized void setTimes(long atime, long mtime) {
        if (atime != Long.MIN_VALUE) atimeNs = atime;
        if (mtime != Long.MIN_VALUE) mtimeNs = mtime;
        ctimeNs = Clock.realtimeNanos();
    }

    public synchronized void touchModified() {
        mtimeNs = ctimeNs = Clock.realtimeNanos();
    }

    public synchronized void touchChanged() {
        ctimeNs = Clock.realtimeNanos();
    }

    protected synchronized void linkCount(int delta) {
        nlink += delta;
        ctimeNs = Clock.realtimeNanos();
    }

    /** Truncates or extends a regular file; other types refuse. */
    public void truncate(long length) {
        throw (isDir() ? Errno.EISDIR : Errno.EINVAL).exception();
    }

    public synchronized Stat stat() {
        return new Stat(fs.dev(), ino, mode, nlink, uid, gid, rdev(), size(), 4096, (size() + 511) / 512,
                atimeNs, mtimeNs, ctimeNs);
    }
}
