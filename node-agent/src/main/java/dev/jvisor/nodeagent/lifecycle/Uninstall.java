package dev.jvisor.nodeagent.lifecycle;

import dev.jvisor.nodeagent.AgentLog;
import dev.jvisor.nodeagent.containerd.ConfigPlan;
import dev.jvisor.nodeagent.containerd.ContainerdConfigException;
import dev.jvisor.nodeagent.cri.CriClient;
import dev.jvisor.nodeagent.host.HostException;
import dev.jvisor.nodeagent.host.HostLock;
import dev.jvisor.nodeagent.host.InstallJournal;
import dev.jvisor.nodeagent.host.InstallJournal.Phase;
import dev.jvisor.nodeagent.kube.KubeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Removes jVisor from the node, in the order that keeps the node usable at every instant: unlabel
 * (no new jVisor pods are scheduled) → lock → restore containerd's config byte for byte → remove
 * the installed files → restart containerd last → wait until it is healthy → drop the journal. The
 * journal drives it, so it is idempotent and resumes after a crash; with no journal there is
 * nothing of ours on the host and nothing is restarted.
 */
public final class Uninstall {

    private final NodeContext ctx;

    public Uninstall(NodeContext ctx) {
        this.ctx = ctx;
    }

    public void run() throws LifecycleException {
        unlabel();
        try (HostLock lock = Install.acquireLock(ctx.lockFile())) {
            Optional<InstallJournal.State> journaled = ctx.journal().read();
            if (journaled.isEmpty()) {
                AgentLog.info("nothing to uninstall: no journal on this host");
                return;
            }
            InstallJournal.State state = journaled.get().withPhase(Phase.UNINSTALLING);
            ctx.journal().write(state);
            AgentLog.info("uninstalling", "versions", state.versions(), "files", state.editedFiles());
            try {
                ConfigPlan.revert(state.editedFiles().stream().map(ctx.host()::resolve).toList());
            } catch (ContainerdConfigException e) {
                throw new LifecycleException(LifecycleException.Step.RESTORE, e);
            }
            try {
                ctx.installer().remove(state.versions());
            } catch (HostException e) {
                throw new LifecycleException(LifecycleException.Step.REMOVE, e);
            }
            try (CriClient cri = new CriClient(ctx.criSocket(), NodeContext.CRI_CALL_TIMEOUT)) {
                Install.restartAndWait(ctx, cri);
            }
            ctx.journal().delete();
            deleteIfEmpty(ctx.installer().installDir());
        } catch (HostException e) {
            throw new LifecycleException(LifecycleException.Step.JOURNAL, e);
        }
        AgentLog.info("uninstalled");
    }

    private void unlabel() throws LifecycleException {
        if (ctx.node().isEmpty()) {
            return;
        }
        try {
            ctx.node().get().unmarkReady();
        } catch (KubeException e) {
            throw new LifecycleException(LifecycleException.Step.UNLABEL, e);
        }
    }

    private static void deleteIfEmpty(Path directory) throws LifecycleException {
        try (var entries = Files.list(directory)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(directory);
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // Already removed.
        } catch (java.io.IOException e) {
            throw new LifecycleException(LifecycleException.Step.REMOVE, e);
        }
    }
}
