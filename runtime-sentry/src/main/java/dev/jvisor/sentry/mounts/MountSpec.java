package dev.jvisor.sentry.mounts;

import java.util.List;
import java.util.Objects;

/**
 * One checked mount of a container, from its bundle's {@code mounts}.
 *
 * @param destination absolute path inside the container (resolved inside its root when mounted)
 * @param type        the OCI type as written, for /proc/mounts and errors
 * @param kind        what the Sentry mounts there
 * @param source      for a bind: the absolute host path; otherwise the OCI source (a label)
 * @param options     the parsed options
 */
public record MountSpec(String destination, String type, FsType kind, String source, MountOptions options) {
    public MountSpec {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(options, "options");
        if (source == null || source.isEmpty()) source = type == null || type.isEmpty() ? "none" : type;
    }

    /**
     * Checks one OCI mount: an absolute destination, a known type, known options with valid
     * values, and for a bind an absolute host source (existence is checked when it is served).
     */
    public static MountSpec of(String destination, String type, String source, List<String> options) throws MountSpecException {
        if (destination == null || destination.isEmpty()) throw new MountSpecException("mount: destination is required");
        String name = "\"" + destination + "\"";
        if (!destination.startsWith("/")) throw new MountSpecException("mount " + name + ": destination must be an absolute path");
        if (destination.indexOf('\0') >= 0) throw new MountSpecException("mount " + name + ": destination holds a NUL");
        if (destination.length() >= 4096) throw new MountSpecException("mount " + name + ": destination longer than PATH_MAX");
        MountOptions parsed = MountOptions.parse(options == null ? List.of() : options, destination);
        FsType kind = FsType.of(type, parsed.bind(), destination);
        if (kind == FsType.BIND) {
            if (source == null || !source.startsWith("/")) {
                throw new MountSpecException("mount " + name + ": a bind mount needs an absolute host source, got " + source);
            }
            if (source.indexOf('\0') >= 0) throw new MountSpecException("mount " + name + ": source holds a NUL");
        }
        if (kind == FsType.TMPFS || kind == FsType.MQUEUE) TmpfsOptions.parse(parsed, 01777, destination);
        return new MountSpec(destination, type, kind, source, parsed);
    }
}
