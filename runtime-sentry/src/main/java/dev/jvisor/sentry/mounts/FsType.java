package dev.jvisor.sentry.mounts;

import java.util.Locale;

/** The kinds of mount a container can have, by the OCI {@code type} (and {@code bind} option) that selects them. */
public enum FsType {
    /** A host file or directory, served by a Gofer of its own. */
    BIND,
    TMPFS,
    PROC,
    SYSFS,
    DEVPTS,
    /** POSIX message queues: the Sentry has none, so an empty tmpfs-like directory. */
    MQUEUE,
    /** cgroup or cgroup2: an empty read-only directory (the Sentry exposes no cgroup controls). */
    CGROUP;

    /**
     * The kind for an OCI mount: a {@code bind}/{@code rbind} option makes any type a bind mount,
     * as runc treats it.
     */
    static FsType of(String type, boolean bindOption, String destination) throws MountSpecException {
        if (bindOption) return BIND;
        if (type == null || type.isEmpty()) {
            throw new MountSpecException("mount " + destination + ": no type and no bind option");
        }
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "bind", "rbind" -> BIND;
            case "tmpfs", "devtmpfs" -> TMPFS;
            case "proc" -> PROC;
            case "sysfs" -> SYSFS;
            case "devpts" -> DEVPTS;
            case "mqueue" -> MQUEUE;
            case "cgroup", "cgroup2" -> CGROUP;
            default -> throw new MountSpecException("mount " + destination + ": filesystem type \"" + type
                    + "\" is not supported (bind, tmpfs, proc, sysfs, devpts, mqueue, cgroup, cgroup2)");
        };
    }
}
