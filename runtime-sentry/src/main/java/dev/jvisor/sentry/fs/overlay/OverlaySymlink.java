package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.SymlinkInode;

/**
 * A symlink of the lower layer: its target and owner are read from the Gofer when first asked
 * (merging a directory of many symlinks costs no round trip per link); ownership changes stay in memory.
 */
final class OverlaySymlink extends SymlinkInode implements LowerBacked {
    private final SymlinkInode lower;
    private boolean ownerLoaded;

    OverlaySymlink(FileSystem fs, SymlinkInode lower) {
        super(fs, lower::target, 0, 0);
        this.lower = lower;
    }

    private void loadOwner() {
        synchronized (this) {
            if (ownerLoaded) return;
        }
        int u = lower.uid(), g = lower.gid();
        synchronized (this) {
            if (ownerLoaded) return;
            ownerLoaded = true;
            uid = u;
            gid = g;
        }
    }

    @Override public int uid() { loadOwner(); return super.uid(); }
    @Override public int gid() { loadOwner(); return super.gid(); }
    @Override public dev.jvisor.sentry.vfs.Stat stat() { loadOwner(); return super.stat(); }
    @Override public void chown(int u, int g) { loadOwner(); super.chown(u, g); }
}
