package dev.jvisor.sentry.vfs;

/** Where a path walk is: an inode as seen through a particular mount. */
public record Location(Mount mount, Inode inode) {
    public DirInode dir() { return (DirInode) inode; }
}
