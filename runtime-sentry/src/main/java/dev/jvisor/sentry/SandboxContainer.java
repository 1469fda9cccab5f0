package dev.jvisor.sentry;

import dev.jvisor.startup.StartupTrace;

import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.MountAbi;
import dev.jvisor.sentry.mounts.ContainerFilesystems;
import dev.jvisor.sentry.mounts.ContainerMounts;
import dev.jvisor.sentry.fs.tty.Devpts;
import dev.jvisor.sentry.fs.tty.HostLink;
import dev.jvisor.sentry.fs.tty.Terminal;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.fs.host.HostStdioFile;
import dev.jvisor.sentry.fs.overlay.RootFilesystem;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Freezer;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.SigInfo;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.loader.Loader;
import dev.jvisor.sentry.vfs.FdTable;
import dev.jvisor.sentry.vfs.FsContext;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.Mount;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One container of a running sandbox: its own root filesystem (served by its own Gofer) with
 * its mounts in it ({@link ContainerFilesystems}: proc, dev, sys, tmp and its bundle's), the
 * processes started in it (its first and every exec'd one, and all they fork), and its freezer. A pod's containers share the Sentry's kernel (one PID
 * namespace) but not their roots: a path walk of one never reaches another's files.
 */
public final class SandboxContainer {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final String name;
    private final Kernel kernel;
    private final RootFilesystem rootfs;
    private final Location root;
    private final Freezer freezer;
    /** The sandbox's pseudo-terminals, shared by its containers as their /dev/pts. */
    private final Devpts devpts;
    private volatile SandboxProcess first;
    /** The container's mounts beyond its root; their Gofers close with it. */
    private ContainerFilesystems filesystems;
    /** The host side of the first process's terminal, when it runs on one. */
    private volatile HostLink hostTerminal;

    private SandboxContainer(String name, Kernel kernel, Devpts devpts, RootFilesystem rootfs, Location root) {
        this.name = name;
        this.kernel = kernel;
        this.devpts = devpts;
        this.rootfs = rootfs;
        this.root = root;
        this.freezer = new Freezer(name);
    }

    /**
     * The sandbox's first container: its root is the kernel's VFS root. {@code privateTmp}: a
     * tmpfs on /tmp; without it (the host's own root, as {@code runsc do} serves it) /tmp is the
     * host's, under the root's overlay like every other directory, so a program run from a
     * directory there finds it.
     */
    static SandboxContainer primary(String name, Kernel kernel, Devpts devpts, RootFilesystem rootfs, boolean privateTmp,
                                    ContainerMounts mounts) {
        SandboxContainer c = new SandboxContainer(name, kernel, devpts, rootfs, kernel.vfs().root());
        c.mountFilesystems(mounts, privateTmp);
        return c;
    }

    /**
     * A further container (a pod's app container): its root is a mount of its own, attached
     * nowhere in another container's tree, so ".." at its root stays there.
     */
    static SandboxContainer joined(String name, Kernel kernel, Devpts devpts, RootFilesystem rootfs, ContainerMounts mounts) {
        boolean readOnly = rootfs.fs().readOnly() || mounts.rootReadOnly();
        Mount own = kernel.vfs().detachedRoot(rootfs.fs(), rootfs.root(), "rootfs", readOnly ? MountAbi.MS_RDONLY : 0);
        SandboxContainer c = new SandboxContainer(name, kernel, devpts, rootfs, own.rootLocation());
        c.mountFilesystems(mounts, true);
        return c;
    }

    public String name() { return name; }

    /** The container's first process, once started. */
    public SandboxProcess first() { return first; }

    /**
     * Builds the container's mounts in its root (see {@link ContainerFilesystems}); they are
     * this container's to close, with its root.
     */
    private void mountFilesystems(ContainerMounts spec, boolean privateTmp) {
        filesystems = ContainerFilesystems.mount(kernel, devpts, root, spec, privateTmp);
    }

    /**
     * Starts the kernel's init (pid 1) in this container: only for the primary container. With
     * {@code terminal}, {@code spec.stdin()} is a host pty slave: the Sentry runs the line
     * discipline of a terminal of its own over it, and fds 0, 1 and 2 are that terminal.
     */
    SandboxProcess startInit(ProcessSpec spec, boolean terminal) {
        FsContext fs = fsContext(spec.cwd());
        Credentials creds = credentials(spec);
        Terminal console = null;
        FdTable fds;
        if (terminal) {
            try {
                hostTerminal = HostLink.open(spec.stdin());
            } catch (HostException e) {
                throw new Sandbox.SandboxException("the container's terminal (host fd " + spec.stdin() + ") is not a terminal: " + e.getMessage(), e);
            }
            console = devpts.createConsole(hostTerminal);
            // One open file on fds 0, 1 and 2, as a runtime dup2s the pty slave onto them.
            OpenFile tty = console.openSlave(FileMode.O_RDWR | FileMode.O_NOCTTY);
            fds = new FdTable();
            fds.install(tty, 0, false);
            fds.installAt(1, tty.retain(), false);
            fds.installAt(2, tty.retain(), false);
        } else {
            fds = stdio(spec);
        }
        Task init;
        synchronized (kernel) {
            init = kernel.createInit(fs, fds, creds);
            init.group().freezer(freezer);
        }
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        SandboxProcess p = new SandboxProcess(kernel, init.group(), exit);
        applyLimits(init, spec);
        load(init, spec);
        StartupTrace.mark("init-loaded");
        if (console != null) {
            // The container's process is a session leader on its terminal, as runc sets it up.
            console.controlSessionOf(init.group());
            hostTerminal.start(console);
        }
        kernel.start(init);
        awaitStub(init);
        StartupTrace.mark("init-stub-ready");
        first = p;
        return p;
    }

    /** Starts this container's first process, when it is not the sandbox's init (a pod's container). */
    public SandboxProcess startFirst(ProcessSpec spec) {
        if (first != null) throw new IllegalStateException("container " + name + " was started already");
        SandboxProcess p = exec(spec);
        first = p;
        return p;
    }

    /**
     * Starts a process in this container, as runsc exec does: a new session with no parent in
     * the sandbox, its exit reported through {@link SandboxProcess#exit()}. With
     * {@link ProcessSpec#terminal()} the session gets a terminal of its own over the host pty
     * slave given (see {@link ExecTerminal}); it hangs up and goes away when the process exits,
     * before the exit is reported, so whoever reads the host master has seen all the output.
     */
    public SandboxProcess exec(ProcessSpec spec) {
        FsContext fs;
        try {
            fs = fsContext(spec.cwd());
        } catch (RuntimeException e) {
            if (spec.ownsStdio()) closeStdio(spec);
            throw e;
        }
        // The terminal owns the host slave from here on, and lets go of it itself if it fails.
        ExecTerminal terminal = spec.terminal() ? ExecTerminal.open(devpts, spec.stdin()) : null;
        FdTable fds = terminal != null ? terminal.stdio() : stdio(spec);
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        ExecTerminal ownTerminal = terminal;
        Task t;
        try {
            t = kernel.createProcess(fs, fds, credentials(spec), freezer,
                    // Told under the kernel's lock: whoever waits runs on a thread of its own (it may
                    // write to a socket), one that ends with it rather than a pool's that lingers.
                    status -> Thread.ofPlatform().daemon(true).name("jvisor-exit-" + spec.argv().getFirst())
                            .start(() -> {
                                if (ownTerminal != null) ownTerminal.close();
                                exit.complete(SandboxProcess.shellStatus(status));
                            }));
        } catch (ErrnoException e) {
            fds.releaseUser();
            if (terminal != null) terminal.close();
            throw new Sandbox.SandboxException("the sandbox is shutting down", e);
        }
        SandboxProcess p = new SandboxProcess(kernel, t.group(), exit);
        try {
            applyLimits(t, spec);
            load(t, spec);
        } catch (RuntimeException e) {
            // Never ran: end it so the kernel forgets it and the fds (and terminal) are released.
            kernel.exitGroup(t.group(), dev.jvisor.abi.linux.Signal.SIGKILL);
            kernel.start(t);
            throw e;
        }
        if (terminal != null) terminal.controlledBy(t.group());
        kernel.start(t);
        awaitStub(t);
        return p;
    }

    /** How long a new task may take to get its stub before its starter stops waiting. */
    private static final long STUB_WAIT_MILLIS = 30_000;

    /** Returns once the task's stub runs: its host pid is then known (ps) and the program started. */
    private static void awaitStub(Task t) {
        try {
            t.awaitStub(STUB_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends {@code sig} to every process of the container (runsc kill --all). */
    public void signalAll(int sig) {
        for (ThreadGroup g : processes()) kernel.signalGroup(g, SigInfo.kernel(sig));
    }

    /** Live processes of this container, in pid order. */
    public List<ThreadGroup> processes() {
        List<ThreadGroup> out = new ArrayList<>();
        for (ThreadGroup g : kernel.groups()) {
            if (g.freezer() == freezer && g.state() == ThreadGroup.State.ALIVE) out.add(g);
        }
        return out;
    }

    /** Host pids of the stubs that run this container's tasks. */
    public List<Integer> hostPids() {
        List<Integer> out = new ArrayList<>();
        for (ThreadGroup g : processes()) {
            for (Task t : g.tasks()) {
                int pid = t.hostPid();
                if (pid > 0) out.add(pid);
            }
        }
        return out;
    }

    /** Stops every task of the container at its next syscall boundary. */
    public void pause() { freezer.freeze(processes()); }

    public void resume() { freezer.thaw(); }

    public boolean isPaused() { return freezer.isFrozen(); }

    /** Kills what is left of the container and stops serving its root (a joined container's delete). */
    void destroy() {
        resume();
        for (ThreadGroup g : processes()) kernel.exitGroup(g, dev.jvisor.abi.linux.Signal.SIGKILL);
        closeFilesystems();
        kernel.vfs().unmountTree(root.mount());
    }

    /** Stops serving the bind mounts, then the root. */
    private void closeFilesystems() {
        ContainerFilesystems f = filesystems;
        if (f != null) f.close();
        rootfs.close();
    }

    /** Closes the container's root filesystem (its Gofer) and terminal once the sandbox has ended. */
    void closeRoot() {
        HostLink t = hostTerminal;
        if (t != null) t.close();
        closeFilesystems();
    }

    boolean hasTerminal() { return hostTerminal != null; }

    private FsContext fsContext(String cwdPath) {
        FsContext fs = new FsContext(root, root);
        try {
            Location cwd = kernel.vfs().resolve(fs, root, cwdPath, true, Credentials.root());
            if (!cwd.inode().isDir()) throw new Sandbox.SandboxException("working directory " + cwdPath + " is not a directory", null);
            fs.cwd(cwd);
        } catch (ErrnoException e) {
            throw new Sandbox.SandboxException("working directory " + cwdPath + ": " + e.errno().description(), e);
        }
        return fs;
    }

    /** The credentials the spec's process starts with: its user, groups, capabilities and no_new_privs. */
    private static Credentials credentials(ProcessSpec spec) {
        return spec.identity().credentials();
    }

    /**
     * Gives a new process what the rest of its identity says before its program is loaded: its
     * resource limits (RLIMIT_NOFILE bounds its fd table, RLIMIT_STACK the stack the loader
     * maps) and its umask.
     */
    private static void applyLimits(Task t, ProcessSpec spec) {
        ProcessIdentity id = spec.identity();
        id.applyTo(t.group().rlimits());
        t.fds().setLimit(dev.jvisor.sentry.kernel.Rlimits.fdLimit(t.group().rlimits().soft(dev.jvisor.sentry.kernel.Rlimits.RLIMIT_NOFILE)));
        if (id.umask() >= 0) t.fs().umask(id.umask());
    }

    private static FdTable stdio(ProcessSpec spec) {
        FdTable fds = new FdTable();
        fds.install(file(spec, spec.stdin(), FileMode.O_RDONLY, "/dev/stdin"), 0, false);
        fds.installAt(1, file(spec, spec.stdout(), FileMode.O_WRONLY, "/dev/stdout"), false);
        fds.installAt(2, file(spec, spec.stderr(), FileMode.O_WRONLY, "/dev/stderr"), false);
        return fds;
    }

    private static void closeStdio(ProcessSpec spec) {
        // Each distinct fd once: a second close of a number could hit an fd opened since.
        for (int fd : java.util.stream.IntStream.of(spec.stdin(), spec.stdout(), spec.stderr()).distinct().toArray()) {
            try {
                dev.jvisor.sentry.host.Host.close(fd);
            } catch (dev.jvisor.sentry.host.HostException ignored) {
                // the same fd twice, or already closed
            }
        }
    }

    private static HostStdioFile file(ProcessSpec spec, int fd, int mode, String name) {
        return spec.ownsStdio() ? HostStdioFile.owning(fd, mode, name) : new HostStdioFile(fd, mode, name);
    }

    private void load(Task t, ProcessSpec spec) {
        List<String> env = new ArrayList<>(spec.env());
        if (env.stream().noneMatch(e -> e.startsWith("PATH="))) env.add("PATH=" + DEFAULT_PATH);
        FsContext fs = t.fs();
        String program = findProgram(fs, spec.argv().get(0), env);
        try {
            Loader.Image img = Loader.load(t, program, spec.argv(), env);
            // The configured capabilities go through execve's transition, as they do when a
            // runtime sets them and then execs the program.
            dev.jvisor.sentry.kernel.ExecCredentials.apply(t, img.path());
            t.commitExec(img.as(), img.entry(), img.sp(), img.path(), img.argv(), img.envp());
        } catch (ErrnoException e) {
            throw new Sandbox.SandboxException("cannot execute " + spec.argv().get(0) + ": " + e.errno().description(), e);
        }
    }

    /** Resolves argv[0] as execvp(3) would, over the process's PATH. */
    private String findProgram(FsContext fs, String program, List<String> env) {
        if (program.contains("/")) return program;
        String path = DEFAULT_PATH;
        for (String e : env) if (e.startsWith("PATH=")) path = e.substring(5);
        for (String dir : path.split(":")) {
            String candidate = (dir.isEmpty() ? "." : dir) + "/" + program;
            try {
                Location l = kernel.vfs().resolve(fs, fs.cwd(), candidate, true, Credentials.root());
                if (l.inode().isRegular()) return candidate;
            } catch (ErrnoException ignored) {
                // not here
            }
        }
        throw new Sandbox.SandboxException("cannot execute " + program + ": not found in PATH " + path, null);
    }
}
