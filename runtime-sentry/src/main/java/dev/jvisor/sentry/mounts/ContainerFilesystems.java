package dev.jvisor.sentry.mounts;

import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.MountAbi;
import dev.jvisor.sentry.Sandbox;
import dev.jvisor.sentry.fs.dev.DevFs;
import dev.jvisor.sentry.fs.proc.ProcFs;
import dev.jvisor.sentry.fs.sys.SysFs;
import dev.jvisor.sentry.fs.tmpfs.Tmpfs;
import dev.jvisor.sentry.fs.tty.Devpts;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.Vfs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A container's mounts, built in its root in the Sentry's VFS: the standard set (proc, dev,
 * dev/pts, sys and, for a container's own root, a private tmp) where the bundle mounts nothing
 * at those places, then the bundle's mounts in order, then its masked and read-only paths. Owns
 * the bind mounts' Gofers until {@link #close}.
 */
public final class ContainerFilesystems implements AutoCloseable {
    private final BoundTree binds;

    private ContainerFilesystems(BoundTree binds) {
        this.binds = binds;
    }

    /**
     * Mounts everything {@code spec} asks for in the container rooted at {@code root}.
     *
     * @param privateTmp a tmpfs on /tmp unless the bundle mounts one (off for {@code runsc do}
     *                   over the host's own root, whose /tmp a program may run from)
     * @throws Sandbox.SandboxException naming the mount that failed; nothing stays served then
     */
    public static ContainerFilesystems mount(Kernel kernel, Devpts devpts, Location root, ContainerMounts spec, boolean privateTmp) {
        List<MountSpec> plan = plan(spec.mounts(), privateTmp, devpts != null);
        List<MountSpec> bindSpecs = plan.stream().filter(m -> m.kind() == FsType.BIND).toList();
        BoundTree served = BoundTree.serveAll(bindSpecs);
        ContainerFilesystems built = new ContainerFilesystems(served);
        try {
            Destinations places = new Destinations(kernel.vfs(), root);
            Set<MountSpec> fromBundle = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            fromBundle.addAll(spec.mounts());
            for (MountSpec m : plan) {
                // A standard mount point that a served host tree has as a file (runsc do over an odd
                // directory) is left alone, as before; a bundle's mount there is an error.
                if (!fromBundle.contains(m) && occupiedByNonDirectory(places, m)) continue;
                mountOne(kernel, devpts, places, m, served);
            }
            for (String p : spec.maskedPaths()) PathMasks.mask(kernel.vfs(), places, p);
            for (String p : spec.readonlyPaths()) PathMasks.readOnly(kernel.vfs(), places, p);
        } catch (RuntimeException e) {
            built.close();
            throw e;
        }
        return built;
    }

    private static boolean occupiedByNonDirectory(Destinations places, MountSpec m) {
        try {
            Destinations.Target t = places.find(m.destination());
            return t != null && !t.at().inode().isDir();
        } catch (ErrnoException e) {
            return false; // mountOne reports it
        }
    }

    /** Host pids of the bind mounts' Gofers. */
    public List<Integer> goferPids() {
        return binds.goferPids();
    }

    /** Stops serving the bind mounts (their Gofers exit and are reaped). */
    @Override
    public void close() {
        binds.close();
    }

    /** The standard mounts the bundle does not replace, then the bundle's, devpts right after a bundle's /dev. */
    static List<MountSpec> plan(List<MountSpec> bundle, boolean privateTmp, boolean haveDevpts) {
        Set<String> covered = new HashSet<>();
        for (MountSpec m : bundle) covered.add(normalize(m.destination()));
        MountSpec devptsMount = standard("/dev/pts", "devpts", FsType.DEVPTS, 0, "devpts");
        List<MountSpec> standard = new ArrayList<>(List.of(
                standard("/proc", "proc", FsType.PROC, 0, "proc"),
                standard("/dev", "devtmpfs", FsType.TMPFS, 0, "devtmpfs")));
        if (haveDevpts) standard.add(devptsMount);
        standard.add(standard("/sys", "sysfs", FsType.SYSFS, 0, "sysfs"));
        if (privateTmp) standard.add(standard("/tmp", "tmpfs", FsType.TMPFS, 0, "tmpfs"));
        boolean bundleDev = covered.contains("/dev");
        List<MountSpec> plan = new ArrayList<>();
        for (MountSpec s : standard) {
            if (covered.contains(s.destination())) continue;
            if (s == devptsMount && bundleDev) continue; // goes on the bundle's /dev, below
            plan.add(s);
        }
        for (MountSpec m : bundle) {
            plan.add(m);
            if (haveDevpts && bundleDev && !covered.contains("/dev/pts") && normalize(m.destination()).equals("/dev")) {
                plan.add(devptsMount);
            }
        }
        return plan;
    }

    private static MountSpec standard(String destination, String type, FsType kind, int flags, String source) {
        return new MountSpec(destination, type, kind, source, new MountOptions(flags, false, List.of()));
    }

    /** A destination without repeated or trailing slashes or "." components, for comparing places. */
    static String normalize(String destination) {
        StringBuilder sb = new StringBuilder();
        for (String part : destination.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            sb.append('/').append(part);
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    /** The source column of /proc/mounts: a bind's host path is the host's business, not the container's. */
    private static String shownSource(MountSpec m) {
        return m.kind() == FsType.BIND ? "none" : m.source();
    }

    private static void mountOne(Kernel kernel, Devpts devpts, Destinations places, MountSpec m, BoundTree binds) {
        Vfs vfs = kernel.vfs();
        try {
            int flags = m.options().flags();
            FileSystem fs;
            Inode root;
            String data = m.options().dataText();
            switch (m.kind()) {
                case BIND -> {
                    root = binds.root(m);
                    fs = root.fs();
                }
                case TMPFS -> {
                    if (normalize(m.destination()).equals("/dev")) {
                        // A container's /dev: the Sentry's device nodes on it, as runc populates its tmpfs.
                        root = DevFs.create(devpts);
                    } else {
                        TmpfsOptions t = TmpfsOptions.parse(m.options(), 01777, m.destination());
                        FileSystem tfs = t.sizeBytes() > 0
                                ? Tmpfs.newFileSystem("tmpfs", MountAbi.TMPFS_MAGIC, false, t.sizeBytes())
                                : Tmpfs.newFileSystem(false);
                        root = new DirInode(tfs, t.mode(), t.uid(), t.gid());
                    }
                    fs = root.fs();
                }
                case PROC -> {
                    root = ProcFs.create(kernel);
                    fs = root.fs();
                }
                case SYSFS -> {
                    root = SysFs.create();
                    fs = root.fs();
                }
                case DEVPTS -> {
                    root = devpts != null ? devpts.dir() : new DirInode(Tmpfs.newFileSystem(false), 0755, 0, 0);
                    fs = root.fs();
                }
                case MQUEUE -> {
                    TmpfsOptions t = TmpfsOptions.parse(m.options(), 01777, m.destination());
                    fs = t.sizeBytes() > 0
                            ? Tmpfs.newFileSystem("mqueue", MountAbi.MQUEUE_MAGIC, false, t.sizeBytes())
                            : new FileSystem("mqueue", MountAbi.MQUEUE_MAGIC, false);
                    root = new DirInode(fs, t.mode(), t.uid(), t.gid());
                }
                case CGROUP -> {
                    // No cgroup controls inside the sandbox: an empty, read-only hierarchy.
                    boolean v2 = "cgroup2".equals(m.type());
                    fs = new FileSystem(v2 ? "cgroup2" : "cgroup", v2 ? MountAbi.CGROUP2_SUPER_MAGIC : MountAbi.CGROUP_SUPER_MAGIC, true);
                    root = new DirInode(fs, 0555, 0, 0);
                    flags |= MountAbi.MS_RDONLY;
                }
                default -> throw new IllegalStateException("unhandled mount kind " + m.kind());
            }
            Destinations.Target target = places.prepare(m.destination(), root.isDir());
            if (target.name() == null && places.isRoot(target.at())) {
                throw new Sandbox.SandboxException("mount " + m.destination() + ": cannot mount over the container's root", null);
            }
            if (root.isDir()) {
                if (!target.at().inode().isDir()) {
                    throw new Sandbox.SandboxException("mount " + m.destination() + ": the destination is not a directory", null);
                }
                vfs.mount(fs, root, target.at(), shownSource(m), flags, data);
            } else {
                if (target.name() == null || target.at().inode().isDir()) {
                    throw new Sandbox.SandboxException("mount " + m.destination() + ": a file cannot be mounted on a directory", null);
                }
                vfs.mountOnFile(fs, root, target.dir(), target.name(), shownSource(m), flags, data);
            }
        } catch (ErrnoException e) {
            throw new Sandbox.SandboxException("mount " + m.destination() + " (" + (m.type() == null ? "bind" : m.type()) + "): "
                    + e.errno().description(), e);
        } catch (MountSpecException e) {
            throw new Sandbox.SandboxException(e.getMessage(), e);
        }
    }
}
