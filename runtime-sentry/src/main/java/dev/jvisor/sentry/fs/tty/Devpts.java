package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The sandbox's pseudo-terminals: /dev/pts (one node per live terminal), /dev/ptmx (each open
 * makes a new terminal whose master is the opened file), the console (the container's terminal,
 * /dev/pts/0, whose far side is the host), and which session each terminal controls.
 */
public final class Devpts {
    /** include/uapi/linux/magic.h: DEVPTS_SUPER_MAGIC. */
    public static final long DEVPTS_SUPER_MAGIC = 0x1cd1;
    /** Linux's default /proc/sys/kernel/pty/max. */
    static final int MAX_PTYS = 4096;
    /** include/uapi/linux/major.h: TTYAUX_MAJOR (5), minor 2 is /dev/ptmx. */
    private static final int TTYAUX_MAJOR = 5, PTMX_MINOR = 2;

    private final Kernel kernel;
    private final FileSystem fs = new FileSystem("devpts", DEVPTS_SUPER_MAGIC, false);
    private final DirInode dir = new DirInode(fs, 0755, 0, 0);
    // Guarded by this.
    private final TreeMap<Integer, Terminal> terminals = new TreeMap<>();
    private Terminal console;

    public Devpts(Kernel kernel) {
        this.kernel = kernel;
    }

    FileSystem fs() { return fs; }

    /** The /dev/pts directory. */
    public DirInode dir() { return dir; }

    /**
     * Makes the container's terminal, /dev/pts/0, with a host pty as its far side; the
     * caller starts the link once the terminal's first session exists.
     */
    public synchronized Terminal createConsole(Terminal.FarEnd far) {
        if (console != null) throw new IllegalStateException("the sandbox already has a console");
        console = allocate();
        console.attach(far);
        return console;
    }

    /** The container's terminal, or null when it runs without one. */
    public synchronized Terminal console() { return console; }

    /** The terminal that session {@code sid} controls, or null. */
    public synchronized Terminal controlling(int sid) {
        if (sid == 0) return null;
        for (Terminal t : terminals.values()) if (t.session() == sid) return t;
        return null;
    }

    private Terminal allocate() {
        int index = 0;
        while (terminals.containsKey(index)) index++;
        if (index >= MAX_PTYS) throw Errno.ENOSPC.exception();
        Terminal t = new Terminal(kernel, index, this);
        terminals.put(index, t);
        dir.link(Integer.toString(index), t.node());
        return t;
    }

    synchronized void remove(Terminal t) {
        if (terminals.remove(t.index(), t)) dir.unlink(Integer.toString(t.index()));
    }

    /** Terminals alive now, for tests and /proc. */
    public synchronized List<Terminal> terminals() {
        return new ArrayList<>(terminals.values());
    }

    /** /dev/ptmx: a character device each open of which makes a new terminal, locked until unlockpt. */
    public Inode ptmx(FileSystem devFs) {
        return new Inode(devFs, FileMode.S_IFCHR | 0666, 0, 0) {
            @Override public long size() { return 0; }
            @Override public long rdev() { return ((long) TTYAUX_MAJOR << 8) | PTMX_MINOR; }
            @Override public OpenFile open(Location loc, String path, int flags) { return openMaster(loc, path, flags); }
        };
    }

    private OpenFile openMaster(Location loc, String path, int flags) {
        Terminal t;
        synchronized (this) {
            t = allocate();
        }
        MasterFile m = new MasterFile(loc, path, flags, t, this);
        t.attach(m.end());
        t.locked(true);
        return m;
    }
}
