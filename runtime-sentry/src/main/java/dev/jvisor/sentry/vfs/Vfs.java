package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.MountAbi;
import dev.jvisor.sentry.kernel.Credentials;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandbox's file tree: the mount table and path resolution. Resolution never leaves the
 * caller's root: {@code ..} at the root stays there, and symlinks are resolved inside the tree.
 */
public final class Vfs {
    public static final int MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;
    /** Symbolic links one resolution may follow (include/linux/namei.h MAXSYMLINKS). */
    public static final int MAX_SYMLINKS = 40;
    /** PATH_MAX and NAME_MAX, include/uapi/linux/limits.h. */
    public static final int PATH_MAX = 4096, NAME_MAX = 255;

    private final Map<Inode, Mount> mountedOn = new IdentityHashMap<>();
    private final List<Mount> mounts = new ArrayList<>();
    private final Map<Inode, FileMountPoint> fileMountPoints = new IdentityHashMap<>();
    private final Map<Mount, Integer> mountIds = new IdentityHashMap<>();
    private int nextMountId = 1;
    private final Mount rootMount;

    public Vfs(FileSystem rootFs, DirInode root, String source) {
        this(rootFs, root, source, 0);
    }

    /** A tree whose root mount has {@code flags} (MS_RDONLY for a read-only root) as well as its filesystem's. */
    public Vfs(FileSystem rootFs, DirInode root, String source, int flags) {
        this.rootMount = new Mount(rootFs, root, null, source, flags | (rootFs.readOnly() ? MountAbi.MS_RDONLY : 0), "");
        mounts.add(rootMount);
    }

    public Location root() { return rootMount.rootLocation(); }

    /** Mounts {@code root} of {@code fs} over the directory at {@code at}. */
    public Mount mount(FileSystem fs, DirInode root, Location at, String source, boolean readOnly) {
        return mount(fs, root, at, source, readOnly ? MountAbi.MS_RDONLY : 0, "");
    }

    /**
     * Mounts {@code root} over {@code at} with mount {@code flags} and the filesystem options
     * {@code data} (for /proc/mounts). A directory covers a directory; a single file (a file
     * bind mount) covers a file that is not a directory.
     */
    public synchronized Mount mount(FileSystem fs, Inode root, Location at, String source, int flags, String data) {
        if (root.isDir() != at.inode().isDir()) throw (root.isDir() ? Errno.ENOTDIR : Errno.EISDIR).exception();
        Mount m = new Mount(fs, root, at, source, flags, data);
        mountedOn.put(at.inode(), m);
        at.inode().markMountedOn();
        mounts.add(m);
        return m;
    }

    /**
     * A root mount of its own for a further container's tree, attached nowhere (so {@code ..}
     * stops at it) but listed, so the container's /proc/mounts shows it.
     */
    public synchronized Mount detachedRoot(FileSystem fs, DirInode root, String source, int flags) {
        Mount m = new Mount(fs, root, null, source, flags | (fs.readOnly() ? MountAbi.MS_RDONLY : 0), "");
        mounts.add(m);
        return m;
    }

    /** Forgets {@code top} and every mount beneath it (a further container that is gone). */
    public synchronized void unmountTree(Mount top) {
        List<Mount> gone = new ArrayList<>();
        for (Mount m : mounts) {
            for (Mount cur = m; cur != null; cur = cur.mountpoint() == null ? null : cur.mountpoint().mount()) {
                if (cur == top) {
                    gone.add(m);
                    break;
                }
            }
        }
        mounts.removeIf(m -> gone.stream().anyMatch(g -> g == m));
        for (Mount m : gone) mountIds.remove(m);
        for (Mount m : gone) {
            if (m.mountpoint() == null) continue;
            mountedOn.remove(m.mountpoint().inode(), m);
            fileMountPoints.remove(m.mountpoint().inode());
        }
    }

    /**
     * Mounts a single file {@code root} over entry {@code name} of directory {@code dir} (a file
     * bind mount), remembering where, for /proc/mounts.
     */
    public synchronized Mount mountOnFile(FileSystem fs, Inode root, Location dir, String name, String source, int flags, String data) {
        Inode existing = ((DirInode) dir.inode()).lookup(name);
        if (existing == null) throw Errno.ENOENT.exception();
        Location at = crossMounts(new Location(dir.mount(), existing));
        Mount m = mount(fs, root, at, source, flags, data);
        fileMountPoints.put(at.inode(), new FileMountPoint((DirInode) dir.inode(), name));
        return m;
    }

    /**
     * The mounts a process rooted at {@code ctx} sees, in mount order: those whose chain of
     * mount points leads to its root's mount (another container's tree is not among them).
     */
    public synchronized List<Mount> mountsVisibleFrom(FsContext ctx) {
        Mount rootOfCtx = ctx.root().mount();
        List<Mount> out = new ArrayList<>();
        for (Mount m : mounts) {
            Mount cur = m;
            for (int guard = 0; cur != null && guard < 4096; guard++) {
                if (cur == rootOfCtx) {
                    out.add(m);
                    break;
                }
                cur = cur.mountpoint() == null ? null : cur.mountpoint().mount();
            }
        }
        return out;
    }

    /** /proc/mounts as a process rooted at {@code ctx} sees it (fs/proc_namespace.c show_vfsmnt's format). */
    public String mountsText(FsContext ctx) {
        StringBuilder sb = new StringBuilder();
        for (Mount m : mountsVisibleFrom(ctx)) {
            sb.append(escape(m.source())).append(' ').append(escape(mountPath(ctx, m))).append(' ')
              .append(m.fs().type()).append(' ').append(m.optionsText()).append(" 0 0\n");
        }
        return sb.toString();
    }

    /**
     * /proc/PID/mountinfo as a process rooted at {@code ctx} sees it (fs/proc_namespace.c
     * show_mountinfo): mount id, parent id, device, root within the filesystem (always "/" here),
     * mount point, per-mount options, no optional fields, then type, source and the
     * filesystem's options.
     */
    public String mountinfoText(FsContext ctx) {
        StringBuilder sb = new StringBuilder();
        List<Mount> visible = mountsVisibleFrom(ctx);
        for (Mount m : visible) {
            int id = mountId(m);
            Mount above = m.mountpoint() == null ? null : m.mountpoint().mount();
            Mount parent = above != null && visible.stream().anyMatch(v -> v == above) ? above : m;
            String perMount = m.optionsText();
            int firstData = m.data().isEmpty() ? -1 : perMount.lastIndexOf("," + m.data());
            if (firstData >= 0) perMount = perMount.substring(0, firstData);
            sb.append(id).append(' ').append(mountId(parent)).append(" 0:").append(m.fs().dev()).append(" / ")
              .append(escape(mountPath(ctx, m))).append(' ').append(perMount).append(" - ").append(m.fs().type()).append(' ')
              .append(escape(m.source())).append(' ').append(m.fs().readOnly() || m.readOnly() ? "ro" : "rw")
              .append(m.data().isEmpty() ? "" : "," + m.data()).append('\n');
        }
        return sb.toString();
    }

    /** A mount's number for mountinfo: given when it is first listed, from 1, kept while it is mounted. */
    private synchronized int mountId(Mount m) {
        Integer id = mountIds.get(m);
        if (id == null) {
            id = nextMountId++;
            mountIds.put(m, id);
        }
        return id;
    }

    /** Octal escapes for the characters that would break a /proc/mounts line (fs/proc_namespace.c mangle). */
    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\\') sb.append(String.format("\\%03o", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    public synchronized List<Mount> mounts() { return new ArrayList<>(mounts); }

    /** Follows mounts stacked on {@code l}. */
    public Location crossMounts(Location l) {
        // Without the lock for an inode nothing was ever mounted on: a walk meets one per component.
        return l.inode().mayBeMountedOn() ? crossMountsLocked(l) : l;
    }

    private synchronized Location crossMountsLocked(Location l) {
        Location cur = l;
        for (int i = 0; i < 64; i++) {
            Mount m = mountedOn.get(cur.inode());
            if (m == null || m.mountpoint().mount() != cur.mount()) return cur;
            cur = m.rootLocation();
        }
        return cur;
    }

    private Location parentOf(FsContext ctx, Location cur) {
        Location root = ctx.root();
        while (true) {
            if (cur.inode() == root.inode() && cur.mount() == root.mount()) return cur;
            if (cur.inode() == cur.mount().root()) {
                if (cur.mount().mountpoint() == null) return cur;
                cur = cur.mount().mountpoint();
                continue;
            }
            return new Location(cur.mount(), ((DirInode) cur.inode()).parent());
        }
    }

    /** The result of resolving all but the last component. */
    public record Parent(Location dir, String name, boolean trailingSlash) {}

    /** Resolves {@code path} relative to {@code start} (absolute paths from the root). */
    public Location resolve(FsContext ctx, Location start, String path, boolean followLast, Credentials cred) {
        return walk(ctx, start, path, followLast, cred, new int[1]);
    }

    private Location walk(FsContext ctx, Location start, String path, boolean followLast, Credentials cred, int[] links) {
        if (path.isEmpty()) throw Errno.ENOENT.exception();
        int length = path.length();
        if (length >= PATH_MAX) throw Errno.ENAMETOOLONG.exception();
        Location cur = path.charAt(0) == '/' ? ctx.root() : start;
        boolean trailingSlash = path.charAt(length - 1) == '/';
        // Components are scanned in place rather than split into an array: a path walk runs on
        // most syscalls, long before the JIT has compiled it, and split was ~40% of it then.
        int end = length;
        while (end > 0 && path.charAt(end - 1) == '/') end--;
        for (int from = 0; from < end; ) {
            int slash = path.indexOf('/', from);
            if (slash < 0 || slash > end) slash = end;
            int n = slash - from;
            int next = slash + 1;
            if (n == 0) {   // a repeated slash
                if (!cur.inode().isDir()) throw Errno.ENOTDIR.exception();
                from = next;
                continue;
            }
            if (!(cur.inode() instanceof DirInode dir)) throw Errno.ENOTDIR.exception();
            // Every component, "." and ".." too, needs search permission on the directory it is
            // looked up in (fs/namei.c may_lookup): "locked/." is EACCES like "locked/x".
            checkPermission(cred, dir, MAY_EXEC);
            if (n == 1 && path.charAt(from) == '.') {
                from = next;
                continue;
            }
            if (n > NAME_MAX) throw Errno.ENAMETOOLONG.exception();
            if (n == 2 && path.charAt(from) == '.' && path.charAt(from + 1) == '.') {
                cur = parentOf(ctx, cur);
                from = next;
                continue;
            }
            Inode child = dir.lookup(path.substring(from, slash));
            if (child == null) throw Errno.ENOENT.exception();
            Location found = crossMounts(new Location(cur.mount(), child));
            boolean isLast = slash == end;
            if (found.inode() instanceof SymlinkInode link && (!isLast || followLast || trailingSlash)) {
                if (++links[0] > MAX_SYMLINKS) throw Errno.ELOOP.exception();
                Location jumped = link instanceof MagicLinkInode magic ? magic.jump() : null;
                found = jumped != null ? jumped : walk(ctx, cur, link.target(), true, cred, links);
            }
            cur = found;
            from = next;
        }
        if (trailingSlash && !cur.inode().isDir()) throw Errno.ENOTDIR.exception();
        return cur;
    }

    /** Resolves the directory that holds the last component of {@code path}. */
    public Parent resolveParent(FsContext ctx, Location start, String path, Credentials cred) {
        if (path.isEmpty()) throw Errno.ENOENT.exception();
        if (path.length() >= PATH_MAX) throw Errno.ENAMETOOLONG.exception();
        String p = path;
        boolean trailing = false;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
            trailing = true;
        }
        int slash = p.lastIndexOf('/');
        String dirPath = slash < 0 ? "." : (slash == 0 ? "/" : p.substring(0, slash));
        String name = slash < 0 ? p : p.substring(slash + 1);
        if (name.isEmpty()) name = "."; // the path was "/"
        if (name.length() > NAME_MAX) throw Errno.ENAMETOOLONG.exception();
        Location dir = resolve(ctx, start, dirPath, true, cred);
        if (!dir.inode().isDir()) throw Errno.ENOTDIR.exception();
        return new Parent(dir, name, trailing);
    }

    /** The absolute path of a directory location as seen from {@code ctx}'s root (getcwd). */
    public String pathOf(FsContext ctx, Location l) {
        StringBuilder sb = new StringBuilder();
        Location root = ctx.root();
        Location cur = l;
        for (int guard = 0; guard < 4096; guard++) {
            if (cur.inode() == root.inode() && cur.mount() == root.mount()) break;
            if (cur.inode() == cur.mount().root()) {
                if (cur.mount().mountpoint() == null) break;
                cur = cur.mount().mountpoint();
                continue;
            }
            if (!(cur.inode() instanceof DirInode d)) break;
            sb.insert(0, "/" + d.name());
            cur = new Location(cur.mount(), d.parent());
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    /** The mount path of {@code m} for /proc/mounts. */
    public String mountPath(FsContext ctx, Mount m) {
        if (m.mountpoint() == null) return "/";
        if (m.mountpoint().inode() instanceof DirInode) return pathOf(ctx, m.mountpoint());
        FileMountPoint p = fileMountPoint(m.mountpoint().inode());
        if (p == null) return "?";
        String dir = pathOf(ctx, new Location(m.mountpoint().mount(), p.dir()));
        return (dir.equals("/") ? "" : dir) + "/" + p.name();
    }

    /** The directory holding a mounted-on file and its name there (a file knows no parent of its own). */
    private record FileMountPoint(DirInode dir, String name) {}

    private synchronized FileMountPoint fileMountPoint(Inode file) { return fileMountPoints.get(file); }

    /** Linux permission check (fs/namei.c generic_permission) with root's DAC override. */
    public static void checkPermission(Credentials c, Inode inode, int may) {
        int mode = inode.mode();
        if (c.hasCap(Credentials.CAP_DAC_OVERRIDE)) {
            // root may do anything except execute a file with no x bit at all
            if ((may & MAY_EXEC) != 0 && !inode.isDir() && (mode & 0111) == 0) throw Errno.EACCES.exception();
            return;
        }
        int perm;
        if (c.fsuid() == inode.uid()) perm = (mode >> 6) & 7;
        else if (c.inGroup(inode.gid())) perm = (mode >> 3) & 7;
        else perm = mode & 7;
        if ((perm & may) != may) {
            if (c.hasCap(Credentials.CAP_DAC_READ_SEARCH) && (may & MAY_WRITE) == 0
                    && (inode.isDir() || (may & MAY_EXEC) == 0)) return;
            if (inode.grantsBeyondMode(may)) return;
            throw Errno.EACCES.exception();
        }
    }

    /** EACCES when the location's mount forbids execution (noexec), as execve(2) fails there. */
    public static void checkExecutable(Location l) {
        if (l.mount() != null && l.mount().noExec()) throw Errno.EACCES.exception();
    }

    /** EROFS when the location's mount or filesystem is read-only. */
    public static void checkWritable(Location l) {
        if (l.mount().readOnly() || l.mount().fs().readOnly()) throw Errno.EROFS.exception();
    }
}
