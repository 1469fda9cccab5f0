package dev.jvisor.gofer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One tree the Gofer serves: the container's root filesystem or one of its bind mounts.
 *
 * @param name     the 9P attach name the Sentry uses for it ({@code "/"} for the root, else the
 *                 mount's destination inside the container)
 * @param hostPath where it is on the host (resolved once, when the Gofer starts)
 * @param readOnly whether every change is refused with EROFS
 */
public record MountPoint(String name, Path hostPath, boolean readOnly) {
    public MountPoint {
        Objects.requireNonNull(name);
        Objects.requireNonNull(hostPath);
        if (!name.startsWith("/")) {
            throw new IllegalArgumentException("mount name must be absolute: " + name);
        }
    }
}
