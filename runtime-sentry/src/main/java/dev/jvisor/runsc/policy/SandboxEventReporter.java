package dev.jvisor.runsc.policy;

import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.runsc.cli.Invocation;
import dev.jvisor.sentry.monitor.SyscallDenials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Streams one pod sandbox's monitoring events to the node agent: started, exited, OOM, and the
 * syscalls the Sentry refused. Off the sandbox's paths: lifecycle events go into a bounded queue
 * ({@link #QUEUE}) and refused syscalls are only counted by the kernel ({@link SyscallDenials});
 * one background thread drains both, turning each second's refusals of one syscall into one event
 * that carries the count. Nothing waits for the agent: when it is away, slow or gone, events are
 * dropped and counted ({@link #dropped()}), the sandbox runs and exits exactly as without it, and
 * the thread tries a new stream now and then. One order is kept: the agent hears of the start
 * before any other event of the sandbox, even when the first stream comes up late. gRPC is loaded
 * only by that thread, only when a
 * policy socket is configured (see {@link PolicyJars}).
 */
public final class SandboxEventReporter implements AutoCloseable {

    /** How runsc reaches the agent's StreamEvents; replaced in tests. */
    @FunctionalInterface
    public interface Connector {
        EventChannel connect() throws Exception;
    }

    static final int QUEUE = 256;
    /** Syscall events per flush: a program keeping many syscalls busy gets the rest next time. */
    static final int MAX_SYSCALL_EVENTS_PER_FLUSH = 32;
    /** Below the agent's per-stream limit: a long-lived sandbox opens a fresh stream before it. */
    static final int MAX_EVENTS_PER_STREAM = 10_000;
    /**
     * How long one event waits for the stream to take it: a first connection in a cold JVM
     * takes a while; meanwhile events wait in the queue, and what does not fit is dropped.
     */
    static final Duration READY_WAIT = Duration.ofSeconds(5);
    static final Duration RETRY = Duration.ofSeconds(5);
    /** How long the sandbox's exit may wait for its last events to reach the agent. */
    static final Duration CLOSE_WAIT = Duration.ofMillis(1500);

    private static final SandboxEventReporter DISABLED = new SandboxEventReporter();

    private final Connector connector;
    private final Duration flushInterval;
    private final Consumer<String> warn;
    private final ArrayBlockingQueue<MonitorEvent> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final Thread thread;
    private volatile SyscallDenials denials;
    private volatile Optional<OomCounter> oom = Optional.empty();
    private volatile boolean closing;

    private SandboxEventReporter() {
        this.connector = null;
        this.flushInterval = null;
        this.warn = null;
        this.thread = null;
    }

    SandboxEventReporter(Connector connector, Duration flushInterval, Consumer<String> warn) {
        this.connector = connector;
        this.flushInterval = flushInterval;
        this.warn = warn;
        this.thread = Thread.ofPlatform().daemon(true).name("jvisor-events").unstarted(this::run);
    }

    /**
     * The reporter of the sandbox {@code boot} runs for container {@code id}: a real one when a
     * policy socket is configured and the bundle names its pod, a disabled one (no thread, no
     * gRPC) otherwise.
     */
    public static SandboxEventReporter forSandbox(Invocation inv, String id, Map<String, String> annotations) {
        Optional<Path> socket = inv.config().policySocket();
        Optional<PodIdentity> pod = PodIdentity.fromCriAnnotations(annotations);
        if (socket.isEmpty() || pod.isEmpty()) return DISABLED;
        Path home = inv.home();
        return new SandboxEventReporter(() -> PolicyJars.openEvents(home, socket.get(), pod.get(), id),
                Duration.ofSeconds(1), inv.log()::warning);
    }

    /** Whether events go anywhere. */
    public boolean enabled() {
        return thread != null;
    }

    /**
     * The sandbox runs: reports it, and from now on forwards the kernel's refusal counts and the
     * OOM kills of the memory cgroup this process is in.
     */
    public void started(SyscallDenials kernelDenials, long sentryPid) {
        if (!enabled() || thread.getState() != Thread.State.NEW) return;
        denials = kernelDenials;
        if (oom.isEmpty()) oom = OomCounter.ofThisProcess();
        offer(MonitorEvent.started(sentryPid));
        thread.start();
    }

    /** Watches {@code counter} instead of this process's memory cgroup; before {@link #started}. */
    void watchOom(OomCounter counter) {
        oom = Optional.of(counter);
    }

    /** The sandbox's init exited with {@code status}; call {@link #close} next. */
    public void exited(int status) {
        if (enabled()) offer(MonitorEvent.exited(status));
    }

    private void offer(MonitorEvent e) {
        if (!queue.offer(e)) dropped.incrementAndGet();
    }

    /** Events the agent's stream took. */
    public long sent() {
        return sent.get();
    }

    /** Events lost because the agent was away, slow, or the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Events the agent said it accepted, summed over the streams it answered. */
    public long acceptedByAgent() {
        return accepted.get();
    }

    /**
     * Sends what is left (refusals counted so far included) and ends the stream, waiting at most
     * {@link #CLOSE_WAIT} in all: an agent that does not answer does not hold up the exit.
     */
    @Override
    public void close() {
        if (!enabled() || !thread.isAlive()) return;
        closing = true;
        thread.interrupt();
        try {
            thread.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ the background thread

    private EventChannel channel;
    /**
     * The sandbox's start while no stream has taken it yet. The agent hears of a sandbox's start
     * before anything else from it: when the first stream is slower than {@link #READY_WAIT}
     * (a cold JVM on a loaded node), the start is not dropped but sent ahead of the first event
     * that finds the stream ready, and nothing is sent before it.
     */
    private MonitorEvent unsentStart;
    private EventChannel.Stream stream;
    private int streamEvents;
    private long retryAt;
    private long lastOomKills = -1;
    private boolean warned;

    private void run() {
        try {
            channel = connector.connect();
        } catch (Exception | LinkageError e) {
            warnOnce("cannot reach the node agent's event stream: " + e.getMessage());
        }
        oom.flatMap(o -> box(o.kills())).ifPresent(k -> lastOomKills = k);
        long nextFlush = System.nanoTime() + flushInterval.toNanos();
        try {
            while (!closing) {
                MonitorEvent e;
                try {
                    e = queue.poll(Math.max(0, nextFlush - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ie) {
                    continue;
                }
                // The refusals made before the exit are reported before it.
                if (e != null && e.kind() == MonitorEvent.Kind.EXITED) flushDenials(4 * MAX_SYSCALL_EVENTS_PER_FLUSH);
                if (e != null) deliver(e);
                if (System.nanoTime() >= nextFlush) {
                    checkOom();
                    flushDenials(MAX_SYSCALL_EVENTS_PER_FLUSH);
                    nextFlush = System.nanoTime() + flushInterval.toNanos();
                }
            }
            // Closing: the refusals before the exit come first, then what is queued (the exit).
            Thread.interrupted();
            checkOom();
            flushDenials(4 * MAX_SYSCALL_EVENTS_PER_FLUSH);
            for (MonitorEvent e; (e = queue.poll()) != null; ) deliver(e);
            if (unsentStart != null) {
                // No stream ever took it: reported as lost, like any event.
                unsentStart = null;
                dropped.incrementAndGet();
            }
            finishStream();
        } finally {
            if (channel != null) channel.close();
        }
    }

    private static Optional<Long> box(OptionalLong v) {
        return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
    }

    private void checkOom() {
        if (oom.isEmpty()) return;
        OptionalLong kills = oom.get().kills();
        if (kills.isEmpty()) return;
        long now = kills.getAsLong();
        if (lastOomKills >= 0 && now > lastOomKills) deliver(MonitorEvent.oom(now - lastOomKills));
        lastOomKills = now;
    }

    private void flushDenials(int max) {
        SyscallDenials d = denials;
        if (d == null) return;
        d.drain(max, c -> deliver(MonitorEvent.syscall(c.denied(),
                c.nr() == SyscallDenials.OTHER ? "syscall_other" : Sysno.name(c.nr()), c.calls())));
    }

    private void deliver(MonitorEvent e) {
        boolean isStart = e.kind() == MonitorEvent.Kind.STARTED;
        if (isStart) unsentStart = e;
        EventChannel.Stream s = usableStream();
        try {
            if (s != null && awaitReady(s)) {
                // The start goes ahead of anything else, however late the first stream came up.
                if (unsentStart != null) send(s, unsentStart);
                unsentStart = null;
                if (!isStart) send(s, e);
                return;
            }
        } catch (RuntimeException re) {
            warnOnce("the node agent's event stream failed: " + re);
        }
        // A start that found no stream waits for the next event that does; the rest is dropped.
        if (!isStart) dropped.incrementAndGet();
        if (s != null && s.failed()) {
            warnOnce("the node agent's event stream failed; dropping events until it is back");
            stream = null;
            retryAt = System.nanoTime() + RETRY.toNanos();
        }
    }

    private void send(EventChannel.Stream s, MonitorEvent e) {
        s.send(e);
        sent.incrementAndGet();
        if (++streamEvents >= MAX_EVENTS_PER_STREAM) finishStream();
    }

    /** close() interrupts only to wake the queue's poll: an event being sent is still sent. */
    private static boolean awaitReady(EventChannel.Stream s) {
        try {
            return s.awaitReady(READY_WAIT);
        } catch (InterruptedException e) {
            try {
                return s.awaitReady(READY_WAIT);
            } catch (InterruptedException again) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** The open stream, or a new one unless the last one failed less than {@link #RETRY} ago. */
    private EventChannel.Stream usableStream() {
        if (channel == null) return null;
        if (stream != null && !stream.failed()) return stream;
        if (stream != null) {
            stream = null;
            retryAt = System.nanoTime() + RETRY.toNanos();
            return null;
        }
        if (System.nanoTime() < retryAt) return null;
        streamEvents = 0;
        stream = channel.openStream();
        return stream;
    }

    private void finishStream() {
        EventChannel.Stream s = stream;
        stream = null;
        if (s == null) return;
        Thread.interrupted();
        try {
            s.finish(CLOSE_WAIT.dividedBy(2)).ifPresent(summary -> accepted.addAndGet(summary.accepted()));
        } catch (InterruptedException | RuntimeException e) {
            s.cancel();
        }
    }

    private void warnOnce(String message) {
        if (warned) return;
        warned = true;
        try {
            warn.accept(message + " (events are dropped and counted; the sandbox runs on)");
        } catch (RuntimeException e) {
            // The log is best effort here.
        }
    }
}
