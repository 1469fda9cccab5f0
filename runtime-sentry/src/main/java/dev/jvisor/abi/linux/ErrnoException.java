package dev.jvisor.abi.linux;

/**
 * A syscall failure carrying its {@link Errno}. Stackless: handlers throw the shared instance
 * from {@link Errno#exception()}, so failing is as cheap as returning.
 */
public final class ErrnoException extends RuntimeException {
    private final Errno errno;

    ErrnoException(Errno errno) {
        super(errno.name(), null, false, false);
        this.errno = errno;
    }

    public Errno errno() { return errno; }
}
