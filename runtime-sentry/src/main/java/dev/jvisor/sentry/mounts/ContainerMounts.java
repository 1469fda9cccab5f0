package dev.jvisor.sentry.mounts;

import java.util.List;

/**
 * Everything about a container's filesystem layout beyond serving its root: what its bundle
 * mounts, in order, whether the root is read-only, and the paths to mask and to make read-only.
 *
 * @param mounts        the bundle's mounts, in order; empty means the standard set (proc, dev,
 *                      dev/pts, sys, tmp), which {@code runsc do} and bundles without mounts get
 * @param rootReadOnly  {@code root.readonly}: every write to the root fails with EROFS
 * @param maskedPaths   {@code linux.maskedPaths}: read as empty (paths the sandbox lacks are skipped)
 * @param readonlyPaths {@code linux.readonlyPaths}: writes fail with EROFS
 */
public record ContainerMounts(List<MountSpec> mounts, boolean rootReadOnly, List<String> maskedPaths, List<String> readonlyPaths) {
    /** No mounts of the bundle's own: the standard set on a writable root. */
    public static final ContainerMounts STANDARD = new ContainerMounts(List.of(), false, List.of(), List.of());

    public ContainerMounts {
        mounts = List.copyOf(mounts);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
    }
}
