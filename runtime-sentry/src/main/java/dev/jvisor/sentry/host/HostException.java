package dev.jvisor.sentry.host;

import dev.jvisor.abi.linux.Errno;

/** A host call failed: names the call and carries the host errno. */
public final class HostException extends RuntimeException {
    private final String call;
    private final int errno;

    public HostException(String call, int errno) {
        super(call + ": " + describe(errno));
        this.call = call;
        this.errno = errno;
    }

    private static String describe(int errno) {
        Errno e = Errno.of(errno);
        return e == null ? "errno " + errno : e.name() + " (" + e.description() + ")";
    }

    /** The host call that failed, e.g. {@code ptrace(PTRACE_GETREGS)}. */
    public String call() { return call; }

    /** The host errno number. */
    public int errno() { return errno; }

    /** The host errno as a typed value, or {@code null} if unknown. */
    public Errno asErrno() { return Errno.of(errno); }
}
