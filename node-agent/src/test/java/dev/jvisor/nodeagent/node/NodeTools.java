package dev.jvisor.nodeagent.node;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/** Finds the host tools the real-node tests drive, and skips those tests with one message when absent. */
final class NodeTools {

    static final String SKIP_MESSAGE =
            "containerd, ctr or runc not installed (or not running as root): skipping the real-containerd tests";

    private NodeTools() {
    }

    static void assumeContainerd() {
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(root && which("containerd").isPresent() && which("ctr").isPresent()
                && which("containerd-shim-runc-v2").isPresent() && which("runc").isPresent()
                && Files.isExecutable(BusyboxImage.BUSYBOX), SKIP_MESSAGE);
    }

    static Optional<Path> which(String name) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * The OCI runtime the installed {@code bin/runsc} hands every call to. runc by default, until
     * jVisor's own runsc can run containers; set {@code -Djvisor.test.handlerBinary=PATH} to swap it.
     */
    static Path handlerBinary() {
        String configured = System.getProperty("jvisor.test.handlerBinary");
        return configured != null ? Path.of(configured) : which("runc").orElseThrow();
    }
}
