package dev.jvisor.kindtests.node;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.kindtests.cri.CriClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The node the CRI tests share: a private containerd with its CRI plugin and two runtime
 * handlers, {@value #RUNC} (the reference) and {@value #JVISOR} (jVisor's runsc behind the stock
 * runc shim), the busybox and pause images imported, a CRI client, and the traces that find what a
 * pod left on the host. {@link #close} stops and removes everything {@link #start} made, also
 * after a start that failed half-way, and then fails if the pods left cgroups behind.
 */
final class CriNode implements AutoCloseable {
    static final String JVISOR = "jvisor";
    static final String RUNC = "runc";

    final Path dir;
    final Path runsc;
    final Path jvisorRoot;
    final String cgroupParent;
    final List<PrivateContainerd.CriHandler> handlers;
    private PrivateContainerd containerd;
    private CriClient cri;
    private NodeTraces traces;

    private CriNode(Path dir, Path runsc, Path jvisorRoot, String cgroupParent, List<PrivateContainerd.CriHandler> handlers) {
        this.dir = dir;
        this.runsc = runsc;
        this.jvisorRoot = jvisorRoot;
        this.cgroupParent = cgroupParent;
        this.handlers = handlers;
    }

    /**
     * Skips the calling test class (a JUnit assumption naming {@code tests}) unless containerd,
     * ctr, the runc shim, runc, busybox and the runsc distribution are here and this is root.
     */
    static Path assumeNodeTools(String tests, Path runsc) {
        Optional<Path> runc = Commands.which("runc");
        assumeTrue(Commands.onPath("containerd") && Commands.onPath("ctr") && Commands.onPath(PrivateContainerd.SHIM_BINARY)
                        && runc.isPresent(),
                tests + " skipped: containerd, ctr, " + PrivateContainerd.SHIM_BINARY + " or runc not installed (apt-get install containerd runc)");
        assumeTrue(Files.isExecutable(runsc), tests + " skipped: no runsc distribution at " + runsc + " (build runtime-sentry first)");
        assumeTrue(Files.isExecutable(BusyboxImage.BUSYBOX), tests + " skipped: no /bin/busybox (apt-get install busybox-static)");
        assumeTrue("root".equals(System.getProperty("user.name")), tests + " skipped: a private containerd needs root");
        return runc.get();
    }

    /**
     * Starts the node in a new directory under /tmp named {@code prefix}…; {@code jvisorRootIn}
     * places runsc's state root in it, and pods' cgroups go under {@code cgroupParent}.
     */
    static CriNode start(String prefix, Path runsc, Path runc, Function<Path, Path> jvisorRootIn, String cgroupParent)
            throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
        Path jvisorRoot = jvisorRootIn.apply(dir);
        List<PrivateContainerd.CriHandler> handlers = List.of(
                new PrivateContainerd.CriHandler(RUNC, runc, dir.resolve("runc-state")),
                new PrivateContainerd.CriHandler(JVISOR, runsc.toRealPath(), jvisorRoot));
        CriNode node = new CriNode(dir, runsc, jvisorRoot, cgroupParent, handlers);
        try {
            node.containerd = PrivateContainerd.startWithCri(dir, BusyboxImage.PAUSE_NAME, handlers);
            Path image = BusyboxImage.build(Files.createDirectories(dir.resolve("image")), List.of(BusyboxImage.SHELL, BusyboxImage.PAUSE));
            node.containerd.ctr("images", "import", image.toString()).requireSuccess(List.of("ctr -n k8s.io images import"));
            node.cri = CriClient.connect(node.containerd.socket(), Duration.ofSeconds(90));
            node.traces = NodeTraces.ofCriPods(node.containerd, handlers, cgroupParent, node.distribution());
            return node;
        } catch (Exception | Error e) {
            try {
                node.close();
            } catch (Exception | AssertionError also) {
                e.addSuppressed(also);
            }
            throw e;
        }
    }

    PrivateContainerd containerd() { return containerd; }

    CriClient cri() { return cri; }

    NodeTraces traces() { return traces; }

    /** The jVisor distribution the runsc under test belongs to. */
    Path distribution() throws IOException {
        return runsc.toRealPath().getParent().getParent();
    }

    @Override
    public void close() throws Exception {
        List<Path> leftCgroups = new ArrayList<>();
        try {
            if (cri != null) cri.close();
        } finally {
            try {
                if (containerd != null) containerd.close();
            } finally {
                try {
                    if (traces != null) leftCgroups.addAll(traces.removeCgroupParent());
                } finally {
                    PrivateContainerd.deleteTree(jvisorRoot);
                }
            }
        }
        if (!leftCgroups.isEmpty()) throw new AssertionError("the pods' cgroups, left on the host under " + cgroupParent + ": " + leftCgroups);
    }
}
