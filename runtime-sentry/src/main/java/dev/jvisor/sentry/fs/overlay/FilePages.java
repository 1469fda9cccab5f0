package dev.jvisor.sentry.fs.overlay;

import dev.jvisor.sentry.fs.tmpfs.RegularInode;
import dev.jvisor.sentry.mm.SharedMemory;
import dev.jvisor.sentry.vfs.Inode;

/**
 * A file's content as pages to map without copying: a tmpfs file's sandbox memory, or for a file
 * of the read-only lower layer that the overlay caches, the host file the Gofer lent (see
 * {@link dev.jvisor.sentry.mm.HostFile}) or the copy in sandbox memory. The program loader and
 * mmap map such pages copy-on-write, so that the text of a program or library is in memory once
 * however many processes run it.
 */
public final class FilePages {
    private FilePages() {}

    /**
     * The pages of {@code inode}'s content, at least {@code atLeast} bytes of them, or null when
     * it has none in memory (too large for the page cache, a device, a directory); the caller
     * then copies the bytes it needs.
     */
    public static SharedMemory of(Inode inode, long atLeast) {
        RegularInode content = inode instanceof OverlayFile o ? o.cachedContent()
                : inode instanceof RegularInode r ? r : null;
        if (content == null) return null;
        try {
            return content.data().pagesToMap(atLeast);
        } catch (dev.jvisor.abi.linux.ErrnoException e) {
            return null; // more than the file's reserve: copy instead
        }
    }
}
