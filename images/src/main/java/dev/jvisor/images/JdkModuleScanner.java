package dev.jvisor.images;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Which JDK modules a set of jars uses: every class their class files name (in the constant pool
 * and in type descriptors) is mapped, by its package, to the JDK module that holds it. This is
 * what {@code jdeps --print-module-deps} answers, without its module resolution: jdeps refuses
 * an application whose modular jars require modules under names the packaging changed (Quarkus'
 * lib/ renames every jar), while the class references are what the runtime needs either way.
 * Multi-release entries count only up to this JDK's version; jlink adds required modules itself.
 */
public final class JdkModuleScanner {
    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([\\w/$]+)[;<]");
    private final Map<String, String> moduleOfPackage = new HashMap<>();
    private final SortedSet<String> used = new TreeSet<>();

    public JdkModuleScanner() {
        for (ModuleReference m : ModuleFinder.ofSystem().findAll()) {
            for (String pkg : m.descriptor().packages()) moduleOfPackage.put(pkg.replace('.', '/'), m.descriptor().name());
        }
    }

    /** The JDK modules the jars (files, or directories searched for *.jar) use; java.base always. */
    public static SortedSet<String> modulesUsedBy(List<Path> jarsOrDirs) {
        JdkModuleScanner scanner = new JdkModuleScanner();
        for (Path p : jarsOrDirs) {
            for (Path jar : jars(p)) scanner.scanJar(jar);
        }
        scanner.used.add("java.base");
        return new TreeSet<>(scanner.used);
    }

    private static List<Path> jars(Path p) {
        if (Files.isRegularFile(p)) return List.of(p);
        if (!Files.isDirectory(p)) throw new ImageBuildException("no jar or directory at " + p);
        try (Stream<Path> all = Files.walk(p)) {
            return all.filter(j -> j.toString().endsWith(".jar") && Files.isRegularFile(j)).sorted().toList();
        } catch (IOException e) {
            throw new ImageBuildException("cannot list " + p, e);
        }
    }

    private void scanJar(Path jar) {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = e.getName();
                if (!name.endsWith(".class") || name.endsWith("module-info.class") || !forThisRuntime(name)) continue;
                scanClass(zip.readAllBytes());
            }
        } catch (IOException e) {
            throw new ImageBuildException("cannot read " + jar, e);
        }
    }

    /** META-INF/versions/N/ entries load only on a JDK of version N or later. */
    private static boolean forThisRuntime(String name) {
        if (!name.startsWith("META-INF/versions/")) return true;
        String rest = name.substring("META-INF/versions/".length());
        int slash = rest.indexOf('/');
        try {
            return slash > 0 && Integer.parseInt(rest.substring(0, slash)) <= Runtime.version().feature();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void scanClass(byte[] bytes) {
        ClassModel model;
        try {
            model = ClassFile.of().parse(bytes);
        } catch (IllegalArgumentException e) {
            // A damaged or future class file inside a third-party jar: it cannot load either.
            return;
        }
        List<String> names = new ArrayList<>();
        for (PoolEntry entry : model.constantPool()) {
            if (entry instanceof ClassEntry c) {
                names.add(c.asInternalName());
            } else if (entry instanceof Utf8Entry u) {
                String text = u.stringValue();
                if (text.indexOf('L') >= 0 && text.indexOf(';') > 0) {
                    Matcher m = DESCRIPTOR_CLASS.matcher(text);
                    while (m.find()) names.add(m.group(1));
                }
            }
        }
        for (String n : names) {
            String internal = n.startsWith("[") ? n.replaceFirst("^\\[+L?", "").replace(";", "") : n;
            int slash = internal.lastIndexOf('/');
            if (slash <= 0) continue;
            String module = moduleOfPackage.get(internal.substring(0, slash));
            if (module != null) used.add(module);
        }
    }
}
