package dev.jvisor.runsc.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How many processes the kernel's OOM killer has ended in one memory cgroup: the {@code oom_kill}
 * line of cgroup v1's {@code memory.oom_control} (Linux 4.13+) or of v2's {@code memory.events}.
 * One small file read per look, so the reporter can poll it once a second.
 */
final class OomCounter {

    private static final Path V1_MEMORY = Path.of("/sys/fs/cgroup/memory");
    private static final Path V2 = Path.of("/sys/fs/cgroup");

    private final Path file;

    OomCounter(Path file) {
        this.file = file;
    }

    /**
     * The counter of the memory cgroup this process is in (create puts the boot process in the
     * container's); empty in the root cgroup, which is the host's, or when the file is missing.
     */
    static Optional<OomCounter> ofThisProcess() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length != 3 || f[2].equals("/")) continue;
                Path file = null;
                if (java.util.Arrays.asList(f[1].split(",")).contains("memory")) {
                    file = V1_MEMORY.resolve(f[2].substring(1)).resolve("memory.oom_control");
                } else if (f[0].equals("0") && f[1].isEmpty()) {
                    file = V2.resolve(f[2].substring(1)).resolve("memory.events");
                }
                if (file != null && Files.isReadable(file)) return Optional.of(new OomCounter(file));
            }
        } catch (IOException | RuntimeException e) {
            // No cgroup to watch: OOM is then not reported, everything else is.
        }
        return Optional.empty();
    }

    /** The current {@code oom_kill} count; empty when the file cannot be read or has no such line. */
    OptionalLong kills() {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("oom_kill ")) return OptionalLong.of(Long.parseLong(line.substring(9).strip()));
            }
        } catch (IOException | NumberFormatException e) {
            // The cgroup went away (the container is ending): nothing more to report.
        }
        return OptionalLong.empty();
    }

    Path file() {
        return file;
    }
}
