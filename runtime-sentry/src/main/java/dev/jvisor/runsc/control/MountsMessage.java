package dev.jvisor.runsc.control;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.sentry.mounts.ContainerMounts;
import dev.jvisor.sentry.mounts.MountSpec;
import dev.jvisor.sentry.mounts.MountSpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A pod container's mounts in a {@code create} request: {@code "mounts"} (objects with
 * {@code destination}, {@code type}, {@code source}, {@code options}), {@code "rootReadonly"},
 * {@code "maskedPaths"} and {@code "readonlyPaths"}. The sandbox checks each mount again as it
 * would a bundle's: the request is input, not a promise.
 */
final class MountsMessage {
    private MountsMessage() {}

    static final Set<String> MEMBERS = Set.of("mounts", "rootReadonly", "maskedPaths", "readonlyPaths");
    private static final Set<String> MOUNT_MEMBERS = Set.of("destination", "type", "source", "options");

    static JsonObject.Builder put(JsonObject.Builder b, ContainerMounts m) {
        List<JsonValue> mounts = new ArrayList<>();
        for (MountSpec s : m.mounts()) {
            JsonObject.Builder one = JsonObject.builder().put("destination", s.destination()).put("source", s.source())
                    .put("options", JsonArray.ofStrings(s.options().asWords()));
            if (s.type() != null) one.put("type", s.type());
            mounts.add(one.build());
        }
        return b.put("mounts", new JsonArray(mounts)).put("rootReadonly", m.rootReadOnly())
                .put("maskedPaths", JsonArray.ofStrings(m.maskedPaths()))
                .put("readonlyPaths", JsonArray.ofStrings(m.readonlyPaths()));
    }

    /** The mounts of a request; the standard set when it names none. */
    static ContainerMounts read(JsonObject o) throws ControlException {
        List<MountSpec> mounts = new ArrayList<>();
        JsonValue v = o.get("mounts");
        if (v != null) {
            if (!(v instanceof JsonArray a)) throw new ControlException(ControlException.Code.BAD_REQUEST, "member \"mounts\" must be an array");
            for (JsonValue e : a.elements()) {
                if (!(e instanceof JsonObject m)) throw new ControlException(ControlException.Code.BAD_REQUEST, "each mount must be an object");
                ControlProtocol.onlyMembers(m, MOUNT_MEMBERS);
                try {
                    mounts.add(MountSpec.of(ControlProtocol.string(m, "destination"), ControlProtocol.optionalString(m, "type", null),
                            ControlProtocol.optionalString(m, "source", null), ControlProtocol.strings(m, "options", false)));
                } catch (MountSpecException ex) {
                    throw new ControlException(ControlException.Code.BAD_REQUEST, ex.getMessage());
                }
            }
        }
        return new ContainerMounts(mounts, ControlProtocol.optionalBoolean(o, "rootReadonly"),
                ControlProtocol.strings(o, "maskedPaths", false), ControlProtocol.strings(o, "readonlyPaths", false));
    }
}
