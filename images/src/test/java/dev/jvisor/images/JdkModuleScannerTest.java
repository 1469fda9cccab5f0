package dev.jvisor.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner names the JDK modules a jar's classes reference, type descriptors included; it
 * agrees with jdeps where jdeps can answer, and skips multi-release entries for later JDKs.
 */
class JdkModuleScannerTest {
    private static void addClass(JarOutputStream jar, String entry, Class<?> c) throws Exception {
        jar.putNextEntry(new JarEntry(entry));
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            in.transferTo(jar);
        }
        jar.closeEntry();
    }

    @Test
    void referencesInCallsAndTypeDescriptorsCountAndLaterReleasesDoNot(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            addClass(out, "dev/jvisor/images/UsesSqlAndLogging.class", UsesSqlAndLogging.class);
            // Loaded only by a JDK 99: not part of what this runtime needs.
            addClass(out, "META-INF/versions/99/dev/jvisor/images/UsesDesktop.class", UsesDesktop.class);
        }
        assertThat(JdkModuleScanner.modulesUsedBy(List.of(jar))).containsExactly("java.base", "java.logging", "java.sql");

        Path withDesktop = dir.resolve("desktop.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(withDesktop))) {
            addClass(out, "dev/jvisor/images/UsesDesktop.class", UsesDesktop.class);
        }
        assertThat(JdkModuleScanner.modulesUsedBy(List.of(dir))).containsExactly("java.base", "java.desktop", "java.logging", "java.sql");
    }

    @Test
    void agreesWithJdepsOnAPlainJar(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            addClass(out, "dev/jvisor/images/UsesSqlAndLogging.class", UsesSqlAndLogging.class);
            addClass(out, "dev/jvisor/images/UsesDesktop.class", UsesDesktop.class);
        }
        StringWriter listed = new StringWriter();
        int status = ToolProvider.findFirst("jdeps").orElseThrow()
                .run(new PrintWriter(listed), new PrintWriter(new StringWriter()), "--list-deps", "--ignore-missing-deps", jar.toString());
        assertThat(status).isZero();
        // --list-deps prints one module per line; "module/package" lines name internal packages.
        Set<String> jdeps = listed.toString().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.contains("/"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(JdkModuleScanner.modulesUsedBy(List.of(jar))).containsExactlyElementsOf(jdeps);
    }
}
