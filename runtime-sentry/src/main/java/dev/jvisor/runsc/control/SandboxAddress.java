package dev.jvisor.runsc.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a container's sandbox listens and the container's name there: its own state
 * directory, or, for a pod container that joined another container's sandbox, that one's.
 * A joined container's state directory holds {@value #JOINED_FILE}: the sandbox's container id.
 */
public record SandboxAddress(Path stateDir, String container, boolean joined) {
    public static final String JOINED_FILE = "sandbox-id";

    /** The address of container {@code id} whose state is under {@code root}. */
    public static SandboxAddress of(Path root, String id) throws IOException {
        Path own = root.resolve(id);
        Path joinedFile = own.resolve(JOINED_FILE);
        if (Files.exists(joinedFile)) {
            String sandbox = Files.readString(joinedFile, StandardCharsets.US_ASCII).strip();
            return new SandboxAddress(root.resolve(sandbox), id, true);
        }
        return new SandboxAddress(own, id, false);
    }

    /** Whether the sandbox serves its control channel (it has been started and still runs). */
    public boolean listening() {
        return Files.exists(ControlProtocol.socketIn(stateDir));
    }

    /** One request to this container's sandbox: the {@code ok} answer, or the typed error. */
    public dev.jvisor.oci.json.JsonObject call(String op, java.util.function.UnaryOperator<dev.jvisor.oci.json.JsonObject.Builder> members)
            throws ControlException, IOException {
        try (ControlClient client = ControlClient.connectForRequest(stateDir)) {
            return client.call(members.apply(ControlProtocol.request(op).put("container", container)).build());
        }
    }
}
