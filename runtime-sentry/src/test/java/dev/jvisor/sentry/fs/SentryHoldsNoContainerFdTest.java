package dev.jvisor.sentry.fs;

import dev.jvisor.sentry.SandboxRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Sentry must never open a container file: while a sandboxed program holds container files
 * open, the Sentry's (this JVM's) descriptors are listed and none may point into the rootfs,
 * while the Gofer child's do (so the check can see such descriptors at all). The exceptions are
 * descriptors the Gofer lends, always read-only: one for copying a file into sandbox memory, gone
 * once the copy is done, and one for a large file the sandbox maps where it is (a program or
 * library, here the busybox binary that runs), kept while it is cached. So late in the run, with
 * the program still holding both files open, the Sentry holds nothing of the rootfs but busybox.
 */
class SentryHoldsNoContainerFdTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheGoferHoldsContainerFiles() throws Exception {
        Path root = SandboxRunner.busyboxRootfs(dir.resolve("root")).toRealPath();
        Files.writeString(root.resolve("etc/secret"), "data\n");
        // A thread of its own: the runner's stdio pumps use the common pool, which must stay free.
        CompletableFuture<SandboxRunner.Result> run = new CompletableFuture<>();
        Thread sandbox = new Thread(() -> {
            try {
                run.complete(SandboxRunner.run(root, List.of("/bin/sh", "-c",
                        "exec 3</etc/secret 4</bin/busybox; cat /etc/secret; sleep 2; cat <&3"), null));
            } catch (Throwable e) {
                run.completeExceptionally(e);
            }
        }, "sandbox");
        sandbox.start();
        Set<String> sentryFds = new HashSet<>();
        Set<String> goferFds = new HashSet<>();
        Set<String> lentAccessModes = new HashSet<>();
        // (when seen, container files the Sentry held then): the lent ones must be gone later on
        List<Map.Entry<Long, Set<String>>> containerFilesSeen = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        while (!run.isDone()) {
            Map<String, String> now = linksWithFdinfo(Path.of("/proc/self"));
            sentryFds.addAll(now.keySet());
            Set<String> container = new HashSet<>();
            now.forEach((target, flags) -> {
                if (target.startsWith(root.toString())) {
                    container.add(target);
                    lentAccessModes.add(flags);
                }
            });
            containerFilesSeen.add(Map.entry(System.nanoTime(), container));
            for (long child : goferChildren(self)) goferFds.addAll(links(Path.of("/proc", Long.toString(child), "fd")));
            Thread.sleep(50);
        }
        long end = System.nanoTime();
        SandboxRunner.Result r = run.get();
        assertThat(r.out()).isEqualTo("data\ndata\n");
        assertThat(sentryFds).isNotEmpty();
        assertThat(lentAccessModes).as("access mode of container files the Sentry held").isSubsetOf("O_RDONLY");
        // The program sleeps 2 s with both files open, all copies long done: no copy's descriptor
        // left, only the program's own file, which the sandbox maps where it is.
        String program = root.resolve("bin/busybox").toString();
        assertThat(containerFilesSeen).filteredOn(e -> end - e.getKey() < 1_500_000_000L).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getValue()).as("container files held late in the run").isSubsetOf(program));
        assertThat(sentryFds).anyMatch(t -> t.startsWith("socket:"));
        assertThat(goferFds).anyMatch(t -> t.startsWith(root.toString()));
    }

    /** Descriptor targets of a process, each with its access mode from fdinfo. */
    private static Map<String, String> linksWithFdinfo(Path proc) {
        Map<String, String> out = new HashMap<>();
        try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    String flags = Files.readAllLines(proc.resolve("fdinfo").resolve(p.getFileName())).stream()
                            .filter(l -> l.startsWith("flags:")).findFirst().orElse("flags: 0").substring(6).trim();
                    int access = Integer.parseInt(flags, 8) & 3;
                    out.put(target, access == 0 ? "O_RDONLY" : access == 1 ? "O_WRONLY" : "O_RDWR");
                } catch (IOException gone) {
                    // closed between list and readlink
                }
            }
        } catch (IOException gone) {
            // the process exited
        }
        return out;
    }

    private static Set<String> links(Path fdDir) {
        Set<String> out = new HashSet<>();
        try (Stream<Path> s = Files.list(fdDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    out.add(Files.readSymbolicLink(p).toString());
                } catch (IOException gone) {
                    // closed between list and readlink
                }
            }
        } catch (IOException gone) {
            // the process exited
        }
        return out;
    }

    /** Child processes of {@code parent} running the Gofer's main class. */
    private static List<Long> goferChildren(long parent) {
        return ProcessHandle.of(parent).orElseThrow().children()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains("dev.jvisor.gofer.GoferMain")).orElse(false))
                .map(ProcessHandle::pid).toList();
    }
}
