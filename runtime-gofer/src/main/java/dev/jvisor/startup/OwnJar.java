package dev.jvisor.startup;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.jar.JarFile;

/**
 * The class-path entry (a jar or a classes directory) a class of this process was loaded from,
 * found on {@code java.class.path}. Not from the class's {@code CodeSource}: a class loaded from
 * an AOT cache carries the location it had when the cache was trained, which for an installed
 * distribution is the build machine's directory — absent, or holding other jars.
 */
public final class OwnJar {
    private OwnJar() {}

    /** The entry holding {@code c}; the code source only when no class-path entry does. */
    public static Path of(Class<?> c) throws IOException {
        String resource = c.getName().replace('.', '/') + ".class";
        String classPath = System.getProperty("java.class.path", "");
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                if (Files.isRegularFile(p.resolve(resource))) {
                    return p;
                }
            } else if (Files.isRegularFile(p)) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    if (jar.getEntry(resource) != null) {
                        return p;
                    }
                }
            }
        }
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            try {
                Path p = Path.of(source.getLocation().toURI());
                if (Files.exists(p)) {
                    return p;
                }
            } catch (URISyntaxException | IllegalArgumentException e) {
                // not a file location: reported below
            }
        }
        throw new IOException(c.getName() + " was not found on the class path (" + classPath + ")");
    }
}
