package dev.jvisor.sentry.mounts;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.sentry.fs.proc.ProcDir;
import dev.jvisor.sentry.fs.tmpfs.RegularInode;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FsContext;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.SymlinkInode;
import dev.jvisor.sentry.vfs.Vfs;

/**
 * Finds where a mount goes inside one container's root, creating missing directories (and the
 * empty file a file bind mount covers) on the way, as runc does. The walk is the Sentry's own,
 * rooted at the container's root: {@code ..} stops there and a symlink, absolute or relative,
 * is followed inside the container's tree, so a destination can never name a host path.
 */
final class Destinations {
    /** Linux's limit on symlinks followed in one walk (include/linux/namei.h MAXSYMLINKS). */
    private static final int MAX_SYMLINKS = 40;

    private final Vfs vfs;
    private final Location root;
    private final FsContext ctx;

    Destinations(Vfs vfs, Location root) {
        this.vfs = vfs;
        this.root = root;
        this.ctx = new FsContext(root, root);
    }

    /**
     * Where a path ends: the directory that holds it and its name there ({@code null} when the
     * path ends at a directory reached by {@code ..} or at the root), and what is there after
     * crossing the mounts on it.
     */
    record Target(Location dir, String name, Location at) {}

    /** The target of {@code path}, creating what is missing: directories, and the last component as {@code lastIsDir} says. */
    Target prepare(String path, boolean lastIsDir) {
        return walk(root, path, lastIsDir, true, new int[1]);
    }

    /** The target of {@code path}, or null when it does not exist. */
    Target find(String path) {
        try {
            return walk(root, path, true, false, new int[1]);
        } catch (dev.jvisor.abi.linux.ErrnoException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) return null;
            throw e;
        }
    }

    boolean isRoot(Location l) {
        return l.mount() == root.mount() && l.inode() == root.inode();
    }

    private Target walk(Location start, String path, boolean lastIsDir, boolean create, int[] links) {
        Location cur = path.startsWith("/") ? root : start;
        String[] parts = java.util.Arrays.stream(path.split("/")).filter(p -> !p.isEmpty() && !p.equals(".")).toArray(String[]::new);
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            String part = parts[i];
            if (!(cur.inode() instanceof DirInode dir)) throw Errno.ENOTDIR.exception();
            if (part.equals("..")) {
                cur = vfs.resolve(ctx, cur, "..", true, Credentials.root());
                continue;
            }
            if (part.length() > 255) throw Errno.ENAMETOOLONG.exception();
            Inode child = dir.lookup(part);
            if (child == null) {
                if (!create) throw Errno.ENOENT.exception();
                child = make(dir, part, !last || lastIsDir);
            }
            Location next = vfs.crossMounts(new Location(cur.mount(), child));
            if (next.inode() instanceof SymlinkInode link) {
                if (++links[0] > MAX_SYMLINKS) throw Errno.ELOOP.exception();
                Target t = walk(cur, link.target(), last ? lastIsDir : true, create, links);
                if (last) return t;
                cur = t.at();
                continue;
            }
            if (last) return new Target(cur, part, next);
            cur = next;
        }
        return new Target(null, null, cur);
    }

    /** Creates a directory (or an empty regular file) {@code name} in {@code dir}, owned by root. */
    private static Inode make(DirInode dir, String name, boolean directory) {
        if (dir instanceof ProcDir synthetic) {
            // procfs and sysfs have no mkdir: a mount point there is an empty directory of their own.
            if (!directory) throw Errno.EACCES.exception();
            ProcDir made = new ProcDir(dir.fs(), 0555, null);
            synthetic.add(name, made);
            return made;
        }
        if (directory) {
            dir.link(name, new DirInode(dir.fs(), 0755, 0, 0));
        } else {
            Inode remote = dir.createRegular(name, 0644, 0, 0);
            if (remote == null) dir.link(name, new RegularInode(dir.fs(), 0644, 0, 0));
        }
        Inode made = dir.lookup(name);
        if (made == null) throw Errno.ENOENT.exception();
        return made;
    }
}
