package dev.jvisor.nodeagent.lifecycle;

import dev.jvisor.nodeagent.AgentLog;
import dev.jvisor.nodeagent.containerd.ConfigPlan;
import dev.jvisor.nodeagent.containerd.ContainerdConfigException;
import dev.jvisor.nodeagent.containerd.ContainerdVersion;
import dev.jvisor.nodeagent.cri.ContainerdHealth;
import dev.jvisor.nodeagent.cri.CriClient;
import dev.jvisor.nodeagent.cri.CriException;
import dev.jvisor.nodeagent.cri.HandlerProbe;
import dev.jvisor.nodeagent.host.HostException;
import dev.jvisor.nodeagent.host.HostLock;
import dev.jvisor.nodeagent.host.RunscNodeConfig;
import dev.jvisor.nodeagent.host.InstallJournal;
import dev.jvisor.nodeagent.host.InstallJournal.Phase;
import dev.jvisor.nodeagent.kube.KubeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Installs jVisor on the node: lock → journal → copy the distribution → switch {@code current} →
 * edit containerd's config → restart containerd (only if it does not already serve the handler) →
 * wait until ready → prove the handler → journal INSTALLED → label the node. Every step converges
 * when repeated, so an install killed at any point is finished by simply running it again.
 */
public final class Install {

    private final NodeContext ctx;

    public Install(NodeContext ctx) {
        this.ctx = ctx;
    }

    public void run() throws LifecycleException {
        try (HostLock lock = acquireLock(ctx.lockFile())) {
            InstallJournal.State state = ctx.journal().read()
                    .orElse(new InstallJournal.State(Phase.INSTALLING, List.of(), List.of()));
            ConfigPlan plan = plan();
            // Journal first: whatever happens next, an uninstall knows what to undo.
            state = state.including(ctx.version(), plan.files().stream().map(ctx.host()::toHost).toList())
                    .withPhase(Phase.INSTALLING);
            ctx.journal().write(state);
            AgentLog.info("installing", "version", ctx.version(), "flavour", plan.flavour(),
                    "schema", plan.schema(), "files", plan.files());
            copy();
            configure(plan);
            try (CriClient cri = new CriClient(ctx.criSocket(), NodeContext.CRI_CALL_TIMEOUT)) {
                restartUnlessServing(cri, plan);
                prove(cri);
            } catch (LifecycleException notServing) {
                withdrawReadyLabel(notServing);
                throw notServing;
            }
            ctx.journal().write(state.withPhase(Phase.INSTALLED));
        } catch (HostException e) {
            throw new LifecycleException(LifecycleException.Step.JOURNAL, e);
        }
        label();
        ctx.status().installed();
        AgentLog.info("installed", "version", ctx.version(), "handler", ctx.handler().name());
    }

    static HostLock acquireLock(Path lockFile) throws LifecycleException {
        try {
            return HostLock.acquire(lockFile, NodeContext.LOCK_TIMEOUT);
        } catch (HostException e) {
            throw new LifecycleException(LifecycleException.Step.LOCK, e);
        }
    }

    private void copy() throws LifecycleException {
        try {
            Path installed = ctx.installer().install(ctx.distribution(), ctx.version());
            // Before activation: runsc never runs from a version that does not yet ask the agent.
            RunscNodeConfig.setPolicySocket(installed, ctx.policySocket());
            ctx.installer().activate(ctx.version());
        } catch (HostException e) {
            throw new LifecycleException(LifecycleException.Step.COPY, e);
        }
    }

    private ConfigPlan plan() throws LifecycleException {
        Optional<ContainerdVersion> version = Optional.empty();
        if (ctx.node().isPresent()) {
            try {
                version = ctx.node().get().containerRuntimeVersion().flatMap(ContainerdVersion::fromNodeRuntimeVersion);
            } catch (KubeException e) {
                throw new LifecycleException(LifecycleException.Step.PLAN, e);
            }
        }
        try {
            return ctx.planner().plan(ctx.flavour(), ctx.configHostPath(), version, ctx.handler());
        } catch (ContainerdConfigException e) {
            throw new LifecycleException(LifecycleException.Step.PLAN, e);
        }
    }

    private void configure(ConfigPlan plan) throws LifecycleException {
        try {
            plan.apply();
        } catch (ContainerdConfigException e) {
            throw new LifecycleException(LifecycleException.Step.CONFIGURE, e);
        }
    }

    /**
     * A containerd that already serves the handler as configured (a re-run of a finished install, an agent pod
     * restart) is left running: restarting it would disturb every pod on the node for nothing.
     */
    private void restartUnlessServing(CriClient cri, ConfigPlan plan) throws LifecycleException {
        try {
            new HandlerProbe(cri, sandboxTimeout()).verify(ctx.handler(), HandlerProbe.Mode.STATUS);
            AgentLog.info("containerd already serves the handler; not restarting");
            return;
        } catch (CriException notYet) {
            AgentLog.info("restarting containerd", "because", notYet.getMessage());
        }
        try {
            restartAndWait(ctx, cri);
        } catch (LifecycleException failed) {
            rollBack(cri, plan, failed);
            throw failed;
        }
    }

    /**
     * containerd did not come back with our config: put the user's config back and restart again,
     * so that a node we could not set up is at least the node it was. The installed files and the
     * journal stay; the next install or an uninstall takes it from there.
     */
    private void rollBack(CriClient cri, ConfigPlan plan, LifecycleException failure) {
        AgentLog.error("containerd did not come back; restoring its config", "error", failure.getMessage());
        try {
            ConfigPlan.revert(plan.files());
            restartAndWait(ctx, cri);
            AgentLog.info("containerd runs again with its original config");
        } catch (ContainerdConfigException | LifecycleException e) {
            failure.addSuppressed(e);
            AgentLog.error("restoring containerd failed too", "error", e.getMessage());
        }
    }

    static void restartAndWait(NodeContext ctx, CriClient cri) throws LifecycleException {
        ctx.status().containerdRestarted();
        ctx.restart().run();
        try {
            ContainerdHealth.awaitReady(cri, ctx.readyTimeout(), Duration.ofMillis(250));
        } catch (CriException e) {
            throw new LifecycleException(LifecycleException.Step.WAIT_READY, e);
        }
    }

    private void prove(CriClient cri) throws LifecycleException {
        try {
            new HandlerProbe(cri, sandboxTimeout()).verify(ctx.handler(), ctx.probe());
        } catch (CriException e) {
            throw new LifecycleException(LifecycleException.Step.PROBE, e);
        }
    }

    private Duration sandboxTimeout() {
        return ctx.readyTimeout();
    }

    /**
     * A node labelled ready by an earlier install must not keep attracting jVisor pods once the
     * handler is found not to work (a failed upgrade).
     */
    private void withdrawReadyLabel(LifecycleException failure) {
        if (ctx.node().isEmpty()) {
            return;
        }
        try {
            ctx.node().get().unmarkReady();
        } catch (KubeException e) {
            failure.addSuppressed(e);
        }
    }

    private void label() throws LifecycleException {
        if (ctx.node().isEmpty()) {
            return;
        }
        try {
            ctx.node().get().markReady(ctx.version(), ctx.startupTaints());
        } catch (KubeException e) {
            throw new LifecycleException(LifecycleException.Step.LABEL, e);
        }
    }
}
