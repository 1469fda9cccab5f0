package dev.jvisor.oci;

import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.oci.json.JsonWriter;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The state of a container as {@code runsc state} reports it (runtime-spec runtime.md "State").
 *
 * @param pid    the container's host pid; 0 when it has none (stopped, or not yet created)
 * @param bundle absolute path of the bundle directory
 */
public record OciState(String ociVersion, String id, ContainerStatus status, long pid, String bundle,
                       Map<String, String> annotations) {
    public OciState {
        Objects.requireNonNull(ociVersion, "ociVersion");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(bundle, "bundle");
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public JsonObject toJsonValue() {
        JsonObject.Builder b = JsonObject.builder()
                .put("ociVersion", ociVersion)
                .put("id", id)
                .put("status", status.specName());
        // runtime.md: pid is REQUIRED when status is created or running, and absent otherwise.
        if (pid > 0) b.put("pid", pid);
        b.put("bundle", bundle);
        if (!annotations.isEmpty()) {
            JsonObject.Builder a = JsonObject.builder();
            new TreeMap<>(annotations).forEach((k, v) -> a.put(k, new JsonString(v)));
            b.put("annotations", a.build());
        }
        return b.build();
    }

    /** Indented, as runc prints it. */
    public String toJson() {
        return JsonWriter.pretty(toJsonValue());
    }
}
