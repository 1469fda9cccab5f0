package dev.jvisor.hostcall;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Links {@link RawSyscall} on a background thread while the main thread goes on with start-up
 * work that needs no native call (parsing flags and configuration, preloading classes). Linking a
 * JVM's first downcall is 25-40 ms of interpreted code (the JDK spins its stub classes then), and
 * a sandbox's start waits for it twice, in the Sentry and in the Gofer. A separate class: naming
 * {@code RawSyscall} here would initialise it on the caller's thread.
 */
public final class EarlyLink {
    private EarlyLink() {}

    /** The system property that makes {@code runsc} link early (set by bin/runsc for the commands that start processes). */
    public static final String PROPERTY = "jvisor.linkNativeEarly";

    private static final long SYS_GETPID = 39;   // <asm/unistd_64.h>

    /**
     * Starts linking on a daemon thread and returns at once. A thread that calls into {@code
     * RawSyscall} meanwhile waits for the link to finish (class initialisation), and a link that
     * fails fails that call as it would have without this.
     */
    public static void start() {
        new LinkThread().start();
    }

    /** A plain Thread subclass: a lambda or thread builder would cost this early start-up more than the thread. */
    private static final class LinkThread extends Thread {
        LinkThread() {
            super("jvisor-native-link");
            setDaemon(true);
        }

        @Override
        public void run() {
            link();
        }
    }

    private static void link() {
        try {
            RawSyscall.call(SYS_GETPID, 0, 0, 0, 0, 0, 0);
            dev.jvisor.startup.StartupTrace.mark("native-linked");
            warmMemoryAccess();
            warmCallSite();
        } catch (LinkageError | RuntimeException e) {
            // Reported by the first real call, which fails the same way (NoClassDefFoundError).
        }
    }

    /**
     * Reads and writes each value layout the native layers use, once. The first access through a
     * layout builds its var handle (the first of all initialises the JDK's LayoutPath, ~5 ms of
     * generated method-handle classes; an ADDRESS access adapts its handle, a few ms more): done
     * here, those costs are off the path of the first call that needs memory, which otherwise
     * pays them (the Sentry adopting its Gofer, the Gofer making its socketpair, its first reply
     * with a descriptor, the first stub's spawn). A main thread that would otherwise wait for the
     * link calls it too (runsc's), so that these are ready when the link is; safe to call from
     * several threads at once.
     */
    public static void warmMemoryAccess() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(32, 8);
            m.set(JAVA_BYTE, 1, m.get(JAVA_BYTE, 0));
            m.set(JAVA_SHORT, 2, m.get(JAVA_SHORT, 4));
            m.set(JAVA_SHORT_UNALIGNED, 5, m.get(JAVA_SHORT_UNALIGNED, 7));
            m.set(JAVA_INT, 8, m.get(JAVA_INT, 12));
            m.set(JAVA_INT_UNALIGNED, 9, m.get(JAVA_INT_UNALIGNED, 13));
            m.set(JAVA_LONG, 16, m.get(JAVA_LONG, 24));
            m.set(ADDRESS, 24, m.get(ADDRESS, 16));
        }
    }

    /**
     * Calls through the one downcall handle as often as the JDK takes to customise a method handle
     * (127 invocations: it then generates the handle's forms once more, ~2 ms), so that this too
     * happens here rather than in the middle of a sandbox's first requests.
     */
    private static void warmCallSite() {
        for (int i = 0; i < 130; i++) {
            RawSyscall.call(SYS_GETPID, 0, 0, 0, 0, 0, 0);
        }
    }
}
