package dev.jvisor.sentry.fs;

import dev.jvisor.sentry.SandboxRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Sentry must never open a container file: while a sandboxed program holds container files
 * open, the Sentry's (this JVM's) descriptors are listed and none may point into the rootfs,
 * while the Gofer child's do (so the check can see such descriptors at all).
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
        long self = ProcessHandle.current().pid();
        while (!run.isDone()) {
            sentryFds.addAll(links(Path.of("/proc/self/fd")));
            for (long child : goferChildren(self)) goferFds.addAll(links(Path.of("/proc", Long.toString(child), "fd")));
            Thread.sleep(50);
        }
        SandboxRunner.Result r = run.get();
        assertThat(r.out()).isEqualTo("data\ndata\n");
        assertThat(sentryFds).isNotEmpty().noneMatch(t -> t.startsWith(root.toString()));
        assertThat(sentryFds).anyMatch(t -> t.startsWith("socket:"));
        assertThat(goferFds).anyMatch(t -> t.startsWith(root.toString()));
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
