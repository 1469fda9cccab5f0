package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.MountAbi;

/**
 * A filesystem attached to the tree: its root (a directory, or a single file for a file bind
 * mount), the location it covers ({@code null} for the root mount), its per-mount flags
 * ({@link MountAbi} MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC) and the filesystem-specific
 * options /proc/mounts shows after the flags ({@code size=65536k,mode=755}; empty for none).
 */
public record Mount(FileSystem fs, Inode root, Location mountpoint, String source, int flags, String data) {
    public Mount {
        data = data == null ? "" : data;
    }

    /** A mount with no flags other than, optionally, read-only. */
    public Mount(FileSystem fs, Inode root, Location mountpoint, String source, boolean readOnly) {
        this(fs, root, mountpoint, source, readOnly ? MountAbi.MS_RDONLY : 0, "");
    }

    public Location rootLocation() { return new Location(this, root); }

    public boolean readOnly() { return (flags & MountAbi.MS_RDONLY) != 0; }

    public boolean noExec() { return (flags & MountAbi.MS_NOEXEC) != 0; }

    /** Set-user-ID and set-group-ID bits of files here give nothing at execve (MS_NOSUID). */
    public boolean noSuid() { return (flags & MountAbi.MS_NOSUID) != 0; }

    /** The options column of /proc/mounts: rw or ro, the other flags, then the filesystem's own options. */
    public String optionsText() {
        StringBuilder sb = new StringBuilder(readOnly() ? "ro" : "rw");
        if ((flags & MountAbi.MS_NOSUID) != 0) sb.append(",nosuid");
        if ((flags & MountAbi.MS_NODEV) != 0) sb.append(",nodev");
        if ((flags & MountAbi.MS_NOEXEC) != 0) sb.append(",noexec");
        sb.append(",relatime");
        if (!data.isEmpty()) sb.append(',').append(data);
        return sb.toString();
    }
}
