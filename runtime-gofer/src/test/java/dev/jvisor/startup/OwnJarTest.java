package dev.jvisor.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OwnJar} finds a class's entry on java.class.path, whatever its code source says (an AOT
 * cache's classes keep the location they were trained at).
 */
class OwnJarTest {
    @TempDir Path dir;
    private final String saved = System.getProperty("java.class.path");

    @AfterEach
    void restore() {
        System.setProperty("java.class.path", saved);
    }

    @Test
    void findsTheJarThatHoldsTheClassAmongOthers() throws IOException {
        Path other = jar("other.jar", "org/example/Nothing.class");
        Path own = jar("runtime-gofer.jar", OwnJar.class.getName().replace('.', '/') + ".class");
        System.setProperty("java.class.path", dir.resolve("missing.jar") + ":" + other + "::" + own);
        assertThat(OwnJar.of(OwnJar.class)).isEqualTo(own);
    }

    @Test
    void findsAClassesDirectory() throws IOException {
        Path classes = Files.createDirectories(dir.resolve("classes/dev/jvisor/startup"));
        Files.write(classes.resolve("OwnJar.class"), new byte[] {1});
        System.setProperty("java.class.path", dir.resolve("classes").toString());
        assertThat(OwnJar.of(OwnJar.class)).isEqualTo(dir.resolve("classes"));
    }

    @Test
    void fallsBackToTheCodeSourceOnlyWhenItExists() throws IOException {
        // Nothing on the class path holds it: the code source of this test's own load is used.
        System.setProperty("java.class.path", jar("other.jar", "org/example/Nothing.class").toString());
        assertThat(Files.exists(OwnJar.of(OwnJar.class))).isTrue();
        // A class without a file location (a JDK class) is reported, naming the class path.
        assertThatThrownBy(() -> OwnJar.of(String.class))
                .isInstanceOf(IOException.class).hasMessageContaining("java.lang.String").hasMessageContaining("other.jar");
    }

    private Path jar(String name, String entry) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(p); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry(entry));
            jar.write(new byte[] {1});
            jar.closeEntry();
        }
        return p;
    }
}
