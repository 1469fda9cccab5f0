package dev.jvisor.sentry;

import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.dev.DevFs;
import dev.jvisor.sentry.fs.host.HostStdioFile;
import dev.jvisor.sentry.fs.tty.Devpts;
import dev.jvisor.sentry.fs.tty.HostLink;
import dev.jvisor.sentry.fs.tty.Terminal;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.fs.proc.ProcFs;
import dev.jvisor.sentry.fs.sys.SysFs;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.fs.overlay.RootFilesystem;
import dev.jvisor.sentry.fs.tmpfs.Tmpfs;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.loader.Loader;
import dev.jvisor.sentry.syscalls.SyscallTable;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.FsContext;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.Mount;
import dev.jvisor.sentry.vfs.Vfs;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Entry point of the Sentry: runs one sandbox to completion. */
public final class Sandbox {
    private Sandbox() {}

    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String[] FORWARDED_SIGNALS = {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "WINCH"};

    /** The sandbox could not be set up or its program could not be started. */
    public static final class SandboxException extends RuntimeException {
        public SandboxException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Runs the spec's program inside a new sandbox and waits for its init to exit.
     *
     * @return the exit status as a shell reports it: the exit code, or 128+N after signal N
     */
    public static int run(SandboxSpec spec) {
        return run(spec, System.err);
    }

    public static int run(SandboxSpec spec, PrintStream log) {
        // The root comes from a Gofer child process (host root when no --rootfs), under the memory overlay.
        RootFilesystem rootfs;
        try {
            rootfs = RootFilesystem.open(spec.rootfs() == null ? Path.of("/") : spec.rootfs(), spec.rootOverlay() ? RootFilesystem.Overlay.MEMORY : RootFilesystem.Overlay.NONE);
        } catch (GoferProcess.GoferStartException | ErrnoException e) {
            throw new SandboxException("cannot serve the root filesystem: " + e.getMessage(), e);
        }
        try {
            return run(spec, log, rootfs);
        } finally {
            rootfs.close();
        }
    }

    private static int run(SandboxSpec spec, PrintStream log, RootFilesystem rootfs) {
        FileSystem rootFs = rootfs.fs();
        DirInode root = rootfs.root();
        Vfs vfs = new Vfs(rootFs, root, "rootfs");
        Kernel kernel = new Kernel(vfs, new SyscallTable(), spec.hostname(), spec.strace(), log);
        mountAt(vfs, root, "proc", ProcFs.create(kernel), 0555, false, "proc");
        Devpts devpts = new Devpts(kernel);
        DirInode dev = DevFs.create(devpts);
        Mount devMount = mountAt(vfs, root, "dev", dev, 0755, false, "devtmpfs");
        // devpts on /dev/pts, as container runtimes mount it: its own filesystem, in /proc/mounts.
        if (devMount != null) vfs.mount(devpts.dir().fs(), devpts.dir(), new Location(devMount, dev.lookup("pts")), "devpts", false);
        mountAt(vfs, root, "sys", SysFs.create(), 0555, false, "sysfs");
        FileSystem tmpFs = Tmpfs.newFileSystem(false);
        mountAt(vfs, root, "tmp", Tmpfs.newRoot(tmpFs, 01777), 01777, false, "tmpfs");

        Location cwd;
        FsContext fs = new FsContext(vfs.root(), vfs.root());
        try {
            cwd = vfs.resolve(fs, vfs.root(), spec.cwd(), true, Credentials.root());
            if (!cwd.inode().isDir()) throw new SandboxException("working directory " + spec.cwd() + " is not a directory", null);
        } catch (ErrnoException e) {
            throw new SandboxException("working directory " + spec.cwd() + ": " + e.errno().description(), e);
        }
        fs.cwd(cwd);
        FdTable fds = new FdTable();
        HostLink hostTerminal = null;
        Terminal console = null;
        if (spec.terminal()) {
            try {
                hostTerminal = HostLink.open(spec.stdin());
            } catch (HostException e) {
                throw new SandboxException("the container's terminal (host fd " + spec.stdin() + ") is not a terminal: " + e.getMessage(), e);
            }
            console = devpts.createConsole(hostTerminal);
            // One open file on fds 0, 1 and 2, as a runtime dup2s the pty slave onto them.
            OpenFile tty = console.openSlave(FileMode.O_RDWR | FileMode.O_NOCTTY);
            fds.install(tty, 0, false);
            fds.installAt(1, tty.retain(), false);
            fds.installAt(2, tty.retain(), false);
        } else {
            fds.install(new HostStdioFile(spec.stdin(), FileMode.O_RDONLY, "/dev/stdin"), 0, false);
            fds.installAt(1, new HostStdioFile(spec.stdout(), FileMode.O_WRONLY, "/dev/stdout"), false);
            fds.installAt(2, new HostStdioFile(spec.stderr(), FileMode.O_WRONLY, "/dev/stderr"), false);
        }
        try {
            return run(spec, log, kernel, vfs, fs, fds, console, hostTerminal);
        } finally {
            if (hostTerminal != null) hostTerminal.close();
        }
    }

    private static int run(SandboxSpec spec, PrintStream log, Kernel kernel, Vfs vfs, FsContext fs, FdTable fds,
                           Terminal console, HostLink hostTerminal) {
        List<String> env = new ArrayList<>(spec.env());
        if (env.stream().noneMatch(e -> e.startsWith("PATH="))) env.add("PATH=" + DEFAULT_PATH);
        Task init = kernel.createInit(fs, fds, Credentials.root());
        String program = findProgram(vfs, fs, spec.argv().get(0), env);
        try {
            Loader.Image img = Loader.load(init, program, spec.argv(), env);
            init.commitExec(img.as(), img.entry(), img.sp(), img.path(), img.argv(), img.envp());
        } catch (ErrnoException e) {
            throw new SandboxException("cannot execute " + spec.argv().get(0) + ": " + e.errno().description(), e);
        }
        if (console != null) {
            // The container's process is a session leader on its terminal, as runc sets it up.
            console.controlSessionOf(init.group());
            hostTerminal.start(console);
        }
        kernel.start(init);
        List<Object> handlers = forwardSignals(kernel, console != null);
        int status;
        try {
            status = kernel.awaitInit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kernel.signalInitFromOutside(9);
            status = 9;
        } finally {
            restoreSignals(handlers);
        }
        Map<Integer, Long> unimplemented = kernel.unimplementedCounts();
        if (!unimplemented.isEmpty() && (spec.strace() || Boolean.getBoolean("jvisor.debug"))) {
            StringBuilder sb = new StringBuilder("jvisor: unimplemented syscalls called:");
            unimplemented.forEach((nr, n) -> sb.append(' ').append(Sysno.name(nr)).append('×').append(n));
            log.println(sb);
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
    }

    /** Mounts {@code fsRoot} on /NAME; null when /NAME exists and is not a directory. */
    private static Mount mountAt(Vfs vfs, DirInode root, String name, DirInode fsRoot, int perm, boolean ro, String source) {
        Inode existing = root.lookup(name);
        if (existing == null) {
            existing = new DirInode(root.fs(), perm, 0, 0);
            root.link(name, existing);
        }
        if (!existing.isDir()) return null;
        return vfs.mount(fsRoot.fs(), fsRoot, new Location(vfs.root().mount(), existing), source, ro);
    }

    /** Resolves argv[0] as execvp(3) would, over the sandbox's PATH. */
    private static String findProgram(Vfs vfs, FsContext fs, String name, List<String> env) {
        if (name.contains("/")) return name;
        String path = DEFAULT_PATH;
        for (String e : env) if (e.startsWith("PATH=")) path = e.substring(5);
        for (String dir : path.split(":")) {
            String candidate = (dir.isEmpty() ? "." : dir) + "/" + name;
            try {
                Location l = vfs.resolve(fs, fs.cwd(), candidate, true, Credentials.root());
                if (l.inode().isRegular()) return candidate;
            } catch (ErrnoException ignored) {
                // not here
            }
        }
        throw new SandboxException("cannot execute " + name + ": not found in PATH " + path, null);
    }

    /** Host signals to the runtime go to the sandbox's init, as from outside its PID namespace. */
    private static List<Object> forwardSignals(Kernel kernel, boolean terminal) {
        List<Object> previous = new ArrayList<>();
        for (String name : FORWARDED_SIGNALS) {
            // On a terminal, window changes reach the foreground group through the terminal.
            if (terminal && name.equals("WINCH")) continue;
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                previous.add(new Object[] {sig, sun.misc.Signal.handle(sig, s -> kernel.signalInitFromOutside(s.getNumber()))});
            } catch (IllegalArgumentException e) {
                // the JVM reserves this one (e.g. QUIT with -Xrs unset); leave it
            }
        }
        return previous;
    }

    private static void restoreSignals(List<Object> previous) {
        for (Object o : previous) {
            Object[] p = (Object[]) o;
            sun.misc.Signal.handle((sun.misc.Signal) p[0], (sun.misc.SignalHandler) p[1]);
        }
    }
}
