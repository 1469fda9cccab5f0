package dev.jvisor.images;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Java runtime for the images, linked with jlink from the JDK running this build, holding the
 * modules {@link JdkModuleScanner} finds the applications using (plus any named explicitly:
 * modules reached only by reflection or service loading, which no static analysis sees).
 * Linking takes a while, so a runtime already linked from the same JDK with the same modules is
 * reused.
 */
public final class JavaRuntimeLinker {
    private JavaRuntimeLinker() {}

    /**
     * Links {@code modules} into {@code output} (replaced), unless it already holds a runtime of
     * this JDK with exactly these modules.
     */
    public static Path link(SortedSet<String> modules, Path output) {
        Path stamp = output.resolveSibling(output.getFileName() + ".inputs");
        String inputs = Runtime.version() + "\n" + System.getProperty("java.home") + "\n" + modules;
        try {
            if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(inputs) && Files.isExecutable(output.resolve("bin/java"))) {
                return output;
            }
            deleteTree(output);
            Files.deleteIfExists(stamp);
            Files.createDirectories(output.getParent());
            jlink(List.of("--add-modules", String.join(",", modules), "--strip-debug", "--no-header-files",
                    "--no-man-pages", "--output", output.toString()));
            if (!Files.isExecutable(output.resolve("bin/java"))) throw new ImageBuildException("jlink wrote no bin/java in " + output);
            Files.writeString(stamp, inputs);
            return output;
        } catch (IOException e) {
            throw new ImageBuildException("cannot link a Java runtime with " + modules + " into " + output, e);
        }
    }

    /**
     * Runs the JDK's jlink as its own process. In-process (ToolProvider) its output depends on
     * the state of the JVM it runs in: the invoker classes it generates differed between a test
     * JVM and a plain one, and with them lib/modules and the image digest.
     */
    private static void jlink(List<String> args) throws IOException {
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        if (!Files.isExecutable(jlink)) throw new ImageBuildException("no " + jlink + ": build with a JDK, not a JRE");
        List<String> command = new ArrayList<>();
        command.add(jlink.toString());
        command.addAll(args);
        Path log = Files.createTempFile("jlink", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new ImageBuildException("jlink did not finish within 10 minutes");
            }
            if (p.exitValue() != 0) throw new ImageBuildException("jlink failed (" + p.exitValue() + "): " + Files.readString(log));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageBuildException("interrupted while linking", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
