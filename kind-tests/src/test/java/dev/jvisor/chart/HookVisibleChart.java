package dev.jvisor.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A copy of the chart whose hook objects {@code helm template} prints. The embedded Helm prints
 * only a release's manifest, never its hooks, so the copy renames the {@code helm.sh/hook*}
 * annotations (nothing else changes) and {@link #restoreHookAnnotations} renames them back on
 * the parsed objects: the tests see exactly what Helm would create, hooks included.
 */
final class HookVisibleChart {

    private static final String HOOK = "helm.sh/hook";
    private static final String DISGUISED = "rendered-hook.jvisor.dev/hook";

    private static Path copy;

    private HookVisibleChart() {
    }

    static synchronized Path path() {
        if (copy == null) {
            copy = copyOf(Repository.chart());
        }
        return copy;
    }

    static HasMetadata restoreHookAnnotations(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        if (annotations == null || annotations.keySet().stream().noneMatch(k -> k.startsWith(DISGUISED))) {
            return object;
        }
        Map<String, String> restored = new LinkedHashMap<>();
        annotations.forEach((key, value) -> restored.put(
                key.startsWith(DISGUISED) ? HOOK + key.substring(DISGUISED.length()) : key, value));
        object.getMetadata().setAnnotations(restored);
        return object;
    }

    private static Path copyOf(Path chart) {
        try {
            Path target = Files.createTempDirectory("jvisor-chart-");
            target.toFile().deleteOnExit();
            try (Stream<Path> files = Files.walk(chart)) {
                for (Path source : files.toList()) {
                    Path destination = target.resolve(chart.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(destination);
                    } else if (source.toString().endsWith(".yaml") && source.startsWith(chart.resolve("templates"))) {
                        Files.writeString(destination, Files.readString(source).replace(HOOK, DISGUISED));
                    } else {
                        Files.copy(source, destination);
                    }
                    destination.toFile().deleteOnExit();
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the chart " + chart, e);
        }
    }
}
