package dev.jvisor.sentry.mounts;

import dev.jvisor.sentry.Sandbox;
import dev.jvisor.sentry.fs.gofer.GoferDir;
import dev.jvisor.sentry.fs.gofer.GoferFs;
import dev.jvisor.sentry.fs.gofer.GoferProcess;
import dev.jvisor.sentry.vfs.Inode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host side of one bind mount: a Gofer of its own serving the source (read-only for a
 * {@code ro} bind, so the host refuses writes too) and the inode the container sees.
 *
 * <p>A Gofer serves a directory. For a file source (/etc/hosts, /dev/termination-log) it serves
 * the file's directory and the Sentry mounts only that one file: the container can reach no
 * other entry of that directory, though the Gofer itself is confined to the directory rather
 * than to the file.
 */
final class BoundTree implements AutoCloseable {
    private final GoferProcess gofer;
    private final Inode root;

    private BoundTree(GoferProcess gofer, Inode root) {
        this.gofer = gofer;
        this.root = root;
    }

    Inode root() { return root; }

    /** The Gofer's host pid. */
    int goferPid() { return gofer.pid(); }

    /** Serves every bind mount of {@code binds}, starting their Gofers (each a JVM) in parallel. */
    static Map<MountSpec, BoundTree> serveAll(List<MountSpec> binds) {
        Map<MountSpec, BoundTree> served = new LinkedHashMap<>();
        List<Thread> starters = new ArrayList<>();
        Map<MountSpec, Object> results = new java.util.concurrent.ConcurrentHashMap<>();
        for (MountSpec m : binds) {
            starters.add(Thread.ofPlatform().daemon(true).name("jvisor-bind-" + m.destination()).start(() -> {
                try {
                    results.put(m, serve(m));
                } catch (RuntimeException e) {
                    results.put(m, e);
                }
            }));
        }
        boolean interrupted = false;
        for (Thread t : starters) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        RuntimeException failure = null;
        for (MountSpec m : binds) {
            Object r = results.get(m);
            if (r instanceof BoundTree b) served.put(m, b);
            else if (failure == null) failure = (RuntimeException) r;
        }
        if (failure != null) {
            served.values().forEach(BoundTree::close);
            throw failure;
        }
        return served;
    }

    private static BoundTree serve(MountSpec m) {
        Path source;
        try {
            // The host's symlinks are the host's business: the Gofer must start at the real place.
            source = Path.of(m.source()).toRealPath();
        } catch (IOException e) {
            throw new Sandbox.SandboxException("mount " + m.destination() + ": bind source " + m.source() + " does not exist", e);
        }
        boolean directory = Files.isDirectory(source);
        Path served = directory ? source : source.getParent();
        if (served == null) throw new Sandbox.SandboxException("mount " + m.destination() + ": bind source " + source + " has no directory", null);
        boolean readOnly = m.options().readOnly();
        GoferProcess gofer;
        try {
            gofer = GoferProcess.start(served, readOnly);
        } catch (GoferProcess.GoferStartException e) {
            throw new Sandbox.SandboxException("mount " + m.destination() + ": cannot serve " + source + ": " + e.getMessage(), e);
        }
        try {
            // Shared caching: the host may change a bound file (a ConfigMap, kubelet's view of a log).
            GoferDir top = GoferFs.mount(gofer.client(), "/", GoferFs.CacheMode.SHARED, readOnly);
            Inode root = directory ? top : top.lookup(source.getFileName().toString());
            if (root == null || root.isDir() != directory) {
                throw new Sandbox.SandboxException("mount " + m.destination() + ": bind source " + source + " changed while it was served", null);
            }
            return new BoundTree(gofer, root);
        } catch (RuntimeException e) {
            gofer.close();
            if (e instanceof Sandbox.SandboxException) throw e;
            throw new Sandbox.SandboxException("mount " + m.destination() + ": cannot serve " + source + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        gofer.close();
    }
}
