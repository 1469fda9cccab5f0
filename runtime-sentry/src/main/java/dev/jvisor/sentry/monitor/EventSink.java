package dev.jvisor.sentry.monitor;

/**
 * Where syscall handlers report what the sandbox refused. Called on the syscall path of the
 * application's own thread: an implementation must return at once, never block, never throw.
 */
public interface EventSink {

    /** The sandbox refused syscall {@code nr} for isolation (EPERM: no host privilege). */
    void syscallDenied(long nr);

    /** The program asked for syscall {@code nr}, which the Sentry does not implement (ENOSYS). */
    void syscallUnsupported(long nr);
}
