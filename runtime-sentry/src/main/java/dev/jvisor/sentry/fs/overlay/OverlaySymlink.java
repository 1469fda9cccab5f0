package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Stat;
import dev.jvisor.sentry.vfs.SymlinkInode;

/**
 * A symlink of the lower layer: its target and attributes are read from the Gofer when first
 * asked (merging a directory of many symlinks costs no round trip per link). Its owner and times
 * are the lower link's until the sandbox changes them, which stays in memory; size and blocks are
 * always the lower link's (its target never changes).
 */
final class OverlaySymlink extends SymlinkInode implements LowerBacked {
    private final SymlinkInode lower;

    OverlaySymlink(FileSystem fs, SymlinkInode lower) {
        super(fs, lower::target, 0, 0);
        this.lower = lower;
    }

    private void loadAttrs() {
        adoptAttributesOnce(lower::stat);
    }

    @Override public int uid() { loadAttrs(); return super.uid(); }
    @Override public int gid() { loadAttrs(); return super.gid(); }
    @Override public void chown(int u, int g) { loadAttrs(); super.chown(u, g); }
    @Override public void setTimes(long atime, long mtime) { loadAttrs(); super.setTimes(atime, mtime); }
    @Override public void touchChanged() { loadAttrs(); super.touchChanged(); }

    @Override
    public Stat stat() {
        loadAttrs();
        Stat own = super.stat();
        Stat l = lower.stat();
        return new Stat(own.dev(), own.ino(), own.mode(), own.nlink(), own.uid(), own.gid(), 0, l.size(),
                l.blksize(), l.blocks(), own.atimeNs(), own.mtimeNs(), own.ctimeNs());
    }
}
