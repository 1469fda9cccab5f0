package dev.jvisor.runsc.control;

import dev.jvisor.oci.json.JsonArray;
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
 * stdio from create's fds) instead of booting a Sentry of its own.
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
        return Files.exists(ControlProtocol.socketIn(dir)) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * Creates container {@code id} in the sandbox at {@code sandboxDir} with this process's fds
     * 0, 1 and 2 as its stdio, records the join in {@code ownStateDir}, and starts the waiter
     * that holds the connection. Returns the waiter's host pid.
     */
    public static int create(Path sandboxDir, Path ownStateDir, String id, SandboxSpec spec)
            throws ControlException, IOException {
        JsonObject request = MountsMessage.put(IdentityMessage.put(ControlProtocol.request(ControlProtocol.CREATE).put("container", id)
                .put("rootfs", spec.rootfs().toString()).put("overlay", spec.rootOverlay())
                .put("argv", JsonArray.ofStrings(spec.argv())).put("env", JsonArray.ofStrings(spec.env()))
                .put("cwd", spec.cwd()), spec.identity()), spec.mounts()).build();
        try (ControlClient client = ControlClient.connect(sandboxDir)) {
            client.call(request, 0, 1, 2);
            Files.writeString(ownStateDir.resolve(SandboxAddress.JOINED_FILE), sandboxDir.getFileName().toString(), StandardCharsets.US_ASCII);
            return WaiterLauncher.spawn(client.fd());
        }
    }
}
