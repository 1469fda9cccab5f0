package dev.jvisor.sentry.vfs;

import java.util.function.Supplier;

/**
 * A /proc/PID/fd/N link: readlink shows the open file's name, but a path walk that follows it
 * goes straight to the open file's place ({@link #jump}), as Linux's magic links do — so it
 * reaches a file whose name was removed, or a pipe (which then opens as a FIFO does), where the
 * name alone would not. A file without a place (none of jVisor's today) is followed by its name.
 */
public final class MagicLinkInode extends SymlinkInode {
    private final Supplier<Location> place;

    public MagicLinkInode(FileSystem fs, Supplier<String> name, Supplier<Location> place) {
        super(fs, name, 0, 0);
        this.place = place;
    }

    /** Where the link leads, or null to follow its name. */
    public Location jump() {
        Location l = place.get();
        return l == null || l.inode() == null ? null : l;
    }
}
