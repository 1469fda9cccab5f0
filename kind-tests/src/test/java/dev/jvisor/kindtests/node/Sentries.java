package dev.jvisor.kindtests.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Stream;

/**
 * The Sentries of one runsc installation on this host, read from /proc: a Sentry is the JVM of
 * {@code runsc boot} started from that installation ({@code -Djvisor.home=<home>} and
 * {@code boot} in its argv); the processes it serves are the stubs it ptraces, so "which Sentry
 * serves process P" is P's tracer ({@code TracerPid} in {@code /proc/P/status}, a thread id,
 * mapped to its thread group).
 */
final class Sentries {
    private final String homeFlag;
    private final Path under;

    /** Sentries of the installation at {@code home} whose working directory (their bundle) lies under {@code under}. */
    Sentries(Path home, Path under) {
        this.homeFlag = "-Djvisor.home=" + home;
        this.under = under;
    }

    /** Whether {@code pid} is one of these Sentries. */
    boolean isSentry(long pid) {
        return ProcessHandle.of(pid).map(this::isSentry).orElse(false);
    }

    private boolean isSentry(ProcessHandle p) {
        if (!looksLikeBoot(p)) return false;
        // A Sentry's child caught between posix_spawn's clone and its exec (a Gofer or a stub
        // starting) still shares the Sentry's memory, hence its argv and cwd: it is not a Sentry.
        if (p.parent().map(this::looksLikeBoot).orElse(false)) return false;
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).startsWith(under);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // gone meanwhile
        }
    }

    private boolean looksLikeBoot(ProcessHandle p) {
        List<String> argv = p.info().arguments().map(List::of).orElse(List.of());
        return argv.contains(homeFlag) && argv.contains("boot");
    }

    /** The pids of the Sentries alive now. */
    Set<Long> running() {
        Set<Long> pids = new TreeSet<>();
        ProcessHandle.allProcesses().filter(this::isSentry).forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** The thread group (process) of the tracer of {@code pid}; empty when it is not traced or is gone. */
    static OptionalLong tracerOf(long pid) {
        OptionalLong tracerTid = statusField(pid, "TracerPid");
        if (tracerTid.isEmpty() || tracerTid.getAsLong() == 0) return OptionalLong.empty();
        return statusField(tracerTid.getAsLong(), "Tgid");
    }

    /** The processes that {@code sentry} traces now: the stubs it serves. */
    static Set<Long> tracedBy(long sentry) {
        Set<Long> pids = new TreeSet<>();
        ProcessHandle.allProcesses().forEach(p -> {
            OptionalLong t = tracerOf(p.pid());
            if (t.isPresent() && t.getAsLong() == sentry) pids.add(p.pid());
        });
        return pids;
    }

    private static OptionalLong statusField(long pid, String field) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
            Optional<String> line = lines.filter(l -> l.startsWith(field + ":")).findFirst();
            return line.map(l -> OptionalLong.of(Long.parseLong(l.substring(field.length() + 1).strip()))).orElse(OptionalLong.empty());
        } catch (IOException | UncheckedIOException e) {
            return OptionalLong.empty(); // gone meanwhile
        }
    }

    /**
     * Every Sentry seen alive while the watch ran, sampled often enough to catch any Sentry that
     * lived longer than a JVM's start (hundreds of milliseconds): one for a whole pod means no
     * container of the pod booted a Sentry of its own.
     */
    final class Watch implements AutoCloseable {
        private static final long PERIOD_MS = 40;
        private final Set<Long> seen = new ConcurrentSkipListSet<>();
        private final Thread sampler;
        private volatile boolean stopped;

        Watch() {
            sampler = Thread.ofPlatform().daemon().name("sentry-watch").start(() -> {
                while (!stopped) {
                    seen.addAll(running());
                    try {
                        Thread.sleep(PERIOD_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        /** The Sentries seen so far, after one more sample. */
        Set<Long> seen() {
            seen.addAll(running());
            return new TreeSet<>(seen);
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            sampler.interrupt();
            sampler.join();
        }
    }

    Watch watch() {
        return new Watch();
    }
}
