package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

/** The errno a client call fails with, for tests that expect it to fail. */
public final class Errnos {
    private Errnos() {}

    /** A call that is expected to throw {@link ErrnoException}. */
    public interface FailingCall {
        void run() throws ErrnoException;
    }

    /** The errno {@code call} failed with; an AssertionError if it succeeded. */
    public static Errno of(FailingCall call) {
        try {
            call.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        throw new AssertionError("expected an errno");
    }
}
