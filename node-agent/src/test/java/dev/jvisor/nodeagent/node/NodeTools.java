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
     * The runtime distribution the reactor built before this module ({@code runtime-sentry/target/jvisor-runtime});
     * {@code -Djvisor.test.distribution=DIR} points at another. The real-containerd tests install it as it is, so
     * the handler they prove runs containers on the Sentry.
     */
    static Path jvisorDistribution() {
        Path dist = Path.of(System.getProperty("jvisor.test.distribution", "../runtime-sentry/target/jvisor-runtime"))
                .toAbsolutePath().normalize();
        assumeTrue(Files.isExecutable(dist.resolve("bin/runsc")) && Files.isRegularFile(dist.resolve("VERSION")),
                "no jVisor distribution at " + dist + " (build runtime-sentry first): skipping the real-containerd tests");
        return dist;
    }
}
