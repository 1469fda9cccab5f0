package dev.jvisor.images;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How a container of the image starts (the OCI image config's "config" object): entrypoint and
 * default arguments, user, working directory, environment, labels and the ports it listens on.
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, String user, String workingDir,
                          List<String> env, SortedMap<String, String> labels, SortedSet<String> exposedPorts) {
    public ImageConfig {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        labels = new TreeMap<>(labels);
        exposedPorts = new TreeSet<>(exposedPorts);
        if (entrypoint.isEmpty()) throw new ImageBuildException("an image needs an entrypoint");
        for (String e : env) {
            if (e.indexOf('=') <= 0) throw new ImageBuildException("environment entry is not NAME=value: " + e);
        }
        if (user.isEmpty()) throw new ImageBuildException("an image names its user (\"0:0\" for root)");
    }

    Map<String, Object> toJson() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("User", user);
        if (!exposedPorts.isEmpty()) {
            Map<String, Object> ports = new LinkedHashMap<>();
            for (String p : exposedPorts) ports.put(p, Map.of());
            c.put("ExposedPorts", ports);
        }
        c.put("Env", env);
        c.put("Entrypoint", entrypoint);
        c.put("Cmd", cmd);
        c.put("WorkingDir", workingDir);
        c.put("Labels", labels);
        return c;
    }
}
