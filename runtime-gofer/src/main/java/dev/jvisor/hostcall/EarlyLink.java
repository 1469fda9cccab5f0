package dev.jvisor.hostcall;

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
        } catch (LinkageError | RuntimeException e) {
            // Reported by the first real call, which fails the same way (NoClassDefFoundError).
        }
    }
}
