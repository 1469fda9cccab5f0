package dev.jvisor.gofer;

import dev.jvisor.abi.AtFlags;
import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.OpenFlags;
import dev.jvisor.p9.FileNode;
import dev.jvisor.p9.FileServer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Gofer's {@link FileServer}: a container's root filesystem and bind mounts, each opened
 * once as a directory descriptor when the Gofer starts (before it confines itself) and attached
 * by name. Nothing it serves can reach beyond those descriptors.
 */
public final class GoferFileServer implements FileServer, AutoCloseable {
    private final Map<String, GoferMount> mounts;
    private final int procSelfFd;

    private GoferFileServer(Map<String, GoferMount> mounts, int procSelfFd) {
        this.mounts = mounts;
        this.procSelfFd = procSelfFd;
    }

    /**
     * Opens every mount's host directory. Host paths are the runtime's configuration, trusted and
     * resolved normally; from here on only names inside them are resolved, beneath them.
     *
     * @throws ErrnoException when a mount cannot be opened (ENOTDIR, ENOENT, ...) or two mounts
     *                        share a name (EEXIST)
     */
    public static GoferFileServer open(List<MountPoint> points) throws ErrnoException {
        int procSelfFd = openProcSelfFd();
        Map<String, GoferMount> mounts = new LinkedHashMap<>();
        List<HostFd> opened = new ArrayList<>();
        try {
            for (MountPoint p : points) {
                if (mounts.containsKey(p.name())) {
                    throw new ErrnoException(Errno.EEXIST, "mount " + p.name());
                }
                HostFd root = new HostFd(Native.openat(AtFlags.AT_FDCWD, p.hostPath().toString(),
                        OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0));
                opened.add(root);
                mounts.put(p.name(), new GoferMount(p, mounts.size(), root, procSelfFd));
            }
        } catch (ErrnoException | RuntimeException e) {
            opened.forEach(HostFd::release);
            Native.closeQuietly(procSelfFd);
            throw e;
        }
        return new GoferFileServer(mounts, procSelfFd);
    }

    /** {@code /proc/self/fd}, kept to reopen O_PATH descriptors after /proc is out of reach. */
    private static int openProcSelfFd() {
        try {
            return Native.openat(AtFlags.AT_FDCWD, "/proc/self/fd",
                    OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
        } catch (ErrnoException noProc) {
            return -1;
        }
    }

    /** The root mount's directory descriptor (the Gofer chroots into it). */
    int rootDescriptor() {
        return mounts.get("/").root().fd();
    }

    /** The attach names served, in mount order. */
    public List<String> mountNames() {
        return List.copyOf(mounts.keySet());
    }

    @Override
    public FileNode attach(String uname, String aname, int nUname) throws ErrnoException {
        GoferMount m = mounts.get(aname.isEmpty() ? "/" : aname);
        if (m == null) {
            throw new ErrnoException(Errno.ENOENT, "attach " + aname);
        }
        // n_uname is the sandbox user's uid; NONUNAME (~0) means none was given.
        return GoferNode.root(m, nUname);
    }

    @Override
    public void close() {
        for (GoferMount m : mounts.values()) {
            m.root().release();
        }
        Native.closeQuietly(procSelfFd);
    }
}
