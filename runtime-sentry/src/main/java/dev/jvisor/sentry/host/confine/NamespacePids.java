package dev.jvisor.sentry.host.confine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Host pids for the pids a confined Sentry reports. The Sentry is pid 1 of its own pid namespace
 * and knows its stubs by their pids there; runsc ps must answer with host pids. Every process of
 * the sandbox descends from its launcher (the pid create recorded), and the last field of
 * {@code NSpid:} in /proc/PID/status is its pid in the innermost namespace, so mapping the
 * launcher's descendants gives the translation without trusting anything the Sentry says about
 * the host.
 */
public final class NamespacePids {
    private NamespacePids() {}

    /**
     * The host pids of {@code sandboxPids}, in their order, for the sandbox whose launcher is
     * host process {@code launcher}. A pid that no live descendant has (it exited meanwhile) is
     * left out. A Sentry that shares the host's pid namespace reports host pids already: they map
     * to themselves.
     */
    public static List<Long> toHost(long launcher, List<Long> sandboxPids) {
        Map<Long, Long> byInnerPid = new HashMap<>();
        ProcessHandle.of(launcher).ifPresent(h -> h.descendants().forEach(d -> {
            long inner = innermostPid(d.pid());
            if (inner > 0) byInnerPid.put(inner, d.pid());
        }));
        List<Long> out = new ArrayList<>();
        for (long pid : sandboxPids) {
            Long host = byInnerPid.get(pid);
            if (host != null) out.add(host);
        }
        return out;
    }

    /** The last pid of {@code NSpid:}, or -1 when the process is gone. */
    static long innermostPid(long hostPid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(hostPid), "status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] pids = line.substring(6).strip().split("\\s+");
                    return Long.parseLong(pids[pids.length - 1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
