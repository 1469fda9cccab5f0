package dev.jvisor.images;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The operator's image: the Quarkus application (fast-jar layout under /deployments, its
 * third-party jars in their own layer because they change far less often than the operator's
 * code) on the shared base, run as uid 185 with a read-only root filesystem in mind: the JVM
 * writes only to /tmp, which the chart mounts.
 */
public final class OperatorImage {
    public static final String REPOSITORY = "jvisor-operator";
    static final String APP_DIR = "/deployments";

    private OperatorImage() {}

    public static OciImageWriter.Written build(BaseLayers base, Path quarkusApp, String registry, String tag, Path blobDir, Path out) {
        Path runJar = quarkusApp.resolve("quarkus-run.jar");
        if (!Files.isRegularFile(runJar)) throw new ImageBuildException("no Quarkus application at " + quarkusApp + " (build the operator first)");
        Layer libs = new LayerBuilder("operator: third-party jars (" + APP_DIR + "/lib)")
                .tree(quarkusApp.resolve("lib"), APP_DIR + "/lib").write(blobDir);
        Layer app = new LayerBuilder("operator: application (" + APP_DIR + ")")
                .tree(quarkusApp.resolve("app"), APP_DIR + "/app")
                .tree(quarkusApp.resolve("quarkus"), APP_DIR + "/quarkus")
                .copy(runJar, APP_DIR + "/quarkus-run.jar")
                .write(blobDir);

        SortedMap<String, String> labels = base.labels();
        labels.put("org.opencontainers.image.title", "jVisor operator");
        labels.put("org.opencontainers.image.description", "Turns SandboxPolicies into RuntimeClasses and pod admission decisions.");
        labels.put("org.opencontainers.image.version", tag);
        ImageConfig config = new ImageConfig(
                List.of(BaseLayers.JAVA_HOME + "/bin/java",
                        // The heap follows the container's memory limit; an OOM restarts the pod
                        // instead of leaving a half-working webhook server.
                        "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError",
                        // Netty (under Vert.x and the Kubernetes client) still allocates through
                        // sun.misc.Unsafe; allowed explicitly, it does so without a warning.
                        "--sun-misc-unsafe-memory-access=allow",
                        "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                        "-jar", APP_DIR + "/quarkus-run.jar"),
                List.of(),
                BaseLayers.APP_UID + ":" + BaseLayers.APP_UID,
                APP_DIR,
                List.of("PATH=" + BaseLayers.JAVA_HOME + "/bin:/usr/bin:/bin", "JAVA_HOME=" + BaseLayers.JAVA_HOME, "LANG=C.UTF-8"),
                labels,
                new TreeSet<>(List.of("8443/tcp", "9000/tcp")));
        return OciImageWriter.write(out, registry + "/" + REPOSITORY + ":" + tag, List.of(base.system(), base.java(), libs, app), config);
    }
}
