package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/** A tmpfs regular file. */
public final class RegularInode extends Inode {
    private final FileData data;

    public RegularInode(FileSystem fs, int perm, int uid, int gid) {
        super(fs, FileMode.S_IFREG | (perm & 07777), uid, gid);
        this.data = new FileData(fs instanceof TmpfsFileSystem t ? t.budget() : null);
    }

    /** Once no directory links it, its pages go back to its filesystem's size budget. */
    @Override
    protected synchronized void linkCount(int delta) {
        super.linkCount(delta);
        if (nlink <= 0 && delta < 0) data.releaseBudget();
    }

    public FileData data() { return data; }

    @Override
    public long size() { return data.size(); }

    @Override
    public void truncate(long length) {
        data.truncate(length);
        touchModified();
    }

    @Override
    public synchronized dev.jvisor.sentry.vfs.Stat stat() {
        dev.jvisor.sentry.vfs.Stat s = super.stat();
        return new dev.jvisor.sentry.vfs.Stat(s.dev(), s.ino(), s.mode(), s.nlink(), s.uid(), s.gid(), 0, s.size(),
                4096, data.allocated() / 512, s.atimeNs(), s.mtimeNs(), s.ctimeNs());
    }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        return new RegularFile(loc, path, flags, this);
    }
}
