package dev.jvisor.sentry.vfs;

/**
 * A filesystem attached to the tree: its root directory, and the location it covers
 * ({@code null} for the root mount).
 */
public record Mount(FileSystem fs, DirInode root, Location mountpoint, String source, boolean readOnly) {
    public Location rootLocation() { return new Location(this, root); }
}
