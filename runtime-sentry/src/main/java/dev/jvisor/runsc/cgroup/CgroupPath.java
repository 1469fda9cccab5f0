package dev.jvisor.runsc.cgroup;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a container's cgroup is below each controller's mount: OCI {@code linux.cgroupsPath} as
 * a path ({@code /kubepods/pod1/c1}, relative paths taken from the root), or with
 * {@code --systemd-cgroup} as {@code slice:prefix:name}, which systemd lays out as the slice's
 * ancestry ({@code a-b.slice} lives in {@code a.slice/a-b.slice}) and a scope
 * {@code prefix-name.scope} in it.
 */
public final class CgroupPath {
    private CgroupPath() {}

    /** The cgroup's path relative to a controller's mount, without a leading slash. */
    public static String resolve(String cgroupsPath, boolean systemd) throws CgroupException {
        if (cgroupsPath == null || cgroupsPath.isBlank()) throw new CgroupException("no cgroupsPath");
        String relative = systemd ? systemdPath(cgroupsPath) : cgroupsPath;
        List<String> parts = new ArrayList<>();
        for (String p : relative.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..") || p.indexOf('\0') >= 0) throw new CgroupException("cgroupsPath " + cgroupsPath + " leaves the cgroup root");
            parts.add(p);
        }
        if (parts.isEmpty()) throw new CgroupException("cgroupsPath " + cgroupsPath + " names the root cgroup");
        return String.join("/", parts);
    }

    private static String systemdPath(String spec) throws CgroupException {
        String[] f = spec.split(":", -1);
        if (f.length != 3 || f[2].isEmpty()) throw new CgroupException("--systemd-cgroup: cgroupsPath must be slice:prefix:name, not " + spec);
        String slice = f[0].isEmpty() ? "system.slice" : f[0];
        if (!slice.endsWith(".slice") || slice.contains("/")) throw new CgroupException("--systemd-cgroup: " + slice + " is not a slice name");
        StringBuilder path = new StringBuilder();
        String stem = slice.substring(0, slice.length() - ".slice".length());
        if (!stem.equals("-")) {
            // a-b-c.slice lives in a.slice/a-b.slice/a-b-c.slice
            String[] words = stem.split("-");
            StringBuilder prefix = new StringBuilder();
            for (String w : words) {
                if (w.isEmpty()) throw new CgroupException("--systemd-cgroup: " + slice + " is not a slice name");
                if (prefix.length() > 0) prefix.append('-');
                prefix.append(w);
                path.append('/').append(prefix).append(".slice");
            }
        }
        String scope = f[1].isEmpty() ? f[2] : f[1] + "-" + f[2];
        return path + "/" + scope + ".scope";
    }
}
