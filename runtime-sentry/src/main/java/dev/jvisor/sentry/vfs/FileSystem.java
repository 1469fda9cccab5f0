package dev.jvisor.sentry.vfs;

import java.util.concurrent.atomic.AtomicLong;

/** One mounted filesystem instance: its type, device number and inode numbering. */
public class FileSystem {
    private static final AtomicLong NEXT_DEV = new AtomicLong(1);

    private final String type;
    private final long dev;
    private final long magic;
    private final AtomicLong nextIno = new AtomicLong(1);
    private final boolean readOnly;

    /**
     * @param type  the name /proc/mounts shows (tmpfs, proc, devtmpfs …)
     * @param magic the f_type statfs(2) reports (include/uapi/linux/magic.h)
     */
    public FileSystem(String type, long magic, boolean readOnly) {
        this.type = type;
        this.magic = magic;
        this.readOnly = readOnly;
        this.dev = NEXT_DEV.getAndIncrement();
    }

    public String type() { return type; }
    public long dev() { return dev; }
    public long magic() { return magic; }
    public boolean readOnly() { return readOnly; }
    public long nextIno() { return nextIno.getAndIncrement(); }
}
