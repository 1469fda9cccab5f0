package dev.jvisor.oci;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bundle's config.json (OCI runtime-spec "config.md" and "config-linux.md"): the part of it
 * jVisor acts on. Collections are never null and are immutable.
 *
 * @param process null when the document has none (allowed by the spec; {@code create} needs one)
 * @param root    null when the document has none
 * @param linux   null when the document has no {@code linux} object
 */
public record OciSpec(String ociVersion, Process process, Root root, List<Mount> mounts, String hostname,
                      Map<String, String> annotations, Linux linux) {
    public OciSpec {
        mounts = List.copyOf(mounts);
        annotations = Map.copyOf(annotations);
    }

    /** The program the container runs and its credentials; {@code capabilities} is null when not given. */
    public record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
                          Capabilities capabilities, List<Rlimit> rlimits, boolean noNewPrivileges,
                          ConsoleSize consoleSize) {
        public Process {
            args = List.copyOf(args);
            env = List.copyOf(env);
            rlimits = List.copyOf(rlimits);
        }

        /** A process without a {@code consoleSize}. */
        public Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
                       Capabilities capabilities, List<Rlimit> rlimits, boolean noNewPrivileges) {
            this(terminal, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, null);
        }
    }

    /** {@code process.consoleSize}: the terminal's initial size in characters (each a uint). */
    public record ConsoleSize(long height, long width) {}

    /** uid/gid are Linux uid_t/gid_t: unsigned 32-bit. {@code umask} is -1 when not given. */
    public record User(long uid, long gid, List<Long> additionalGids, long umask) {
        public User {
            additionalGids = List.copyOf(additionalGids);
        }

        /** A user without a umask of its own. */
        public User(long uid, long gid, List<Long> additionalGids) {
            this(uid, gid, additionalGids, -1);
        }
    }

    /** The five capability sets of {@code process.capabilities}. */
    public record Capabilities(Set<Capability> bounding, Set<Capability> effective, Set<Capability> inheritable,
                               Set<Capability> permitted, Set<Capability> ambient) {
        public static final Capabilities NONE = new Capabilities(Set.of(), Set.of(), Set.of(), Set.of(), Set.of());

        public Capabilities {
            bounding = Set.copyOf(bounding);
            effective = Set.copyOf(effective);
            inheritable = Set.copyOf(inheritable);
            permitted = Set.copyOf(permitted);
            ambient = Set.copyOf(ambient);
        }
    }

    /**
     * One {@code process.rlimits} entry.
     *
     * @param soft as unsigned 64-bit bits: -1 is RLIM_INFINITY
     * @param hard as unsigned 64-bit bits: -1 is RLIM_INFINITY
     */
    public record Rlimit(Rlimits.Resource type, long soft, long hard) {}

    /** The container's root filesystem: a path relative to the bundle, or absolute. */
    public record Root(String path, boolean readonly) {}

    public record Mount(String destination, String type, String source, List<String> options) {
        public Mount {
            options = List.copyOf(options);
        }
    }

    public record Linux(List<Namespace> namespaces, Resources resources, String cgroupsPath, Seccomp seccomp,
                        List<String> maskedPaths, List<String> readonlyPaths, Map<String, String> sysctl) {
        public Linux {
            namespaces = List.copyOf(namespaces);
            maskedPaths = List.copyOf(maskedPaths);
            readonlyPaths = List.copyOf(readonlyPaths);
            sysctl = Map.copyOf(sysctl);
        }
    }

    /** @param path an existing namespace to join, or null for a new one */
    public record Namespace(NamespaceType type, String path) {}

    /**
     * {@code linux.resources}: what jVisor applies to the sandbox's cgroup. Absent values are null.
     *
     * @param memoryLimit  bytes; -1 means unlimited
     * @param cpuQuota     microseconds per period; -1 means unlimited
     */
    public record Resources(Long memoryLimit, Long memoryReservation, Long memorySwap, Long cpuShares,
                            Long cpuQuota, Long cpuPeriod, String cpusetCpus, String cpusetMems, Long pidsLimit) {
        public static final Resources NONE = new Resources(null, null, null, null, null, null, null, null, null);
    }

    /** {@code linux.seccomp}: kept as data; jVisor's Sentry does its own syscall filtering. */
    public record Seccomp(String defaultAction, List<String> architectures, List<SeccompRule> syscalls) {
        public Seccomp {
            architectures = List.copyOf(architectures);
            syscalls = List.copyOf(syscalls);
        }
    }

    /** @param errnoRet null when not set */
    public record SeccompRule(List<String> names, String action, Long errnoRet) {
        public SeccompRule {
            names = List.copyOf(names);
        }
    }
}
