package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A directory: named children and a link to its parent, so {@code ..} and getcwd(2) work
 * without dentries. Synthetic directories (procfs) override {@link #lookup} and {@link #list}.
 */
public class DirInode extends Inode {
    private final Map<String, Inode> children = new LinkedHashMap<>();
    private DirInode parent;
    private String name;
    /** Removed by rmdir (or replaced by a rename): nothing can be created in it, and it has no path. */
    private volatile boolean removed;

    public DirInode(FileSystem fs, int perm, int uid, int gid) {
        super(fs, FileMode.S_IFDIR | (perm & 07777), uid, gid);
        this.nlink = 2;
        this.parent = this;
        this.name = "";
    }

    public synchronized DirInode parent() { return parent; }

    /** Whether this directory was removed from the tree (Linux's IS_DEADDIR): creating in it is ENOENT. */
    public boolean removed() { return removed; }

    /** Marks this directory removed, once rmdir or a rename over it took it out of its parent. */
    public void markRemoved() { removed = true; }

    /** Records where a synthetic directory (procfs) hangs, for {@code ..} and getcwd. */
    public synchronized void attach(DirInode newParent, String newName) {
        parent = newParent;
        name = newName;
    }
    public synchronized String name() { return name; }

    /** The child called {@code name}, or {@code null}. */
    public synchronized Inode lookup(String name) {
        return children.get(name);
    }

    /** Every entry except . and .., in a stable order. */
    public synchronized List<Map.Entry<String, Inode>> list() {
        return new ArrayList<>(children.entrySet());
    }

    public synchronized boolean isEmpty() { return list().isEmpty(); }

    /** Whether entries can be created or removed here (false for synthetic directories). */
    public boolean mutable() { return true; }

    /**
     * Creates and links an empty regular file for open(O_CREAT) when this directory's files live
     * outside the Sentry (a Gofer's); {@code null} means the caller makes an in-memory file and
     * {@link #link}s it.
     */
    public Inode createRegular(String name, int perm, int uid, int gid) { return null; }

    /** Adds an entry; EEXIST if taken. */
    public void link(String name, Inode child) {
        if (!mutable()) throw Errno.EACCES.exception();
        synchronized (this) {
            if (children.containsKey(name)) throw Errno.EEXIST.exception();
            children.put(name, child);
            touchModified();
            if (child instanceof DirInode d) {
                synchronized (d) {
                    d.parent = this;
                    d.name = name;
                }
                linkCount(1);
            } else {
                child.linkCount(1);
            }
        }
        if (child instanceof DirInode) {
            // a new directory's own count starts at 2 (itself and its "." entry)
        }
    }

    /** Removes an entry and returns it; ENOENT if absent. */
    public Inode unlink(String name) {
        if (!mutable()) throw Errno.EACCES.exception();
        synchronized (this) {
            Inode child = children.remove(name);
            if (child == null) throw Errno.ENOENT.exception();
            touchModified();
            if (child instanceof DirInode) {
                linkCount(-1);
                child.linkCount(-2);
            } else {
                child.linkCount(-1);
            }
            return child;
        }
    }

    /**
     * A directory whose entries live outside the Sentry (a Gofer's) performs the move itself and
     * returns true; in-memory directories return false and {@link #rename} moves the entry.
     */
    protected boolean renameRemote(String from, DirInode target, String to) { return false; }

    /** Moves entry {@code from} of this directory to {@code to} in {@code target}, replacing what is there. */
    public static void rename(DirInode source, String from, DirInode target, String to) {
        if (source.renameRemote(from, target, to)) return;
        Object first = System.identityHashCode(source) <= System.identityHashCode(target) ? source : target;
        Object second = first == source ? target : source;
        synchronized (first) {
            synchronized (second) {
                Inode moving = source.children.get(from);
                if (moving == null) throw Errno.ENOENT.exception();
                Inode replaced = target.children.get(to);
                if (replaced == moving) return;
                if (replaced != null) {
                    if (moving instanceof DirInode) {
                        if (!(replaced instanceof DirInode rd)) throw Errno.ENOTDIR.exception();
                        if (!rd.isEmpty()) throw Errno.ENOTEMPTY.exception();
                    } else if (replaced instanceof DirInode) {
                        throw Errno.EISDIR.exception();
                    }
                }
                if (moving instanceof DirInode md) {
                    for (DirInode p = target; ; p = p.parent) {
                        if (p == md) throw Errno.EINVAL.exception(); // into its own subtree
                        if (p.parent == p) break;
                    }
                }
                if (replaced != null) target.unlink(to);
                source.children.remove(from);
                target.children.put(to, moving);
                if (moving instanceof DirInode md) {
                    md.parent = target;
                    md.name = to;
                    source.linkCount(-1);
                    target.linkCount(1);
                }
                source.touchModified();
                target.touchModified();
                moving.touchChanged();
            }
        }
    }

    @Override
    public long size() { return 4096; }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        int acc = flags & FileMode.O_ACCMODE;
        if (acc != FileMode.O_RDONLY) throw Errno.EISDIR.exception();
        return new DirFile(loc, path, flags);
    }
}
