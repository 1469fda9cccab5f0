package dev.jvisor.chart;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the chart and the files it is checked against are: set by the build (surefire system
 * properties), with fall-backs for running a test from the module directory.
 */
final class Repository {

    private Repository() {
    }

    static Path root() {
        return Path.of(System.getProperty("jvisor.repo.dir", "..")).toAbsolutePath().normalize();
    }

    static Path chart() {
        return Path.of(System.getProperty("jvisor.chart.dir", root().resolve("charts/jvisor").toString()))
                .toAbsolutePath().normalize();
    }

    static Path generatedCrds() {
        return Path.of(System.getProperty("jvisor.crd.dir", root().resolve("crds/generated").toString()))
                .toAbsolutePath().normalize();
    }

    static Path testValues(String name) {
        Path file = root().resolve("kind-tests/src/test/resources/values").resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no test values file " + file);
        }
        return file;
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }
}
