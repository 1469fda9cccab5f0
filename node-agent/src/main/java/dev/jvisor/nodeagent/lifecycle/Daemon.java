package dev.jvisor.nodeagent.lifecycle;

import dev.jvisor.nodeagent.AgentLog;
import dev.jvisor.nodeagent.cri.CriClient;
import dev.jvisor.nodeagent.cri.CriException;
import dev.jvisor.nodeagent.cri.HandlerProbe;
import dev.jvisor.nodeagent.status.StatusServer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The DaemonSet mode: install, then keep the node that way until SIGTERM, then uninstall if this
 * is a removal. While running it re-checks every interval that containerd still serves the
 * handler as configured; when containerd answers without it (its config was rewritten, containerd
 * was upgraded) it installs again. A containerd that does not answer is only reported: an
 * administrator may have stopped it, and restarting it is not the agent's call.
 */
public final class Daemon {

    /** Decides on SIGTERM whether this is a removal from the node (true) or a restart (false). */
    @FunctionalInterface
    public interface RemovalCheck {
        boolean removalRequested();
    }

    private final NodeContext ctx;
    private final RemovalCheck removal;
    private final Duration reconcileInterval;
    private final Optional<StatusServer> server;
    /** One install or uninstall at a time in this process (the host lock orders processes). */
    private final Object steps = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean terminating;

    /** @param reconcileInterval how often to re-check; zero checks never */
    public Daemon(NodeContext ctx, RemovalCheck removal, Duration reconcileInterval, Optional<StatusServer> server) {
        this.ctx = ctx;
        this.removal = removal;
        this.reconcileInterval = reconcileInterval;
        this.server = server;
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
        Runtime.getRuntime().addShutdownHook(new Thread(this::terminate, "sigterm"));
        AgentLog.info("ready; waiting for termination");
        try {
            if (reconcileInterval.isZero()) {
                stopped.await();
                return;
            }
            while (!stopped.await(reconcileInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                reconcile();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
                server.ifPresent(StatusServer::close);
                stopped.countDown();
            }
        }
    }
}
