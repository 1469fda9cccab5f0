package dev.jvisor.nodeagent.containerd;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the CRI plugin keeps its runtime table in each containerd config schema version. The
 * plugin's id changed between schemas, and so does the key path of {@code runtimes}.
 */
public enum CriPlugin {
    /** Config version 1 (containerd 1.x without {@code version = 2}): short plugin ids. */
    V1(1, "cri"),
    /** Config version 2 (containerd 1.6 and 1.7). */
    V2(2, "io.containerd.grpc.v1.cri"),
    /** Config version 3 (containerd 2.x): runtime settings moved to their own plugin. */
    V3(3, "io.containerd.cri.v1.runtime");

    private final int configVersion;
    private final String pluginId;

    CriPlugin(int configVersion, String pluginId) {
        this.configVersion = configVersion;
        this.pluginId = pluginId;
    }

    public int configVersion() {
        return configVersion;
    }

    public String pluginId() {
        return pluginId;
    }

    /** The key path of the runtime table for {@code handler}. */
    public List<String> runtimePath(String handler) {
        return List.of("plugins", pluginId, "containerd", "runtimes", handler);
    }

    /** The key path of the runtime's {@code options} table. */
    public List<String> optionsPath(String handler) {
        List<String> path = new ArrayList<>(runtimePath(handler));
        path.add("options");
        return List.copyOf(path);
    }

    /** The schema for a config file's {@code version} value (absent means 1 in containerd). */
    public static CriPlugin forConfigVersion(long version) {
        for (CriPlugin plugin : values()) {
            if (plugin.configVersion == version) {
                return plugin;
            }
        }
        throw new IllegalArgumentException("unknown containerd config version " + version);
    }
}
