package dev.jvisor.images;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The node agent's image: the agent (one shaded jar) on the shared base, {@code nsenter} (the
 * agent restarts containerd through it, in the host's namespaces) with the libraries it adds, and
 * the runtime distribution under /opt/jvisor-dist, which the agent copies to the node: bin/runsc,
 * lib/, its own jre/ and VERSION. Runs as root: it edits the host (the chart makes it privileged).
 */
public final class NodeAgentImage {
    public static final String REPOSITORY = "jvisor-node-agent";
    /** Where the agent looks for the distribution by default (AgentSettings' "distribution"). */
    static final String DIST_DIR = "/opt/jvisor-dist";
    static final String AGENT_JAR = "/opt/jvisor-agent/node-agent.jar";
    private static final Path NSENTER = Path.of("/usr/bin/nsenter");

    private NodeAgentImage() {}

    public static OciImageWriter.Written build(BaseLayers base, Path agentJar, Path distribution, String registry, String tag,
                                               Path blobDir, Path out) {
        if (!Files.isRegularFile(agentJar)) throw new ImageBuildException("no node agent jar at " + agentJar + " (build node-agent first)");
        Path version = distribution.resolve("VERSION");
        if (!Files.isExecutable(distribution.resolve("bin/runsc")) || !Files.isRegularFile(version)) {
            throw new ImageBuildException("no runtime distribution at " + distribution + " (build runtime-sentry first)");
        }
        if (!Files.isExecutable(NSENTER)) throw new ImageBuildException("no " + NSENTER + " on this machine (apt-get install util-linux)");

        // nsenter's libraries beyond those the base already has (libselinux, libpcre2).
        SortedSet<Path> libs = HostLibraries.neededBy(List.of(NSENTER));
        libs.removeAll(base.libraries());
        SortedSet<Path> withNsenter = new TreeSet<>(libs);
        withNsenter.add(NSENTER);
        SortedMap<Path, DebianPackage> owners = HostLibraries.packagesOf(withNsenter);
        LayerBuilder toolsBuilder = new LayerBuilder("node agent: nsenter and its libraries from " + new TreeSet<>(owners.values()));
        BaseLayers.addLibraries(toolsBuilder, owners);
        Layer tools = toolsBuilder.write(blobDir);
        Layer dist = new LayerBuilder("node agent: the jVisor runtime distribution (" + DIST_DIR + ")")
                .tree(distribution, DIST_DIR).write(blobDir);
        Layer agent = new LayerBuilder("node agent: " + AGENT_JAR).copy(agentJar, AGENT_JAR).write(blobDir);

        SortedSet<DebianPackage> packages = new TreeSet<>(base.packages());
        packages.addAll(owners.values());
        SortedMap<String, String> labels = new TreeMap<>(base.labels());
        labels.put("dev.jvisor.image.debian.packages", String.join(" ", packages.stream().map(DebianPackage::toString).toList()));
        labels.put("org.opencontainers.image.title", "jVisor node agent");
        labels.put("org.opencontainers.image.description",
                "Installs the jVisor runtime on a node, configures containerd, labels the node, uninstalls cleanly.");
        labels.put("org.opencontainers.image.version", tag);
        labels.put("dev.jvisor.runtime.version", readVersion(version));
        labels.put("dev.jvisor.runtime.path", DIST_DIR);
        ImageConfig config = new ImageConfig(
                List.of(BaseLayers.JAVA_HOME + "/bin/java", "--enable-native-access=ALL-UNNAMED",
                        "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError",
                        // gRPC's shaded Netty allocates through sun.misc.Unsafe.
                        "--sun-misc-unsafe-memory-access=allow",
                        "-jar", AGENT_JAR),
                // Run bare, the image explains itself; the chart's DaemonSet passes "run".
                List.of("--help"),
                "0:0",
                "/",
                List.of("PATH=" + BaseLayers.JAVA_HOME + "/bin:/usr/sbin:/usr/bin:/sbin:/bin", "JAVA_HOME=" + BaseLayers.JAVA_HOME,
                        "LANG=C.UTF-8"),
                labels,
                new TreeSet<>());
        return OciImageWriter.write(out, registry + "/" + REPOSITORY + ":" + tag,
                List.of(base.system(), base.java(), tools, dist, agent), config);
    }

    private static String readVersion(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (java.io.IOException e) {
            throw new ImageBuildException("cannot read " + file, e);
        }
    }
}
