package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.sentry.fs.gofer.GoferDir;
import dev.jvisor.sentry.fs.gofer.GoferFs;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;

import java.nio.file.Path;

/**
 * The sandbox's root filesystem: a host directory served by a Gofer child process, with the
 * memory overlay on top (the default), or, with the overlay off, the Gofer's tree itself so that
 * writes reach the host directory.
 */
public final class RootFilesystem implements AutoCloseable {
    /** OVERLAYFS_SUPER_MAGIC, include/uapi/linux/magic.h. */
    public static final long OVERLAYFS_MAGIC = 0x794c7630;

    /** Where writes to the root go (gVisor's {@code --overlay2=root:memory} vs {@code none}). */
    public enum Overlay {
        /** Read-only Gofer, writes kept in sandbox memory. */
        MEMORY,
        /** Read-write Gofer: writes reach the host directory. */
        NONE
    }

    private final GoferProcess gofer;
    private final DirInode root;

    private RootFilesystem(GoferProcess gofer, DirInode root) {
        this.gofer = gofer;
        this.root = root;
    }

    /** Starts a Gofer over {@code hostDir} and builds the root over it. */
    public static RootFilesystem open(Path hostDir, Overlay overlay) {
        boolean readOnly = overlay == Overlay.MEMORY;
        GoferProcess g = GoferProcess.start(hostDir, readOnly);
        try {
            GoferDir lower = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, readOnly);
            if (overlay == Overlay.NONE) return new RootFilesystem(g, lower);
            FileSystem fs = new FileSystem("overlay", OVERLAYFS_MAGIC, false);
            return new RootFilesystem(g, new OverlayDir(fs, lower, new PageCacheBudget(PageCacheBudget.DEFAULT_BYTES, PageCacheBudget.DEFAULT_FILE_BYTES)));
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    public DirInode root() { return root; }
    public FileSystem fs() { return root.fs(); }
    /** The Gofer's host pid (tests look at what it and the Sentry hold open). */
    public int goferPid() { return gofer.pid(); }

    @Override
    public void close() {
        gofer.close();
    }
}
