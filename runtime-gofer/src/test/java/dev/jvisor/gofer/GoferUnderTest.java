package dev.jvisor.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.p9.P9Client;

/** A running Gofer (in this JVM or in a confined child) and the client connected to it. */
interface GoferUnderTest extends AutoCloseable {
    P9Client client();

    /** Attaches to the root mount and returns its fid. */
    default int attachRoot() throws ErrnoException {
        return client().attach("root", "/", 0);
    }

    @Override
    void close() throws Exception;
}
