package dev.jvisor.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.p9.FdTransport;
import dev.jvisor.p9.P9Client;
import dev.jvisor.p9.P9Server;

import java.util.List;

/** A real Gofer file server and a real client on the two ends of a unix socketpair. */
final class GoferHarness implements GoferUnderTest {
    final GoferFileServer files;
    final P9Server server;
    final P9Client client;
    private final Thread serving;

    GoferHarness(List<MountPoint> mounts) throws ErrnoException {
        files = GoferFileServer.open(mounts);
        FdTransport[] pair = FdTransport.socketPair();
        server = new P9Server(pair[0], files, P9Server.Limits.defaults());
        serving = server.start("gofer-test-server");
        client = P9Client.connect(pair[1], 64 * 1024);
    }

    @Override
    public P9Client client() {
        return client;
    }

    @Override
    public void close() throws InterruptedException {
        client.close();
        serving.join(10_000);
        files.close();
    }
}
