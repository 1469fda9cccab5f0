package dev.jvisor.sentry.fs;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.gofer.GoferFileServer;
import dev.jvisor.gofer.MountPoint;
import dev.jvisor.p9.FdTransport;
import dev.jvisor.p9.MessageType;
import dev.jvisor.p9.P9Client;
import dev.jvisor.p9.P9ProtocolException;
import dev.jvisor.p9.P9Server;
import dev.jvisor.p9.Transport;
import dev.jvisor.sentry.fs.gofer.GoferDir;
import dev.jvisor.sentry.fs.gofer.GoferFile;
import dev.jvisor.sentry.fs.gofer.GoferFs;
import dev.jvisor.sentry.fs.gofer.LentFile;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.SymlinkInode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the gofer filesystem asks the Gofer for the three things a program does most on a first
 * run — look at a symbolic link, open a file it looked up, list a directory — counted at the
 * server, against a real Gofer file server: one request each beyond the lookup, and no Tclunk
 * for any of them (the fids are released with the request that used them, or never bound).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoferRequestCountTest {
    @TempDir
    Path root;
    private final Map<MessageType, Integer> seen = new ConcurrentHashMap<>();
    /** A type number no 9P message has: the server answers it Rlerror(EINVAL). */
    private static final int UNKNOWN_TYPE = 200;
    /** Makes the server see each Tlistdir as a message it does not know. */
    private volatile boolean refuseListdir;
    private GoferFileServer files;
    private P9Server server;
    private P9Client client;
    private GoferDir top;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(root.resolve("file"), "content");
        Files.createSymbolicLink(root.resolve("link"), Path.of("file"));
        Path d = Files.createDirectory(root.resolve("dir"));
        for (int i = 0; i < 50; i++) Files.createFile(d.resolve("e" + i));
        files = GoferFileServer.open(List.of(new MountPoint("/", root, true)));
        FdTransport[] pair = FdTransport.socketPair();
        server = new P9Server(new Counting(pair[0]), files, P9Server.Limits.defaults());
        server.start("counted-gofer");
        client = P9Client.connect(pair[1], 1 << 20);
        top = GoferFs.mount(client, "/", GoferFs.CacheMode.EXCLUSIVE, true);
        seen.clear();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        files.close();
    }

    @Test
    void aLinksLookupIsOneRequestAndLeavesNoFid() throws Exception {
        int fids = server.fidCount();
        SymlinkInode link = (SymlinkInode) top.lookup("link");
        assertThat(link.target()).isEqualTo("file");
        settle();
        assertThat(seen).isEqualTo(Map.of(MessageType.TWALKGETATTR, 1));
        assertThat(server.fidCount()).isEqualTo(fids);
    }

    @Test
    void openingALookedUpFileForItsContentIsOneRequestMore() throws Exception {
        int fids = server.fidCount();
        GoferFile file = (GoferFile) top.lookup("file");
        try (LentFile lent = file.lend()) {
            assertThat(lent).isNotNull();
            assertThat(lent.size()).isEqualTo(7);
        }
        settle();
        assertThat(seen).isEqualTo(Map.of(MessageType.TWALKGETATTR, 1, MessageType.TDONATEFD, 1));
        assertThat(server.fidCount()).isEqualTo(fids);
    }

    @Test
    void listingADirectoryIsOneRequestFromItsOwnFid() throws Exception {
        DirInode dir = (DirInode) top.lookup("dir");
        int fids = server.fidCount();
        assertThat(dir.list()).hasSize(50);
        settle();
        assertThat(seen).isEqualTo(Map.of(MessageType.TWALKGETATTR, 1, MessageType.TLISTDIR, 1));
        assertThat(server.fidCount()).isEqualTo(fids);
        // And the listing answers, without asking, for the names in it and for those not in it.
        assertThat(dir.lookup("e7")).isNotNull();
        assertThat(dir.lookup("absent")).isNull();
        settle();
        assertThat(seen).isEqualTo(Map.of(MessageType.TWALKGETATTR, 1, MessageType.TLISTDIR, 1));
    }

    @Test
    void aGoferThatDoesNotKnowTlistdirGetsAnOpenedCloneListedFromThenOn() throws Exception {
        refuseListdir = true;   // as a server that does not know the message: Rlerror(EINVAL)
        DirInode dir = (DirInode) top.lookup("dir");
        assertThat(dir.list()).hasSize(50);
        DirInode root = top;
        assertThat(root.list()).extracting(Map.Entry::getKey).contains("file", "link", "dir");
        settle();
        // Asked once; then a clone, Tlopen, Treaddir and Tclunk per listing.
        assertThat(seen).containsEntry(MessageType.TLISTDIR, 1).containsEntry(MessageType.TLOPEN, 2)
                .containsEntry(MessageType.TREADDIR, 2).containsEntry(MessageType.TCLUNK, 2);
    }

    /** Gives clunks sent without waiting (there should be none) the time to arrive. */
    private static void settle() throws InterruptedException {
        Thread.sleep(200);
    }

    /** The server's end of the connection, counting each request by type. */
    private final class Counting implements Transport {
        private final FdTransport inner;

        Counting(FdTransport inner) {
            this.inner = inner;
        }

        @Override
        public ByteBuffer readFrame(int msize) throws ErrnoException, P9ProtocolException {
            ByteBuffer frame = inner.readFrame(msize);
            if (frame != null && frame.remaining() > 4) {
                int at = frame.position() + 4;
                MessageType type = MessageType.ofCode(frame.get(at) & 0xff);
                if (type != null) seen.merge(type, 1, Integer::sum);
                if (type == MessageType.TLISTDIR && refuseListdir) frame.put(at, (byte) UNKNOWN_TYPE);
            }
            return frame;
        }

        @Override
        public void writeFrame(ByteBuffer frame) throws ErrnoException {
            inner.writeFrame(frame);
        }

        @Override
        public void writeFrame(ByteBuffer frame, int fd) throws ErrnoException {
            inner.writeFrame(frame, fd);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
