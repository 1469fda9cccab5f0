package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.sentry.fs.gofer.GoferDir;
import dev.jvisor.sentry.fs.gofer.GoferFs;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    /**
     * Gofers started ahead of {@link #open} by {@link #startGoferEarly}, by the directory they
     * serve and their overlay mode. A static table because the code that knows the root early
     * (a runsc command's first lines) is far from the code that opens it (the sandbox's boot).
     */
    private static final Map<EarlyKey, GoferProcess.Spawned> EARLY = new ConcurrentHashMap<>();

    private record EarlyKey(Path hostDir, Overlay overlay) {
        EarlyKey {
            hostDir = hostDir.toAbsolutePath().normalize();
        }

        // Written out: a record's generated equals/hashCode link a method-handle tree on first
        // use, ~15 ms before the first Gofer can start.
        @Override
        public boolean equals(Object o) {
            return o instanceof EarlyKey k && k.hostDir.equals(hostDir) && k.overlay == overlay;
        }

        @Override
        public int hashCode() {
            return hostDir.hashCode() * 31 + overlay.ordinal();
        }
    }

    /**
     * Starts the Gofer for a root that {@link #open} will be asked for later, so that its JVM
     * comes up while this process does the rest of its set-up: a Gofer takes a few hundred
     * milliseconds to answer, and the Sentry's first instruction waits for it. Closing the
     * returned handle stops that Gofer if {@link #open} never took it.
     *
     * @throws GoferProcess.GoferStartException when the Gofer cannot be started
     */
    public static EarlyGofer startGoferEarly(Path hostDir, Overlay overlay) {
        EarlyKey key = new EarlyKey(hostDir, overlay);
        GoferProcess.Spawned spawned = GoferProcess.spawn(key.hostDir(), overlay == Overlay.MEMORY);
        GoferProcess.Spawned previous = EARLY.put(key, spawned);
        if (previous != null) previous.close();
        return new EarlyGofer(key, spawned);
    }

    /** A Gofer started ahead of {@link #open}; closing it stops the Gofer unless open took it. */
    public static final class EarlyGofer implements AutoCloseable {
        private final EarlyKey key;
        private final GoferProcess.Spawned spawned;

        private EarlyGofer(EarlyKey key, GoferProcess.Spawned spawned) {
            this.key = key;
            this.spawned = spawned;
        }

        /** The Gofer's host pid (to put it in the container's cgroup if it was started before that existed). */
        public int pid() { return spawned.pid(); }

        @Override
        public void close() {
            EARLY.remove(key, spawned);
            spawned.close();
        }
    }

    /**
     * Connects to the Gofer over {@code hostDir} (the one started early for it, or a new one)
     * and builds the root over it.
     */
    public static RootFilesystem open(Path hostDir, Overlay overlay) {
        return open(hostDir, overlay, false);
    }

    /**
     * @param forTheSandboxsLife the root lives as long as the sandbox process (a sandbox's first
     *                           container): its large files may be mapped where they are, keeping
     *                           the Gofer's read-only host descriptors, which hold the root's host
     *                           mount busy until the process ends. A container that joins a pod
     *                           and leaves before it must not: its rootfs is unmounted right after.
     */
    public static RootFilesystem open(Path hostDir, Overlay overlay, boolean forTheSandboxsLife) {
        boolean readOnly = overlay == Overlay.MEMORY;
        GoferProcess.Spawned early = EARLY.remove(new EarlyKey(hostDir, overlay));
        GoferProcess g = early != null ? early.connect() : GoferProcess.start(hostDir, readOnly);
        try {
            GoferDir lower = GoferFs.mount(g.client(), "/", GoferFs.CacheMode.EXCLUSIVE, readOnly);
            if (overlay == Overlay.NONE) return new RootFilesystem(g, lower);
            FileSystem fs = new FileSystem("overlay", OVERLAYFS_MAGIC, false);
            return new RootFilesystem(g, new OverlayDir(fs, lower,
                    new PageCacheBudget(PageCacheBudget.DEFAULT_BYTES, PageCacheBudget.DEFAULT_FILE_BYTES, forTheSandboxsLife)));
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
