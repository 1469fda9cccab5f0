package dev.jvisor.gofer;

import dev.jvisor.abi.ErrnoException;
import dev.jvisor.p9.FdTransport;
import dev.jvisor.p9.Frame;
import dev.jvisor.p9.P9Codec;
import dev.jvisor.p9.P9ProtocolException;
import dev.jvisor.p9.P9Server;
import dev.jvisor.p9.Rmessage;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw 9P connection to a real server for fuzzing: frames go out as bytes, replies come back
 * decoded, and a watchdog closes the connection (and records a hang) if the server does not
 * answer within the deadline.
 */
final class FuzzConnection implements AutoCloseable {
    static final int REPLY_DEADLINE_MS = 10_000;
    private static final int READ_LIMIT = P9Server.Limits.defaults().maxMsize();

    /** The outcome of one frame. */
    sealed interface Outcome {
        record Reply(Frame frame) implements Outcome {}

        record Closed() implements Outcome {}
    }

    final P9Server server;
    final Thread serving;
    private final FdTransport client;
    private final AtomicLong waitingSince = new AtomicLong(0);
    private final AtomicBoolean hung = new AtomicBoolean();
    private final Thread watchdog;
    private volatile boolean closed;

    FuzzConnection(GoferFileServer files, Thread.UncaughtExceptionHandler onServerCrash) throws ErrnoException {
        FdTransport[] pair = FdTransport.socketPair();
        client = pair[1];
        server = new P9Server(pair[0], files, P9Server.Limits.defaults());
        serving = new Thread(server::serve, "fuzzed-server");
        serving.setUncaughtExceptionHandler(onServerCrash);
        serving.start();
        watchdog = new Thread(this::watch, "fuzz-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    boolean hung() {
        return hung.get();
    }

    /** Sends raw bytes and, when {@code expectReply}, waits for the reply. */
    Outcome exchange(byte[] frame, boolean expectReply) throws P9ProtocolException {
        try {
            client.writeFrame(ByteBuffer.wrap(frame));
        } catch (ErrnoException e) {
            return new Outcome.Closed();
        }
        if (!expectReply) {
            return awaitClose();
        }
        waitingSince.set(System.nanoTime());
        try {
            ByteBuffer raw = client.readFrame(READ_LIMIT);
            if (raw == null) {
                return new Outcome.Closed();
            }
            // The server's replies must always be well-formed: decodeReply throws if not.
            return new Outcome.Reply(P9Codec.decodeReply(raw, READ_LIMIT));
        } catch (ErrnoException e) {
            return new Outcome.Closed();
        } finally {
            waitingSince.set(0);
        }
    }

    /** Sends a frame without waiting; false when the connection is gone. */
    boolean send(byte[] frame) {
        try {
            client.writeFrame(ByteBuffer.wrap(frame));
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** The next reply, or null when the connection ended; the watchdog bounds the wait. */
    Frame nextReply() throws P9ProtocolException {
        waitingSince.set(System.nanoTime());
        try {
            ByteBuffer raw = client.readFrame(READ_LIMIT);
            return raw == null ? null : P9Codec.decodeReply(raw, READ_LIMIT);
        } catch (ErrnoException e) {
            return null;
        } finally {
            waitingSince.set(0);
        }
    }

    /** Waits for the server to close the connection (after a frame it must reject outright). */
    Outcome awaitClose() throws P9ProtocolException {
        waitingSince.set(System.nanoTime());
        try {
            while (true) {
                ByteBuffer raw = client.readFrame(READ_LIMIT);
                if (raw == null) {
                    return new Outcome.Closed();
                }
                Rmessage unexpected = (Rmessage) P9Codec.decodeReply(raw, READ_LIMIT).message();
                throw new AssertionError("server answered an impossible frame with " + unexpected);
            }
        } catch (ErrnoException e) {
            return new Outcome.Closed();
        } finally {
            waitingSince.set(0);
        }
    }

    /** Sends the first bytes of a frame and hangs up: the server must notice the end and quit. */
    void hangUpMidFrame(byte[] frame, int keep) {
        try {
            client.writeFrame(ByteBuffer.wrap(frame, 0, keep));
        } catch (ErrnoException ignored) {
            // Already closed by the server: same end.
        }
    }

    private void watch() {
        while (!closed) {
            long since = waitingSince.get();
            if (since != 0 && System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(REPLY_DEADLINE_MS)) {
                hung.set(true);
                client.close();
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        client.close();
        serving.join(10_000);
        watchdog.interrupt();
        watchdog.join();
    }
}
