package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A tiny in-memory file server for protocol tests: a root directory with a file "data" and a
 * file "slow" whose reads wait until {@link #releaseSlowReads()}; it records node closes so
 * tests can check when the server releases nodes.
 */
final class MemoryTree implements FileServer {
    static final byte[] DATA = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    final CountDownLatch slowReadStarted = new CountDownLatch(1);
    private final CountDownLatch slowReadsMayFinish = new CountDownLatch(1);
    final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

    void releaseSlowReads() {
        slowReadsMayFinish.countDown();
    }

    @Override
    public FileNode attach(String uname, String aname, int nUname) throws ErrnoException {
        if (!aname.equals("/")) {
            throw new ErrnoException(Errno.ENOENT, "attach");
        }
        return new Node("/", new Qid(Qid.QTDIR, 0, 1));
    }

    private final class Node implements FileNode {
        private final String name;
        private final Qid qid;

        Node(String name, Qid qid) {
            this.name = name;
            this.qid = qid;
        }

        @Override
        public Qid qid() {
            return qid;
        }

        @Override
        public FileNode walk(String child) throws ErrnoException {
            return switch (child) {
                case "data" -> new Node("data", new Qid(Qid.QTFILE, 0, 2));
                case "slow" -> new Node("slow", new Qid(Qid.QTFILE, 0, 3));
                default -> throw new ErrnoException(Errno.ENOENT, "walk");
            };
        }

        @Override
        public FileNode duplicate() {
            return new Node(name, qid);
        }

        @Override
        public Qid open(int flags) {
            return qid;
        }

        @Override
        public byte[] read(long offset, int count) throws ErrnoException {
            if (name.equals("slow")) {
                slowReadStarted.countDown();
                try {
                    if (!slowReadsMayFinish.await(30, TimeUnit.SECONDS)) {
                        throw new ErrnoException(Errno.ETIMEDOUT, "slow read");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ErrnoException(Errno.EINTR, "slow read");
                }
                events.add("slow read done");
            }
            int from = (int) Math.min(offset, DATA.length);
            return Arrays.copyOfRange(DATA, from, Math.min(DATA.length, from + count));
        }

        @Override
        public Attr getattr(long mask) {
            return new Attr(Attr.GETATTR_BASIC, qid, qid.isDirectory() ? 0x41ED : 0x81A4, 0, 0, 1, 0,
                    DATA.length, 4096, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        @Override
        public List<DirEntry> readdir(long offset, int max) {
            List<DirEntry> all = List.of(new DirEntry(new Qid(Qid.QTFILE, 0, 2), 1, DirEntry.DT_REG, "data"),
                    new DirEntry(new Qid(Qid.QTFILE, 0, 3), 2, DirEntry.DT_REG, "slow"));
            return all.subList((int) Math.min(offset, all.size()), all.size());
        }

        @Override
        public void close() {
            events.add("close " + name);
        }
    }
}
