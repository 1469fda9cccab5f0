package dev.jvisor.sentry;

import java.util.List;
import java.util.Objects;

/**
 * A process to start in a running sandbox from outside (runsc exec, a pod's container).
 *
 * @param argv   the program and its arguments; {@code argv.get(0)} is resolved inside the sandbox
 * @param env    environment as {@code KEY=value} strings; PATH is added when missing
 * @param cwd    working directory inside the container
 * @param identity who the process runs as: user, groups, capabilities, limits, no_new_privs, umask
 * @param stdin  host fd the process's fd 0 reads from
 * @param stdout host fd the process's fd 1 writes to
 * @param stderr host fd the process's fd 2 writes to
 * @param ownsStdio the three host fds belong to the sandbox from now on and are closed when the
 *               last descriptor inside refers to them no longer (fds received from runsc)
 * @param terminal {@code stdin}, {@code stdout} and {@code stderr} are one host pty slave: the
 *               process gets a terminal of its own in the sandbox (/dev/pts/N) over it, is the
 *               leader of a session it controls, and has it on fds 0, 1 and 2 (runsc exec -t);
 *               the sandbox closes that fd when the process exits, whatever {@code ownsStdio} says
 */
public record ProcessSpec(List<String> argv, List<String> env, String cwd, ProcessIdentity identity,
                          int stdin, int stdout, int stderr, boolean ownsStdio, boolean terminal) {
    /** A process of {@code uid}:{@code gid} with default groups, capabilities and limits. */
    public ProcessSpec(List<String> argv, List<String> env, String cwd, int uid, int gid,
                       int stdin, int stdout, int stderr, boolean ownsStdio, boolean terminal) {
        this(argv, env, cwd, ProcessIdentity.of(uid, gid), stdin, stdout, stderr, ownsStdio, terminal);
    }

    /** A process whose fds 0, 1 and 2 are the host fds given, without a terminal of its own. */
    public ProcessSpec(List<String> argv, List<String> env, String cwd, int uid, int gid,
                       int stdin, int stdout, int stderr, boolean ownsStdio) {
        this(argv, env, cwd, uid, gid, stdin, stdout, stderr, ownsStdio, false);
    }

    public ProcessSpec {
        Objects.requireNonNull(argv, "argv");
        Objects.requireNonNull(identity, "identity");
        if (argv.isEmpty()) throw new IllegalArgumentException("argv must name a program");
        argv = List.copyOf(argv);
        env = env == null ? List.of() : List.copyOf(env);
        cwd = cwd == null || cwd.isEmpty() ? "/" : cwd;
        if (terminal && (stdin != stdout || stdin != stderr)) {
            throw new IllegalArgumentException("a process on a terminal has the one host pty slave as stdin, stdout and stderr");
        }
    }

    public int uid() { return identity.uid(); }

    public int gid() { return identity.gid(); }
}
