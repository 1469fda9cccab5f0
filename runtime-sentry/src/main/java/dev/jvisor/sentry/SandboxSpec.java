package dev.jvisor.sentry;

import dev.jvisor.sentry.mounts.ContainerMounts;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one sandboxed run needs: the root filesystem, the first program, and how its stdio and
 * tracing are wired. Built by runsc ({@code do}, {@code boot}) and consumed by {@link Sandbox}.
 *
 * @param rootfs   host directory served as the sandbox's root; {@code null} means the host root,
 *                 read-only, under an in-memory overlay
 * @param argv     the program and its arguments; {@code argv.get(0)} is resolved inside the sandbox
 * @param env      environment as {@code KEY=value} strings
 * @param cwd      working directory inside the sandbox
 * @param hostname the sandbox's UTS hostname
 * @param strace   log every system call with decoded arguments and result
 * @param stdin    host fd the application's fd 0 reads from
 * @param stdout   host fd the application's fd 1 writes to
 * @param stderr   host fd the application's fd 2 writes to
 * @param rootOverlay writes to the root stay in a memory overlay (runsc {@code --overlay}, the
 *                 default); false sends them to the host directory through the Gofer
 * @param terminal the program runs on a terminal: {@code stdin} is a host pty slave that the
 *                 Sentry puts in raw mode and serves as /dev/pts/0 through its own line
 *                 discipline; fds 0, 1 and 2 are all that terminal ({@code stdout} and
 *                 {@code stderr} are unused)
 * @param identity who the first program runs as: user, groups, capabilities, limits
 * @param mounts   the container's mounts, read-only root, masked and read-only paths; the
 *                 standard set ({@link ContainerMounts#STANDARD}) when its bundle has none
 */
public record SandboxSpec(Path rootfs, List<String> argv, List<String> env, String cwd,
                          String hostname, boolean strace, int stdin, int stdout, int stderr, boolean rootOverlay,
                          boolean terminal, ProcessIdentity identity, ContainerMounts mounts) {
    /** A spec whose program runs as root with every capability, with the standard mounts. */
    public SandboxSpec(Path rootfs, List<String> argv, List<String> env, String cwd,
                       String hostname, boolean strace, int stdin, int stdout, int stderr, boolean rootOverlay,
                       boolean terminal) {
        this(rootfs, argv, env, cwd, hostname, strace, stdin, stdout, stderr, rootOverlay, terminal,
                ProcessIdentity.ROOT, ContainerMounts.STANDARD);
    }

    /** A spec without a terminal. */
    public SandboxSpec(Path rootfs, List<String> argv, List<String> env, String cwd,
                       String hostname, boolean strace, int stdin, int stdout, int stderr, boolean rootOverlay) {
        this(rootfs, argv, env, cwd, hostname, strace, stdin, stdout, stderr, rootOverlay, false);
    }

    /** A spec with the default memory overlay on the root. */
    public SandboxSpec(Path rootfs, List<String> argv, List<String> env, String cwd,
                       String hostname, boolean strace, int stdin, int stdout, int stderr) {
        this(rootfs, argv, env, cwd, hostname, strace, stdin, stdout, stderr, true, false);
    }

    public SandboxSpec {
        Objects.requireNonNull(argv, "argv");
        if (argv.isEmpty()) throw new IllegalArgumentException("argv must name a program");
        argv = List.copyOf(argv);
        env = env == null ? List.of() : List.copyOf(env);
        cwd = cwd == null ? "/" : cwd;
        hostname = hostname == null ? "jvisor" : hostname;
        identity = identity == null ? ProcessIdentity.ROOT : identity;
        mounts = mounts == null ? ContainerMounts.STANDARD : mounts;
    }
}
