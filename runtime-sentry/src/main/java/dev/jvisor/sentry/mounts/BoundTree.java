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
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host side of a container's bind mounts: a Gofer per host directory served (read-only
 * for {@code ro} binds, so the host refuses their writes too), and for each bind the inode the
 * container sees.
 *
 * <p>A Gofer serves a directory. For a file source (/etc/hosts, /dev/termination-log) it serves
 * the file's directory and the Sentry mounts only that one file: the container can reach no
 * other entry of that directory, though the Gofer itself is confined to the directory rather
 * than to the file. Binds of the same directory with the same access (CRI's /etc/hosts,
 * /etc/hostname and /etc/resolv.conf all live in the pod's directory) share one Gofer: each is
 * a JVM, started in parallel with the others.
 */
final class BoundTree implements AutoCloseable {
    /** One directory served by one Gofer. */
    private record Served(Path dir, boolean readOnly) {}

    /** A started Gofer and the root of the tree it serves. */
    private record Started(GoferProcess gofer, GoferDir top) {}

    private final List<GoferProcess> gofers;
    private final Map<MountSpec, Inode> roots;

    private BoundTree(List<GoferProcess> gofers, Map<MountSpec, Inode> roots) {
        this.gofers = gofers;
        this.roots = roots;
    }

    /** What the container sees of {@code bind}. */
    Inode root(MountSpec bind) { return roots.get(bind); }

    List<Integer> goferPids() {
        return gofers.stream().map(GoferProcess::pid).toList();
    }

    /** Serves every bind mount of {@code binds}. */
    static BoundTree serveAll(List<MountSpec> binds) {
        Map<MountSpec, Path> sources = new LinkedHashMap<>();
        Map<Served, GoferDir> tops = new LinkedHashMap<>();
        for (MountSpec m : binds) {
            Path source = realSource(m);
            sources.put(m, source);
            Path dir = Files.isDirectory(source) ? source : source.getParent();
            if (dir == null) throw new Sandbox.SandboxException("mount " + m.destination() + ": bind source " + source + " has no directory", null);
            tops.put(new Served(dir, m.options().readOnly()), null);
        }
        Map<Served, Object> started = startInParallel(new ArrayList<>(tops.keySet()));
        List<GoferProcess> gofers = new ArrayList<>();
        RuntimeException failure = null;
        for (Map.Entry<Served, Object> e : started.entrySet()) {
            if (e.getValue() instanceof Started ok) {
                gofers.add(ok.gofer());
                tops.put(e.getKey(), ok.top());
            } else if (failure == null) {
                failure = (RuntimeException) e.getValue();
            }
        }
        BoundTree tree = new BoundTree(gofers, new LinkedHashMap<>());
        if (failure != null) {
            tree.close();
            throw failure;
        }
        try {
            for (MountSpec m : binds) {
                Path source = sources.get(m);
                boolean directory = Files.isDirectory(source);
                GoferDir top = tops.get(new Served(directory ? source : source.getParent(), m.options().readOnly()));
                Inode root = directory ? top : top.lookup(source.getFileName().toString());
                if (root == null || root.isDir() != directory) {
                    throw new Sandbox.SandboxException("mount " + m.destination() + ": bind source " + source + " changed while it was served", null);
                }
                tree.roots.put(m, root);
            }
        } catch (RuntimeException e) {
            tree.close();
            if (e instanceof Sandbox.SandboxException) throw e;
            throw new Sandbox.SandboxException("bind mounts: " + e.getMessage(), e);
        }
        return tree;
    }

    private static Path realSource(MountSpec m) {
        try {
            // The host's symlinks are the host's business: the Gofer must start at the real place.
            return Path.of(m.source()).toRealPath();
        } catch (IOException e) {
            throw new Sandbox.SandboxException("mount " + m.destination() + ": bind source " + m.source() + " does not exist", e);
        }
    }

    /** Starts a Gofer per directory, each on a thread of its own; a failure is the value of its entry. */
    private static Map<Served, Object> startInParallel(List<Served> dirs) {
        Map<Served, Object> results = new ConcurrentHashMap<>();
        List<Thread> starters = new ArrayList<>();
        for (Served s : dirs) {
            starters.add(Thread.ofPlatform().daemon(true).name("jvisor-gofer-" + s.dir().getFileName()).start(() -> {
                try {
                    results.put(s, serve(s));
                } catch (RuntimeException e) {
                    results.put(s, e);
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
        Map<Served, Object> ordered = new LinkedHashMap<>();
        for (Served s : dirs) ordered.put(s, results.get(s));
        return ordered;
    }

    /** A Gofer over {@code s} and the root of its tree. */
    private static Started serve(Served s) {
        GoferProcess gofer;
        try {
            gofer = GoferProcess.start(s.dir(), s.readOnly());
        } catch (GoferProcess.GoferStartException e) {
            throw new Sandbox.SandboxException("bind mount of " + s.dir() + ": cannot serve it: " + e.getMessage(), e);
        }
        try {
            // Shared caching: the host may change a bound file (a ConfigMap, kubelet's view of a log).
            return new Started(gofer, GoferFs.mount(gofer.client(), "/", GoferFs.CacheMode.SHARED, s.readOnly()));
        } catch (RuntimeException e) {
            gofer.close();
            throw new Sandbox.SandboxException("bind mount of " + s.dir() + ": cannot serve it: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (GoferProcess g : gofers) g.close();
    }
}
