package dev.jvisor.sentry.mounts;

import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.MountAbi;
import dev.jvisor.sentry.Sandbox;
import dev.jvisor.sentry.fs.tmpfs.RegularInode;
import dev.jvisor.sentry.fs.tmpfs.Tmpfs;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.Vfs;

/**
 * {@code linux.maskedPaths} and {@code linux.readonlyPaths}. A masked directory is covered by
 * an empty read-only directory and a masked file by an empty read-only file, so it reads as
 * nothing and cannot be written; a read-only path is mounted over itself read-only, so writes
 * beneath it fail with EROFS. A path the sandbox does not have (runc's defaults name many
 * /proc and /sys files the Sentry does not emulate) is skipped.
 */
final class PathMasks {
    private PathMasks() {}

    static void mask(Vfs vfs, Destinations places, String path) {
        Destinations.Target t = find(places, path);
        if (t == null) return;
        FileSystem empty = Tmpfs.newFileSystem(true);
        int flags = MountAbi.MS_RDONLY | MountAbi.MS_NOSUID | MountAbi.MS_NODEV | MountAbi.MS_NOEXEC;
        try {
            if (t.at().inode().isDir()) {
                vfs.mount(empty, new DirInode(empty, 0555, 0, 0), t.at(), "tmpfs", flags, "");
            } else if (t.name() != null) {
                vfs.mountOnFile(empty, new RegularInode(empty, 0444, 0, 0), t.dir(), t.name(), "tmpfs", flags, "");
            }
        } catch (ErrnoException e) {
            throw new Sandbox.SandboxException("masked path " + path + ": " + e.errno().description(), e);
        }
    }

    static void readOnly(Vfs vfs, Destinations places, String path) {
        Destinations.Target t = find(places, path);
        if (t == null) return;
        Location at = t.at();
        int flags = at.mount().flags() | MountAbi.MS_RDONLY;
        try {
            if (at.inode().isDir()) {
                vfs.mount(at.mount().fs(), at.inode(), at, at.mount().source(), flags, at.mount().data());
            } else if (t.name() != null) {
                vfs.mountOnFile(at.mount().fs(), at.inode(), t.dir(), t.name(), at.mount().source(), flags, at.mount().data());
            }
        } catch (ErrnoException e) {
            throw new Sandbox.SandboxException("read-only path " + path + ": " + e.errno().description(), e);
        }
    }

    /** The place of {@code path} when it exists and is not the root itself. */
    private static Destinations.Target find(Destinations places, String path) {
        if (path == null || !path.startsWith("/")) throw new Sandbox.SandboxException("path " + path + " is not absolute", null);
        Destinations.Target t;
        try {
            t = places.find(path);
        } catch (ErrnoException e) {
            throw new Sandbox.SandboxException("path " + path + ": " + e.errno().description(), e);
        }
        if (t == null || (t.name() == null && places.isRoot(t.at()))) return null;
        return t;
    }
}
