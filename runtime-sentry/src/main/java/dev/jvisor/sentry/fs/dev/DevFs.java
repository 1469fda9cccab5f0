package dev.jvisor.sentry.fs.dev;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.fs.host.HostStdioFile;
import dev.jvisor.sentry.fs.tmpfs.Tmpfs;
import dev.jvisor.sentry.fs.tty.Devpts;
import dev.jvisor.sentry.fs.tty.Terminal;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.SymlinkInode;

import dev.jvisor.sentry.host.Host;
import java.util.Arrays;

/** Builds the sandbox's /dev, a tmpfs holding emulated device nodes. */
public final class DevFs {
    private DevFs() {}

    /**
     * Fills random bytes for getrandom(2) and /dev/urandom, from the host kernel's pool: what
     * the program would have read natively, without a JCE provider to initialise (java's
     * SecureRandom costs tens of milliseconds of a sandbox's start).
     */
    public static void random(byte[] b, int off, int len) {
        Host.random(b, off, len);
    }

    public static DirInode create() {
        return create(null);
    }

    /**
     * /dev with the sandbox's terminals: /dev/ptmx and /dev/pts from {@code devpts}, /dev/tty
     * for the caller's controlling terminal and /dev/console for the container's terminal.
     * Without {@code devpts} (or before a terminal exists) the old pass-through to a host tty on
     * fd 0 stays.
     */
    public static DirInode create(Devpts devpts) {
        FileSystem fs = new FileSystem("devtmpfs", Tmpfs.MAGIC, false);
        DirInode root = new DirInode(fs, 0755, 0, 0);
        root.link("null", new Device(fs, 1, 3, 0666, Kind.NULL));
        root.link("zero", new Device(fs, 1, 5, 0666, Kind.ZERO));
        root.link("full", new Device(fs, 1, 7, 0666, Kind.FULL));
        root.link("random", new Device(fs, 1, 8, 0666, Kind.RANDOM));
        root.link("urandom", new Device(fs, 1, 9, 0666, Kind.RANDOM));
        root.link("tty", new Device(fs, 5, 0, 0666, Kind.TTY, devpts));
        root.link("console", new Device(fs, 5, 1, 0600, Kind.CONSOLE, devpts));
        root.link("fd", new SymlinkInode(fs, "/proc/self/fd", 0, 0));
        root.link("stdin", new SymlinkInode(fs, "/proc/self/fd/0", 0, 0));
        root.link("stdout", new SymlinkInode(fs, "/proc/self/fd/1", 0, 0));
        root.link("stderr", new SymlinkInode(fs, "/proc/self/fd/2", 0, 0));
        root.link("shm", new DirInode(fs, 01777, 0, 0));
        // The sandbox mounts devpts here when it has one.
        root.link("pts", new DirInode(fs, 0755, 0, 0));
        if (devpts != null) root.link("ptmx", devpts.ptmx(fs));
        return root;
    }

    private enum Kind { NULL, ZERO, FULL, RANDOM, TTY, CONSOLE }

    private static final class Device extends Inode {
        private final long rdev;
        private final Kind kind;
        private final Devpts devpts;

        Device(FileSystem fs, int major, int minor, int perm, Kind kind) {
            this(fs, major, minor, perm, kind, null);
        }

        Device(FileSystem fs, int major, int minor, int perm, Kind kind, Devpts devpts) {
            super(fs, FileMode.S_IFCHR | perm, 0, 0);
            this.rdev = ((long) major << 8) | minor;
            this.kind = kind;
            this.devpts = devpts;
        }

        @Override
        public long size() { return 0; }

        @Override
        public long rdev() { return rdev; }

        @Override
        public OpenFile open(Location loc, String path, int flags) {
            if (kind == Kind.TTY || kind == Kind.CONSOLE) {
                Terminal terminal = null;
                if (devpts != null) {
                    Task t = Task.current();
                    terminal = kind == Kind.CONSOLE ? devpts.console() : t == null ? null : devpts.controlling(t.group().sid());
                    if (terminal != null) return terminal.openAs(loc, path, flags);
                    // A sandbox with terminals: no controlling terminal means none (Linux's ENXIO).
                    if (devpts.console() != null) throw Errno.ENXIO.exception();
                }
                if (!HostStdioFile.isTty(0)) throw Errno.ENXIO.exception();
                return new HostStdioFile(0, flags, path);
            }
            return new DeviceFile(loc, path, flags, kind);
        }
    }

    private static final class DeviceFile extends OpenFile {
        private final Kind kind;

        DeviceFile(Location loc, String path, int flags, Kind kind) {
            super(loc, path, flags);
            this.kind = kind;
        }

        @Override
        public int read(Task t, byte[] buf, int off, int len) {
            switch (kind) {
                case NULL: return 0;
                case RANDOM: random(buf, off, len); return len;
                default: Arrays.fill(buf, off, off + len, (byte) 0); return len;
            }
        }

        @Override
        public int pread(Task t, byte[] buf, int off, int len, long position) {
            return read(t, buf, off, len);
        }

        @Override
        public int write(Task t, byte[] buf, int off, int len) {
            if (kind == Kind.FULL) throw Errno.ENOSPC.exception();
            return len;
        }

        @Override
        public int pwrite(Task t, byte[] buf, int off, int len, long position) {
            return write(t, buf, off, len);
        }

        @Override
        public long seek(long off, int whence) {
            return 0;
        }
    }
}
