package dev.jvisor.nodeagent.lifecycle;

import dev.jvisor.nodeagent.AgentLog;
import dev.jvisor.nodeagent.cri.CriClient;
import dev.jvisor.nodeagent.cri.CriException;
import dev.jvisor.nodeagent.cri.HandlerProbe;
import dev.jvisor.nodeagent.status.StatusServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The DaemonSet mode: install, then keep the node that way until SIGTERM, then uninstall if this
 * is a removal. While running it re-checks every interval that containerd still serves the
 * handler as configured; when containerd answers without it (its config was rewritten, containerd
 * was upgraded) it installs again. A containerd that does not answer is only reported: an
 * administrator may have stopped it, and restarting it is not the agent's call.
 *
 * <p>SIGTERM and SIGINT are taken from the JVM's default handling (which would start shutdown
 * hooks and halt the JVM as soon as they return, racing whatever the main thread still closes):
 * they only ask {@link #run} to stop, and {@code run} then does the whole shutdown on its own
 * thread, in order, and returns. The uninstall decision comes first, while the policy socket still
 * answers sandboxes that are being created or report events; then the served resources are closed
 * in the order given (the policy socket is removed there); the status server, which answers
 * liveness throughout, goes last.
 */
public final class Daemon {

    /** Decides on SIGTERM whether this is a removal from the node (true) or a restart (false). */
    @FunctionalInterface
    public interface RemovalCheck {
        boolean removalRequested();
    }

    /** What kubelet (SIGTERM) or an operator at a terminal (SIGINT) sends to stop the agent. */
    private static final List<String> STOP_SIGNALS = List.of("TERM", "INT");

    private final NodeContext ctx;
    private final RemovalCheck removal;
    private final Duration reconcileInterval;
    private final Optional<StatusServer> server;
    private final List<AutoCloseable> servedUntilStop;
    /** One install or uninstall at a time in this process (the host lock orders processes). */
    private final Object steps = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean terminating;

    /**
     * @param reconcileInterval how often to re-check; zero checks never
     * @param servedUntilStop   closed, in this order, once the uninstall decision has been carried
     *                          out on termination (their {@code close} must tolerate a second call:
     *                          the caller may close them again)
     */
    public Daemon(NodeContext ctx, RemovalCheck removal, Duration reconcileInterval, Optional<StatusServer> server,
                  List<? extends AutoCloseable> servedUntilStop) {
        this.ctx = ctx;
        this.removal = removal;
        this.reconcileInterval = reconcileInterval;
        this.server = server;
        this.servedUntilStop = List.copyOf(servedUntilStop);
    }

    public void run() throws LifecycleException {
        synchronized (steps) {
            try {
                new Install(ctx).run();
            } catch (LifecycleException e) {
                ctx.status().failed(e.step().name());
                server.ifPresent(StatusServer::close);
                throw e;
            }
        }
        for (String name : STOP_SIGNALS) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                AgentLog.info("termination requested", "signal", "SIG" + s.getName());
                stopped.countDown();
            });
        }
        AgentLog.info("ready; waiting for termination");
        try {
            if (reconcileInterval.isZero()) {
                stopped.await();
            } else {
                while (!stopped.await(reconcileInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                    reconcile();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        terminate();
    }


    private void reconcile() {
        synchronized (steps) {
            if (terminating) {
                return;
            }
            try (CriClient cri = new CriClient(ctx.criSocket(), NodeContext.CRI_CALL_TIMEOUT)) {
                new HandlerProbe(cri, ctx.readyTimeout()).verify(ctx.handler(), HandlerProbe.Mode.STATUS);
                return;
            } catch (CriException e) {
                if (e.reason() != CriException.Reason.HANDLER_MISSING) {
                    ctx.status().failed("CHECK");
                    AgentLog.warn("containerd does not answer; waiting", "error", e.getMessage());
                    return;
                }
                AgentLog.warn("containerd no longer serves the handler as configured; installing again",
                        "error", e.getMessage());
            }
            try {
                new Install(ctx).run();
            } catch (LifecycleException e) {
                ctx.status().failed(e.step().name());
                AgentLog.error("reinstall failed", "step", e.step(), "error", e.getMessage());
            }
        }
    }

    private void terminate() {
        terminating = true;
        synchronized (steps) {
            try {
                if (removal.removalRequested()) {
                    new Uninstall(ctx).run();
                } else {
                    AgentLog.info("stopping without uninstall: the DaemonSet still selects this node");
                }
            } catch (LifecycleException e) {
                ctx.status().failed(e.step().name());
                AgentLog.error("uninstall failed", "step", e.step(), "error", e.getMessage());
            } finally {
                for (AutoCloseable served : servedUntilStop) {
                    try {
                        served.close();
                    } catch (Exception e) {
                        AgentLog.warn("cannot close on termination", "what", served.getClass().getSimpleName(),
                                "error", e.getMessage());
                    }
                }
                server.ifPresent(StatusServer::close);
                AgentLog.info("stopped");
            }
        }
    }
}
