package dev.jvisor.sentry.host.confine;

import dev.jvisor.oci.Capability;
import dev.jvisor.gofer.GoferCapabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The command prefixes that start the Sentry and its Gofers confined: util-linux's unshare(1) and
 * setpriv(1), which do their work in a single-threaded process and then exec the JVM in place.
 *
 * <p>The boot process: {@code sh -c 'exec "$@" 3</'} (the host's root as fd 3, for {@link HostRoot}),
 * then {@code unshare --mount --propagation private --uts --ipc --pid --fork
 * --kill-child --mount-proc [--net]}, then {@code setpriv --bounding-set … --inh-caps -all
 * --no-new-privs}. unshare stays the parent: its pid is the one create writes to the pid file,
 * a host process that exits with the Sentry's status (or dies of the signal that killed it),
 * and whose death SIGKILLs the Sentry (--kill-child), and with it the whole pid namespace: no
 * stub or Gofer can outlive it. The Sentry is pid 1 of the new namespace and sees a /proc of
 * its own, so the pids it hands out and reads back (/proc/PID/… of its stubs) agree.
 *
 * <p>Capabilities: a process running as root gets its whole bounding set at execve, so the
 * Sentry keeps in its bounding set exactly what its Gofers need ({@link GoferCapabilities})
 * plus, on the host network only, binding low ports and raw sockets; nothing else (no
 * CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_NET_ADMIN …). ptrace of its own stubs
 * needs none: they hold no capability the Sentry lacks. Each Gofer is narrowed further to its own
 * set by {@link #goferPrefix()}.
 */
public final class SandboxLaunch {
    static final Path SH = Path.of("/bin/sh");
    static final Path UNSHARE = Path.of("/usr/bin/unshare");
    /** Where the boot process finds the host's root directory ({@link HostRoot}), opened by the prefix. */
    public static final int HOST_ROOT_FD = 3;
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    /** What the host network adds: binding ports below 1024 and ICMP/raw sockets for the app. */
    static final Set<Capability> HOST_NETWORK = EnumSet.of(Capability.CAP_NET_BIND_SERVICE, Capability.CAP_NET_RAW);

    private SandboxLaunch() {}

    /** The host's tools are missing or the caller cannot confine: create refuses rather than run unconfined. */
    public static final class ConfinementUnavailableException extends Exception {
        ConfinementUnavailableException(String message) {
            super(message);
        }
    }

    /** The Gofer's capabilities, typed. */
    public static Set<Capability> goferCapabilities() {
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        for (String name : GoferCapabilities.KEPT) caps.add(Capability.valueOf("CAP_" + name.toUpperCase(Locale.ROOT)));
        return caps;
    }

    /** The Sentry's bounding set: what its Gofers need, plus the host network's two when it uses it. */
    public static Set<Capability> sentryCapabilities(boolean hostNetwork) {
        Set<Capability> caps = goferCapabilities();
        if (hostNetwork) caps.addAll(HOST_NETWORK);
        return caps;
    }

    /**
     * The prefix for the boot process. {@code hostNetwork} keeps the host's network namespace
     * (the Sentry proxies host sockets); otherwise the sandbox gets one with only a loopback.
     */
    public static List<String> bootPrefix(boolean hostNetwork) throws ConfinementUnavailableException {
        require(SH);
        require(UNSHARE);
        require(SETPRIV);
        if (!runningAsRoot()) throw new ConfinementUnavailableException("creating the sandbox's namespaces needs root");
        // The shell opens the host's root while still in the host's mount namespace, then
        // becomes unshare (exec: same pid) with it as fd 3.
        List<String> cmd = new ArrayList<>(List.of(SH.toString(), "-c", "exec \"$@\" " + HOST_ROOT_FD + "</", "jvisor-launch",
                UNSHARE.toString(),
                "--mount", "--propagation=private", "--uts", "--ipc", "--pid", "--fork", "--kill-child", "--mount-proc"));
        if (!hostNetwork) cmd.add("--net");
        cmd.add("--");
        cmd.addAll(privileges(sentryCapabilities(hostNetwork)));
        return cmd;
    }

    /**
     * The prefix for a Gofer: its bounding set narrowed to {@link GoferCapabilities}. Empty when
     * this process is not root (a Gofer of an unprivileged {@code runsc do} has no capability to
     * drop) or setpriv is missing (its own seccomp filter and chroot still confine it).
     */
    public static List<String> goferPrefix() {
        return goferPrefix(runningAsRoot());
    }

    /** {@link #goferPrefix()} for a caller that already knows whether it runs as root. */
    public static List<String> goferPrefix(boolean asRoot) {
        if (!asRoot || !Files.isExecutable(SETPRIV)) return List.of();
        return privileges(goferCapabilities());
    }

    /**
     * The Sentry of a confined sandbox whose launcher is host process {@code launcher}: its one
     * child; empty when {@code launcher} is not a namespace launcher (a sandbox started without
     * confinement, or a pod container's waiter).
     */
    public static List<ProcessHandle> sentryUnder(long launcher) {
        return ProcessHandle.of(launcher)
                .filter(h -> h.info().command().map(UNSHARE.toString()::equals).orElse(false))
                .map(h -> h.children().toList()).orElse(List.of());
    }

    private static List<String> privileges(Set<Capability> kept) {
        String bounding = kept.stream().map(c -> "+" + c.shortName()).collect(Collectors.joining(",", "-all,", ""));
        return List.of(SETPRIV.toString(), "--bounding-set=" + bounding, "--inh-caps=-all", "--no-new-privs", "--");
    }

    private static void require(Path tool) throws ConfinementUnavailableException {
        if (!Files.isExecutable(tool)) {
            throw new ConfinementUnavailableException(tool + " (util-linux) is missing: the sandbox cannot be confined without it");
        }
    }

    /** Effective uid 0, from /proc/self/status (Uid: real effective saved fs). */
    public static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.substring(4).strip().split("\\s+")[1].equals("0");
            }
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
        return false;
    }
}
