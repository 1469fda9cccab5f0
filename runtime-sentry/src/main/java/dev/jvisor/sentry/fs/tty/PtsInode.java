package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

/** /dev/pts/N: the character device (major 136, UNIX98_PTY_SLAVE_MAJOR) that opens a terminal's slave. */
final class PtsInode extends Inode {
    /** include/uapi/linux/major.h: UNIX98_PTY_SLAVE_MAJOR. */
    static final int PTS_MAJOR = 136;
    /** The tty group devpts gives slaves (its gid=5 mount option, as container runtimes mount it). */
    static final int TTY_GID = 5;

    private final Terminal terminal;
    private final Devpts devpts;

    PtsInode(Devpts devpts, Terminal terminal) {
        super(devpts.fs(), FileMode.S_IFCHR | 0620, 0, TTY_GID);
        this.devpts = devpts;
        this.terminal = terminal;
    }

    Devpts devpts() { return devpts; }

    @Override
    public long size() { return 0; }

    /** new_encode_dev(MKDEV(136, N)): the minor's low byte, the major, the minor's high bits. */
    @Override
    public long rdev() {
        long minor = terminal.index();
        return (minor & 0xff) | ((long) PTS_MAJOR << 8) | ((minor & ~0xffL) << 12);
    }

    @Override
    public OpenFile open(Location loc, String path, int flags) {
        return terminal.openSlave(loc, path, flags);
    }
}
