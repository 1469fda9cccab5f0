package dev.jvisor.behaviour;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One command to run in a mode.
 *
 * @param program absolute path of the executable inside the rootfs, such as {@code /bin/signals}
 * @param args the arguments after the program name; {@link #ROOT} stands for the rootfs root
 *     ({@code /} in the sandbox, the host directory natively)
 * @param env extra environment variables, beyond {@code PATH} and (natively) {@code TMPDIR}
 * @param timeout how long the run may take before it is killed and reported as hung
 */
record Invocation(String program, List<String> args, Map<String, String> env, Duration timeout) {
    /** Placeholder for the rootfs root in arguments. */
    static final String ROOT = "@ROOT@";

    Invocation {
        if (!program.startsWith("/")) {
            throw new IllegalArgumentException("program must be an absolute path in the rootfs: " + program);
        }
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }

    static Invocation of(String program, List<String> args, Duration timeout) {
        return new Invocation(program, args, Map.of(), timeout);
    }
}
