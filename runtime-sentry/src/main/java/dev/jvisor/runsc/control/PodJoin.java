package dev.jvisor.runsc.control;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.runsc.cli.RunscException;
import dev.jvisor.runsc.state.StateStore;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.sentry.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A pod's app container joining its pod's sandbox: CRI marks it with
 * {@value #CONTAINER_TYPE}={@value #TYPE_CONTAINER} and {@value #SANDBOX_ID}; when that names a
 * jVisor sandbox that runs, the container is created inside its Sentry (its own root and Gofer,
 * stdio from create's fds, or with a terminal the host pty slave create made) instead of
 * booting a Sentry of its own.
 */
public final class PodJoin {
    private PodJoin() {}

    public static final String CONTAINER_TYPE = "io.kubernetes.cri.container-type";
    public static final String TYPE_CONTAINER = "container";
    public static final String SANDBOX_ID = "io.kubernetes.cri.sandbox-id";

    /** The state directory of the running jVisor sandbox this container should join, if any. */
    public static Optional<Path> sandboxToJoin(Path root, String id, Map<String, String> annotations) {
        if (!TYPE_CONTAINER.equals(annotations.get(CONTAINER_TYPE))) return Optional.empty();
        String sandbox = annotations.get(SANDBOX_ID);
        if (sandbox == null || sandbox.equals(id) || sandbox.contains("/") || sandbox.startsWith(".")) return Optional.empty();
        Path dir = root.resolve(sandbox);
        // Not a sandbox of ours, or not running: the container boots its own Sentry.
        if (!Files.isDirectory(dir) || Files.exists(dir.resolve(SandboxAddress.JOINED_FILE))) return Optional.empty();
        // Its boot process serves the control channel from create on; only a started sandbox has a kernel to join.
        if (!Files.exists(ControlProtocol.socketIn(dir)) || !started(root, sandbox)) return Optional.empty();
        return Optional.of(dir);
    }

    private static boolean started(Path root, String sandbox) {
        try {
            ContainerStatus status = new StateStore(root).load(sandbox).currentStatus();
            return status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED;
        } catch (RunscException unreadable) {
            return false;
        }
    }

    /**
     * Creates container {@code id} in the sandbox at {@code sandboxDir} with this process's fds
     * 0, 1 and 2 as its stdio, records the join in {@code ownStateDir}, and starts the waiter
     * that holds the connection. Returns the waiter's host pid.
     */
    public static int create(Path sandboxDir, Path ownStateDir, String id, SandboxSpec spec)
            throws ControlException, IOException {
        return create(sandboxDir, ownStateDir, id, spec, -1);
    }

    /**
     * The same for a container on a terminal: {@code terminalSlave} is a host pty slave (its
     * master has gone to the console socket) that travels to the sandbox, which runs the
     * container's first process on a terminal of its own over it, as exec -t does. The caller
     * keeps its copy and closes it. The waiter then holds none of this process's stdio: on a
     * terminal they are a pipe the shim reads until every holder has closed it.
     */
    public static int createOnTerminal(Path sandboxDir, Path ownStateDir, String id, SandboxSpec spec,
                                       int terminalSlave) throws ControlException, IOException {
        if (terminalSlave < 0) throw new IllegalArgumentException("no terminal fd");
        return create(sandboxDir, ownStateDir, id, spec, terminalSlave);
    }

    private static int create(Path sandboxDir, Path ownStateDir, String id, SandboxSpec spec, int terminalSlave)
            throws ControlException, IOException {
        boolean terminal = terminalSlave >= 0;
        JsonObject request = MountsMessage.put(IdentityMessage.put(ControlProtocol.request(ControlProtocol.CREATE).put("container", id)
                .put("rootfs", spec.rootfs().toString()).put("overlay", spec.rootOverlay())
                .put("argv", JsonArray.ofStrings(spec.argv())).put("env", JsonArray.ofStrings(spec.env()))
                .put("cwd", spec.cwd()).put("terminal", terminal), spec.identity()), spec.mounts()).build();
        try (ControlClient client = ControlClient.connect(sandboxDir)) {
            if (terminal) client.call(request, terminalSlave);
            else client.call(request, 0, 1, 2);
            Files.writeString(ownStateDir.resolve(SandboxAddress.JOINED_FILE), sandboxDir.getFileName().toString(), StandardCharsets.US_ASCII);
            return terminal ? WaiterLauncher.spawnQuiet(client.fd()) : WaiterLauncher.spawn(client.fd());
        }
    }
}
