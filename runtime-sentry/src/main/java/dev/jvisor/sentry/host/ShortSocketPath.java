package dev.jvisor.sentry.host;

import static dev.jvisor.abi.OpenFlags.O_CLOEXEC;
import static dev.jvisor.abi.OpenFlags.O_DIRECTORY;
import static dev.jvisor.abi.OpenFlags.O_PATH;
import static dev.jvisor.abi.linux.UnixSocketAbi.SUN_PATH_MAX;

import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A name for a unix socket file that fits in {@code sockaddr_un}, wherever the file lives.
 *
 * <p>{@code sun_path} holds 107 bytes and a NUL; a container's state directory under a
 * containerd-chosen {@code --root} with a 64-hex CRI id is often longer. A socket whose path
 * does not fit is therefore named through its directory: the directory is opened
 * {@code O_PATH|O_DIRECTORY} and the socket is addressed as {@code /proc/self/fd/N/<name>}, a
 * short path the kernel resolves through the open directory. The file itself is still created
 * in (and found in) the real directory, so the state directory stays the one place that holds
 * it. A path that fits is used as it is: no fd, and no dependency on {@code /proc}.
 *
 * <p>Bind or connect while this is open; the directory fd is needed only for that call.
 */
public final class ShortSocketPath implements AutoCloseable {
    // asm/unistd_64.h
    private static final int SYS_OPENAT = 257;
    /** include/uapi/linux/fcntl.h. */
    private static final int AT_FDCWD = -100;
    /** include/uapi/asm-generic/errno-base.h. */
    private static final int ENAMETOOLONG = 36;
    private static final String PROC_FD = "/proc/self/fd/";

    private final String address;
    private final int dirFd;

    private ShortSocketPath(String address, int dirFd) {
        this.address = address;
        this.dirFd = dirFd;
    }

    /** Whether {@code path} fits in {@code sun_path} with its terminating NUL. */
    public static boolean fits(String path) {
        return path.getBytes(StandardCharsets.UTF_8).length < SUN_PATH_MAX;
    }

    /**
     * A bindable and connectable name for the socket file {@code socket}.
     *
     * @throws HostException ENOENT/ENOTDIR/EACCES… if the directory cannot be opened, or
     *     ENAMETOOLONG if even the short form does not fit (a file name of ~90 bytes)
     */
    public static ShortSocketPath of(Path socket) {
        String full = socket.toString();
        if (fits(full)) return new ShortSocketPath(full, -1);
        Path dir = socket.getParent();
        Path name = socket.getFileName();
        if (dir == null || name == null) throw new HostException("sockaddr_un(" + full + ")", ENAMETOOLONG);
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) Host.syscall("open(" + dir + ")", SYS_OPENAT, AT_FDCWD, a.allocateFrom(dir.toString()).address(),
                    O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
        }
        String viaFd = PROC_FD + fd + "/" + name;
        if (!fits(viaFd)) {
            UnixSockets.closeQuietly(fd);
            throw new HostException("sockaddr_un(" + full + ")", ENAMETOOLONG);
        }
        return new ShortSocketPath(viaFd, fd);
    }

    /** The name to hand to bind(2) or connect(2). */
    public String address() { return address; }

    /** Whether the name goes through an open directory fd (the path was too long). */
    public boolean throughDirectoryFd() { return dirFd >= 0; }

    /** Releases the directory fd; the bound or connected socket does not need it. */
    @Override
    public void close() {
        UnixSockets.closeQuietly(dirFd);
    }
}
