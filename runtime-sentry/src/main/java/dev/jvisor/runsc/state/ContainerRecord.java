package dev.jvisor.runsc.state;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.OciState;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.oci.json.JsonValue;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What runsc records about one container in {@code <root>/<id>/state.json}.
 *
 * @param status the last status runsc recorded; {@link #currentStatus()} corrects it for a
 *               process that has since exited
 * @param init   the host process whose exit is the container's (the shim waits on it), or null
 *               before there is one
 * @param owner  the user that created the container, as {@code list} shows it
 */
public record ContainerRecord(String id, String bundle, ContainerStatus status, HostProcess init,
                              Instant created, String owner, Map<String, String> annotations) {
    public ContainerRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(created, "created");
        owner = owner == null ? "" : owner;
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** The status now: a created, running or paused container whose init process is gone has stopped. */
    public ContainerStatus currentStatus() {
        return switch (status) {
            case CREATED, RUNNING, PAUSED -> init != null && init.isAlive() ? status : ContainerStatus.STOPPED;
            case CREATING, STOPPED -> status;
        };
    }

    /** The OCI state document ({@code runsc state}). */
    public OciState toOciState(String ociVersion) {
        ContainerStatus now = currentStatus();
        long pid = now == ContainerStatus.STOPPED || init == null ? 0 : init.pid();
        return new OciState(ociVersion, id, now, pid, bundle, annotations);
    }

    public ContainerRecord withStatus(ContainerStatus next) {
        return new ContainerRecord(id, bundle, next, init, created, owner, annotations);
    }

    JsonObject toJson() {
        JsonObject.Builder b = JsonObject.builder()
                .put("id", id)
                .put("bundle", bundle)
                .put("status", status.specName());
        if (init != null) b.put("initPid", init.pid()).put("initStartTime", init.startTime());
        b.put("created", created.toString()).put("owner", owner);
        JsonObject.Builder a = JsonObject.builder();
        new TreeMap<>(annotations).forEach((k, v) -> a.put(k, new JsonString(v)));
        return b.put("annotations", a.build()).build();
    }

    static ContainerRecord fromJson(JsonValue v) throws StateException {
        if (!(v instanceof JsonObject o)) throw new StateException("state is not a JSON object");
        String status = string(o, "status");
        HostProcess init = null;
        if (o.get("initPid") != null) init = new HostProcess(number(o, "initPid"), number(o, "initStartTime"));
        Map<String, String> annotations = new TreeMap<>();
        if (o.get("annotations") instanceof JsonObject a) {
            for (var e : a.members().entrySet()) {
                if (!(e.getValue() instanceof JsonString s)) throw new StateException("state: annotation is not a string");
                annotations.put(e.getKey(), s.value());
            }
        }
        try {
            return new ContainerRecord(string(o, "id"), string(o, "bundle"),
                    ContainerStatus.fromSpecName(status).orElseThrow(() -> new StateException("state: unknown status " + status)),
                    init, Instant.parse(string(o, "created")), string(o, "owner"), annotations);
        } catch (DateTimeParseException e) {
            throw new StateException("state: bad created time", e);
        }
    }

    private static String string(JsonObject o, String name) throws StateException {
        if (!(o.get(name) instanceof JsonString s)) throw new StateException("state: " + name + " missing or not a string");
        return s.value();
    }

    private static long number(JsonObject o, String name) throws StateException {
        if (!(o.get(name) instanceof JsonNumber n) || n.longValueExact().isEmpty()) {
            throw new StateException("state: " + name + " missing or not an integer");
        }
        return n.longValueExact().getAsLong();
    }
}
