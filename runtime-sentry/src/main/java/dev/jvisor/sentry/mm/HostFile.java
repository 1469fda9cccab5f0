package dev.jvisor.sentry.mm;

import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;

import java.lang.foreign.MemorySegment;

/**
 * A read-only host file whose pages application mappings use directly: the stub maps the host
 * descriptor itself (MAP_PRIVATE, never writable), so the host kernel pages it in from its page
 * cache on first touch and every process of every sandbox shares those pages, and nothing is
 * copied into the memory file until something writes. The Sentry reads it through a mapping of
 * its own. Owns the descriptor; closed with the last {@link Chunk} that refers to it.
 */
public final class HostFile {
    /** struct statfs's f_flags bit for a noexec mount (include/linux/statfs.h: ST_NOEXEC). */
    private static final long ST_NOEXEC = 8;
    private static final int PROT_READ = 1, MAP_SHARED = 1;

    private final int fd;
    private final long size;
    private final MemorySegment view;

    private HostFile(int fd, long size, MemorySegment view) {
        this.fd = fd;
        this.size = size;
        this.view = view;
    }

    /**
     * Maps {@code size} bytes of the host file {@code fd} (which this takes over, closing it on
     * failure): null when the host will not map it, or its mount forbids the PROT_EXEC that
     * programs and libraries need; the caller then copies the content instead.
     */
    static HostFile map(int fd, long size) {
        try {
            if (size <= 0 || (Host.fstatfsFlags(fd) & ST_NOEXEC) != 0) {
                Host.close(fd);
                return null;
            }
            long length = MemoryFile.roundUp(size);
            long addr = Host.mmap(0, length, PROT_READ, MAP_SHARED, fd, 0);
            return new HostFile(fd, size, MemorySegment.ofAddress(addr).reinterpret(length));
        } catch (HostException e) {
            try {
                Host.close(fd);
            } catch (HostException ignored) {
                // released either way
            }
            return null;
        }
    }

    /** The descriptor, for the platform to pass to the processes that map it. */
    public int fd() { return fd; }

    /** The file's size when it was mapped. */
    public long size() { return size; }

    /** The Sentry's read-only view, whole pages: past {@link #size} to the page end it reads zero. */
    MemorySegment view() { return view; }

    void close() {
        try {
            Host.munmap(view.address(), view.byteSize());
        } finally {
            Host.close(fd);
        }
    }
}
