package dev.jvisor.sentry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The host's stub processes, for tests that check none outlives its Sentry. */
final class StubProcesses {
    private StubProcesses() {}

    /** Stub processes whose parent is {@code parent} (every stub is spawned by the Sentry that traces it). */
    static List<Long> childrenOf(long parent) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
                    long pid = Long.parseLong(name);
                    if (ppid == parent && isStub(pid)) out.add(pid);
                } catch (IOException | RuntimeException gone) {
                    // exited while we looked
                }
            }
        }
        return out;
    }

    /** A stub runs the in-memory stub image: its exe is the memfd (its argv is unmapped, so cmdline is empty). */
    static boolean isStub(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString().contains("jvisor-stub");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
