package dev.jvisor.kindtests.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the images module leaves its archives, named by the chart's appVersion (the tag the
 * chart's image defaults use): a missing archive means the chart and the images disagree, or
 * the images were not built.
 */
public final class BuiltImages {
    public static final Path REPO = Path.of(System.getProperty("jvisor.repo.dir", "..")).toAbsolutePath().normalize();
    public static final Path CHART = Path.of(System.getProperty("jvisor.chart.dir", REPO.resolve("charts/jvisor").toString()));
    public static final Path TARGET = REPO.resolve("images/target");

    private BuiltImages() {}

    /** The chart's appVersion, read from Chart.yaml. */
    public static String appVersion() throws IOException {
        return Files.readAllLines(CHART.resolve("Chart.yaml")).stream().filter(l -> l.startsWith("appVersion:"))
                .map(l -> l.substring("appVersion:".length()).strip().replace("\"", "")).findFirst()
                .orElseThrow(() -> new AssertionError("no appVersion in Chart.yaml"));
    }

    public static Path operator() throws IOException {
        return TARGET.resolve("jvisor-operator-" + appVersion() + ".oci.tar");
    }

    public static Path nodeAgent() throws IOException {
        return TARGET.resolve("jvisor-node-agent-" + appVersion() + ".oci.tar");
    }

    /** Why the image tests cannot run, if they cannot. */
    public static Optional<String> missing() throws IOException {
        if (!Files.isDirectory(TARGET)) return Optional.of("skipped: no images/target (build the images module first)");
        for (Path p : new Path[] {operator(), nodeAgent()}) {
            if (!Files.isRegularFile(p)) return Optional.of("skipped: no " + p + " (build the images module first)");
        }
        return Optional.empty();
    }
}
