package dev.jvisor.gofer;

import dev.jvisor.startup.OwnJar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads and initialises every jVisor class of this module before the Gofer chroots: afterwards
 * the JVM could no longer find a class that is first needed later, in the middle of a request.
 */
final class ClassPreloader {
    private static final String[] PACKAGES = {"dev/jvisor/abi/", "dev/jvisor/p9/", "dev/jvisor/gofer/", "dev/jvisor/seccomp/", "dev/jvisor/startup/",
            "dev/jvisor/hostcall/"};

    private ClassPreloader() {}

    /** Returns how many classes were loaded. */
    static int loadAll() throws IOException {
        Path location = OwnJar.of(ClassPreloader.class);
        List<String> names = Files.isDirectory(location) ? fromDirectory(location) : fromJar(location);
        int loaded = 0;
        for (String name : names) {
            try {
                Class.forName(name, true, ClassPreloader.class.getClassLoader());
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IOException("cannot preload " + name, e);
            }
        }
        return loaded;
    }

    private static List<String> fromDirectory(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(p -> root.relativize(p).toString())
                    .filter(ClassPreloader::isOurs)
                    .map(ClassPreloader::className)
                    .toList();
        }
    }

    private static List<String> fromJar(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = jf.entries();
            while (entries.hasMoreElements()) {
                String n = entries.nextElement().getName();
                if (isOurs(n)) {
                    names.add(className(n));
                }
            }
        }
        return names;
    }

    private static boolean isOurs(String path) {
        if (!path.endsWith(".class") || path.endsWith("package-info.class") || path.endsWith("module-info.class")) {
            return false;
        }
        for (String p : PACKAGES) {
            if (path.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static String className(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }
}
