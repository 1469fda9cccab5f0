package dev.jvisor.sentry;

import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.MountAbi;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.fs.overlay.RootFilesystem;
import dev.jvisor.sentry.fs.tty.Devpts;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.mounts.ContainerMounts;
import dev.jvisor.sentry.syscalls.SyscallTable;
import dev.jvisor.sentry.vfs.Vfs;
import dev.jvisor.startup.StartupTrace;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sandbox whose kernel is up: its first container's program runs as pid 1, and more
 * processes (runsc exec) and more containers (a pod's) can be started in it until pid 1 exits.
 * When pid 1 exits, everything else in the sandbox is killed, as in a PID namespace.
 */
public final class RunningSandbox implements AutoCloseable {
    private final Kernel kernel;
    private final Devpts devpts;
    private final SandboxContainer primary;
    private final Map<String, SandboxContainer> joined = new LinkedHashMap<>();
    private final boolean strace;
    private final PrintStream log;

    private RunningSandbox(Kernel kernel, Devpts devpts, SandboxContainer primary, boolean strace, PrintStream log) {
        this.kernel = kernel;
        this.devpts = devpts;
        this.primary = primary;
        this.strace = strace;
        this.log = log;
    }

    /**
     * Serves the spec's root, boots a kernel on it and starts the spec's program as pid 1 in
     * the container named {@code containerName}.
     */
    public static RunningSandbox boot(String containerName, SandboxSpec spec, PrintStream log) {
        RootFilesystem rootfs = openRoot(spec);
        StartupTrace.mark("root-attached");
        SandboxContainer primary = null;
        try {
            Vfs vfs = new Vfs(rootfs.fs(), rootfs.root(), "rootfs", spec.mounts().rootReadOnly() ? MountAbi.MS_RDONLY : 0);
            Kernel kernel = new Kernel(vfs, new SyscallTable(), spec.hostname(), spec.strace(), log);
            StartupTrace.mark("kernel-built");
            Devpts devpts = new Devpts(kernel);
            primary = SandboxContainer.primary(containerName, kernel, devpts, rootfs, spec.rootfs() != null, spec.mounts());
            StartupTrace.mark("container-built");
            RunningSandbox sandbox = new RunningSandbox(kernel, devpts, primary, spec.strace(), log);
            primary.startInit(new ProcessSpec(spec.argv(), spec.env(), spec.cwd(), spec.identity(),
                    spec.stdin(), spec.stdout(), spec.stderr(), false, false), spec.terminal());
            StartupTrace.mark("init-started");
            return sandbox;
        } catch (RuntimeException e) {
            // The container's bind mounts' Gofers go with its root.
            if (primary != null) primary.closeRoot();
            else rootfs.close();
            throw e;
        }
    }

    private static RootFilesystem openRoot(SandboxSpec spec) {
        try {
            // The first container's root lives as long as the sandbox: it may keep host files.
            return RootFilesystem.open(spec.rootfs() == null ? Path.of("/") : spec.rootfs(),
                    spec.rootOverlay() ? RootFilesystem.Overlay.MEMORY : RootFilesystem.Overlay.NONE, true);
        } catch (GoferProcess.GoferStartException | ErrnoException e) {
            throw new Sandbox.SandboxException("cannot serve the root filesystem: " + e.getMessage(), e);
        }
    }

    public Kernel kernel() { return kernel; }

    /** The sandbox's pseudo-terminals, shared by its containers. */
    public Devpts devpts() { return devpts; }

    /** Whether pid 1 runs on a terminal (then window changes reach it through the terminal). */
    public boolean hasTerminal() { return primary.hasTerminal(); }

    /** The container whose program is pid 1. */
    public SandboxContainer primary() { return primary; }

    /** The container named {@code name}, or null. */
    public synchronized SandboxContainer container(String name) {
        if (primary.name().equals(name)) return primary;
        return joined.get(name);
    }

    /**
     * Adds a container with its own root (a pod's app container); its program starts with
     * {@link SandboxContainer#startFirst}. Its root is served by a Gofer of its own.
     */
    public SandboxContainer addContainer(String name, Path rootfs, boolean overlay) {
        return addContainer(name, rootfs, overlay, ContainerMounts.STANDARD);
    }

    /** Adds a container with its own root and its own {@code mounts} (see {@link #addContainer(String, Path, boolean)}). */
    public SandboxContainer addContainer(String name, Path rootfs, boolean overlay, ContainerMounts mounts) {
        synchronized (this) {
            if (container(name) != null) throw new IllegalArgumentException("container " + name + " already exists in this sandbox");
        }
        RootFilesystem root;
        try {
            root = RootFilesystem.open(rootfs, overlay ? RootFilesystem.Overlay.MEMORY : RootFilesystem.Overlay.NONE);
        } catch (GoferProcess.GoferStartException | ErrnoException e) {
            throw new Sandbox.SandboxException("cannot serve the root filesystem of " + name + ": " + e.getMessage(), e);
        }
        SandboxContainer c;
        try {
            c = SandboxContainer.joined(name, kernel, devpts, root, mounts);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
        synchronized (this) {
            if (container(name) != null) {
                root.close();
                throw new IllegalArgumentException("container " + name + " already exists in this sandbox");
            }
            joined.put(name, c);
        }
        return c;
    }

    /** Kills a joined container's processes, stops serving its root and forgets it. */
    public void removeContainer(String name) {
        SandboxContainer c;
        synchronized (this) {
            c = joined.remove(name);
        }
        if (c != null) c.destroy();
    }

    /**
     * Waits for pid 1 to exit, then kills every other process of the sandbox.
     *
     * @return pid 1's exit status as a shell reports it
     */
    public int awaitExit() throws InterruptedException {
        int status = kernel.awaitInit();
        StartupTrace.mark("init-exited");
        primary.first().exit().complete(SandboxProcess.shellStatus(status));
        Map<Integer, Long> unimplemented = kernel.unimplementedCounts();
        if (!unimplemented.isEmpty() && (strace || Boolean.getBoolean("jvisor.debug"))) {
            StringBuilder sb = new StringBuilder("jvisor: unimplemented syscalls called:");
            unimplemented.forEach((nr, n) -> sb.append(' ').append(Sysno.name(nr)).append('×').append(n));
            log.println(sb);
        }
        return SandboxProcess.shellStatus(status);
    }

    /** Signals pid 1 from outside (SIGKILL ends the whole sandbox). */
    public void signalInit(int sig) {
        kernel.signalInitFromOutside(sig);
    }

    /** Stops serving every container's root; call once {@link #awaitExit} has returned. */
    @Override
    public void close() {
        java.util.List<SandboxContainer> all;
        synchronized (this) {
            all = new java.util.ArrayList<>(joined.values());
            joined.clear();
        }
        for (SandboxContainer c : all) c.destroy();
        primary.closeRoot();
    }
}
