package dev.jvisor.sentry.fs.tmpfs;

import dev.jvisor.sentry.vfs.FileSystem;

/** A tmpfs instance with a size limit ({@code size=}): its regular files draw on one {@link SizeBudget}. */
public final class TmpfsFileSystem extends FileSystem {
    private final SizeBudget budget;

    TmpfsFileSystem(String type, long magic, boolean readOnly, SizeBudget budget) {
        super(type, magic, readOnly);
        this.budget = budget;
    }

    public SizeBudget budget() { return budget; }
}
