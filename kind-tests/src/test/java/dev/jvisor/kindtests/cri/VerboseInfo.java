package dev.jvisor.kindtests.cri;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The {@code info} map of a verbose PodSandboxStatus or ContainerStatus: JSON documents by key.
 * containerd puts the task's host init pid in {@code info["info"].pid} (0 once it is gone).
 */
public final class VerboseInfo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VerboseInfo() {}

    /** The init pid containerd reports; empty when there is none (no verbose info, or the task is gone). */
    public static OptionalLong pid(Map<String, String> info) {
        String doc = info.get("info");
        if (doc == null) return OptionalLong.empty();
        try {
            JsonNode pid = JSON.readTree(doc).path("pid");
            return pid.canConvertToLong() && pid.asLong() > 0 ? OptionalLong.of(pid.asLong()) : OptionalLong.empty();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("info[\"info\"] is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
