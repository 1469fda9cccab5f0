package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.sentry.fs.gofer.GoferDir;
import dev.jvisor.sentry.fs.gofer.GoferFile;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Stat;
import dev.jvisor.sentry.vfs.SymlinkInode;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An overlay directory over a lower Gofer directory. A lookup brings in the one lower entry it
 * asks for; the whole lower directory is merged in when the directory is listed (or stat'ed after
 * the sandbox changed it: its link count then counts the subdirectories), or
 * once {@value #MISSES_BEFORE_LISTING} different names were looked for and not found (a
 * directory probed like a search path: its listing then answers every miss). A program's
 * directory is usually looked up for a name or two, and listing /usr/bin or a library directory
 * whole (thousands of entries) for that cost a first exec more than the walks. Once merged, the
 * lower directory is never read again, which is exact because the lower layer is read-only.
 * Names removed or renamed away that existed below are recorded as whiteouts, so neither a later
 * lookup nor a later merge brings them back.
 */
public final class OverlayDir extends DirInode implements LowerBacked {
    private final GoferDir lower;
    private final Set<String> whiteouts = new HashSet<>();
    /** Different names looked for below and not found before the directory is listed whole. */
    static final int MISSES_BEFORE_LISTING = 4;
    /**
     * A lower directory no larger than this (its st_size: one ext4 block, a few hundred entries
     * at most, and on tmpfs or xfs fewer) is listed at its first miss: one Tlistdir answers for
     * every later miss there, where the search paths of shells and compilers probe several names
     * (the gcc workload: 44 of its 145 lookups were misses, in ten directories).
     */
    static final long SMALL_DIRECTORY_BYTES = 4096;

    private boolean merged;
    /**
     * The sandbox linked, unlinked or renamed entries here: the lower directory's link count, size
     * and blocks no longer hold, this directory's own do.
     */
    private boolean changed;
    /** Names looked for below and not found, until the directory is merged. */
    private final Set<String> misses = new HashSet<>();
    /** True while lower entries are being added: merging is not a modification. */
    private boolean merging;

    private final PageCacheBudget budget;

    OverlayDir(FileSystem fs, GoferDir lower, PageCacheBudget budget) {
        super(fs, 0755, 0, 0);
        this.lower = lower;
        this.budget = budget;
    }

    /** Names deleted here that still exist in the lower layer. */
    public synchronized Set<String> whiteouts() {
        return Set.copyOf(whiteouts);
    }

    private void merge() {
        synchronized (this) {
            if (merged) return;
        }
        // Listed outside the lock (it is Gofer I/O); a failed listing leaves the merge to the next use.
        List<Map.Entry<String, Inode>> below = lower.list();
        synchronized (this) {
            if (merged) return;
            misses.clear();
            for (Map.Entry<String, Inode> e : below) {
                if (whiteouts.contains(e.getKey()) || super.lookup(e.getKey()) != null) continue;
                bringIn(e.getKey(), e.getValue());
            }
            merged = true;
        }
    }

    /** Adds the overlay inode of a lower entry (lock held); bringing an entry in is not a change. */
    private void bringIn(String name, Inode lowerInode) {
        merging = true;
        try {
            super.link(name, wrap(lowerInode));
        } finally {
            merging = false;
        }
    }

    /** The overlay inode for a lower inode. */
    private Inode wrap(Inode lowerInode) {
        if (lowerInode instanceof GoferDir d) return new OverlayDir(fs, d, budget);
        if (lowerInode instanceof GoferFile f) return new OverlayFile(fs, f, budget);
        if (lowerInode instanceof SymlinkInode s) return new OverlaySymlink(fs, s);
        return lowerInode; // FIFOs, sockets and devices: visible, never opened through the Gofer
    }

    /** Takes the lower directory's attributes once; changes afterwards are the overlay's own. */
    private void loadAttrs() {
        adoptAttributesOnce(lower::stat);
    }

    @Override
    public Inode lookup(String name) {
        Inode here = super.lookup(name);
        if (here != null) return here;
        synchronized (this) {
            if (merged || whiteouts.contains(name)) return null;
        }
        // Looked up outside the lock (it is Gofer I/O), like the merge.
        Inode below = lower.lookup(name);
        if (below == null) {
            boolean listNow;
            synchronized (this) {
                listNow = !merged && misses.add(name)
                        && (misses.size() >= MISSES_BEFORE_LISTING || lower.knownNoLargerThan(SMALL_DIRECTORY_BYTES));
            }
            if (listNow) merge();
            return null;
        }
        synchronized (this) {
            // A merge, an unlink or a rename may have come first: what they left is the answer.
            if (merged || whiteouts.contains(name)) return super.lookup(name);
            Inode raced = super.lookup(name);
            if (raced != null) return raced;
            bringIn(name, below);
            return super.lookup(name);
        }
    }

    /**
     * Not a remote rename: brings the names the move touches in from below first (the move works
     * on the entries this directory holds), and whites out the source name if it came from below.
     */
    @Override
    protected boolean renameRemote(String from, DirInode target, String to) {
        Inode moving = lookup(from);
        if (target instanceof OverlayDir t) t.lookup(to);
        if (moving instanceof LowerBacked) {
            synchronized (this) {
                whiteouts.add(from);
            }
        }
        return false;
    }

    @Override
    public List<Map.Entry<String, Inode>> list() {
        merge();
        return super.list();
    }

    @Override
    public void link(String name, Inode child) {
        lookup(name); // a lower entry of that name makes the link fail with EEXIST, as it should
        loadAttrs();
        super.link(name, child);
    }

    @Override
    public Inode unlink(String name) {
        lookup(name);
        loadAttrs();
        Inode gone = super.unlink(name);
        if (gone instanceof LowerBacked) {
            synchronized (this) {
                whiteouts.add(name);
            }
        }
        return gone;
    }

    @Override
    public synchronized void touchModified() {
        if (merging) return;
        changed = true;
        loadAttrs();
        super.touchModified();
    }

    @Override public int type() { return dev.jvisor.abi.linux.FileMode.S_IFDIR; }
    @Override public int mode() { loadAttrs(); return super.mode(); }
    @Override public int uid() { loadAttrs(); return super.uid(); }
    @Override public int gid() { loadAttrs(); return super.gid(); }
    /** The lower directory's size until the sandbox changes this one (then an in-memory directory's). */
    @Override
    public long size() {
        synchronized (this) {
            if (changed) return super.size();
        }
        return lower.size();
    }

    @Override
    public Stat stat() {
        loadAttrs();
        boolean unchanged;
        synchronized (this) {
            unchanged = !changed;
        }
        if (unchanged) {
            // Unchanged, the lower directory's link count, size and blocks are this one's: no need
            // to list it (gcc and shells stat search-path directories such as
            // /usr/lib/x86_64-linux-gnu). Read outside the lock: in shared mode it is Gofer I/O.
            Stat s = super.stat();
            Stat l = lower.stat();
            return new Stat(s.dev(), s.ino(), s.mode(), l.nlink(), s.uid(), s.gid(), s.rdev(), l.size(),
                    l.blksize(), l.blocks(), s.atimeNs(), s.mtimeNs(), s.ctimeNs());
        }
        merge();
        return super.stat();
    }

    @Override public void chmod(int perm) { loadAttrs(); super.chmod(perm); }
    @Override public void chown(int u, int g) { loadAttrs(); super.chown(u, g); }
    @Override public void setTimes(long a, long m) { loadAttrs(); super.setTimes(a, m); }
    @Override public void touchChanged() { loadAttrs(); super.touchChanged(); }
}
