package dev.jvisor.sentry.host.confine;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The host's root directory, held as a descriptor opened before the sandbox's mount namespace
 * was made ({@link SandboxLaunch#HOST_ROOT_FD}). The namespace is a private copy of the host's
 * mount table as it was when the Sentry started, and this host propagates no mount events into
 * it; but a pod's later containers have root filesystems that containerd mounts afterwards.
 * Paths walked from this descriptor cross the host's mounts as they are now, so a Gofer is given
 * its root opened through it ({@link #openDirectory}) and sees what runc's container would.
 *
 * <p>Only the Sentry holds it, close-on-exec: a Gofer gets a descriptor of its own root alone,
 * which it chroots into anyway, and stubs get nothing.
 */
public final class HostRoot {
    private static volatile int fd = -1;

    private HostRoot() {}

    /** The descriptor is missing or not a directory. */
    public static final class HostRootException extends Exception {
        HostRootException(String message) {
            super(message);
        }
    }

    /** Takes {@code descriptor}, inherited from the launcher, as the host's root. */
    public static void adopt(int descriptor) throws HostRootException {
        Path link = Path.of("/proc/self/fd", Integer.toString(descriptor));
        try {
            if (descriptor < 3 || !Files.readAttributes(link, BasicFileAttributes.class).isDirectory()) {
                throw new HostRootException("descriptor " + descriptor + " is not a directory");
            }
            ConfineNative.syscall(Sysno.FCNTL, descriptor, FileMode.F_SETFD, FileMode.FD_CLOEXEC);
        } catch (java.io.IOException | ConfineNative.CallFailed e) {
            throw new HostRootException("descriptor " + descriptor + " of the host's root: " + e.getMessage());
        }
        fd = descriptor;
    }

    /** Whether this Sentry holds the host's root (a confined boot process does; {@code runsc do} does not). */
    public static boolean held() {
        return fd >= 0;
    }

    /**
     * An O_PATH descriptor (close-on-exec) of directory {@code hostPath}, an absolute path,
     * walked from the host's root. Symbolic links on the way resolve as usual, absolute ones from
     * this process's root.
     */
    public static int openDirectory(Path hostPath) throws HostRootException {
        if (!held()) throw new HostRootException("no descriptor of the host's root is held");
        if (!hostPath.isAbsolute()) throw new HostRootException("not an absolute path: " + hostPath);
        String relative = hostPath.normalize().toString().substring(1);
        try (Arena arena = Arena.ofConfined()) {
            var name = arena.allocateFrom(relative.isEmpty() ? "." : relative);
            return (int) ConfineNative.syscall(Sysno.OPENAT, fd, name.address(),
                    FileMode.O_PATH | FileMode.O_DIRECTORY | FileMode.O_CLOEXEC);
        } catch (ConfineNative.CallFailed e) {
            throw new HostRootException(hostPath + ": " + e.getMessage());
        }
    }
}
