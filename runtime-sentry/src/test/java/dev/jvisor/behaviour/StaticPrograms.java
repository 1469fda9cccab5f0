package dev.jvisor.behaviour;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Compiles each behaviour program ({@code src/test/c/NAME.c}) into a static executable
 * {@code target/behaviour-bin/NAME}.
 *
 * <p>A binary is rebuilt only when its inputs change: the digest of the compiler command, the
 * program's source and every shared header is stored next to it and compared on each run. So a
 * test run compiles at most once, and repeated runs usually not at all.
 */
final class StaticPrograms {
    /** Static, so the same binary runs on the host and in a rootfs with no libc. */
    private static final List<String> COMPILER = List.of("gcc", "-static", "-O1", "-Wall", "-Wextra", "-Werror");

    private static final long COMPILE_TIMEOUT_SECONDS = 120;

    private StaticPrograms() {
    }

    /** Names of every program (a {@code .c} file in the sources directory), sorted. */
    static List<String> names() {
        try (Stream<Path> files = Files.list(ModulePaths.cSources())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".c"))
                    .map(n -> n.substring(0, n.length() - 2))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot list the behaviour programs", e);
        }
    }

    /** The compiled program, built now if it is missing or out of date. */
    static synchronized Path binary(String name) {
        Path source = ModulePaths.cSources().resolve(name + ".c");
        if (!Files.isRegularFile(source)) {
            throw new BehaviourSetupException("no behaviour program " + source);
        }
        Path out = ModulePaths.binaries().resolve(name);
        Path stamp = ModulePaths.binaries().resolve(name + ".sha256");
        String digest = inputDigest(source);
        try {
            if (Files.isExecutable(out) && Files.exists(stamp) && Files.readString(stamp).equals(digest)) {
                return out;
            }
            Files.createDirectories(out.getParent());
            compile(source, out);
            Files.writeString(stamp, digest);
            return out;
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot build " + name, e);
        }
    }

    /** Every program compiled; the suite's rootfs holds all of them. */
    static List<Path> all() {
        return names().stream().map(StaticPrograms::binary).toList();
    }

    private static void compile(Path source, Path out) throws IOException {
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        List<String> command = new ArrayList<>(COMPILER);
        command.addAll(List.of("-o", partial.toString(), source.toString()));
        Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        gcc.getOutputStream().close();
        String diagnostics = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!gcc.waitFor(COMPILE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                gcc.destroyForcibly();
                throw new BehaviourSetupException("gcc timed out on " + source);
            }
        } catch (InterruptedException e) {
            gcc.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BehaviourSetupException("interrupted while compiling " + source, e);
        }
        if (gcc.exitValue() != 0) {
            throw new BehaviourSetupException("gcc failed on " + source + ":\n" + diagnostics);
        }
        // Renamed into place only when complete, so a killed build never leaves a half binary.
        Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String inputDigest(Path source) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.join(" ", COMPILER).getBytes(StandardCharsets.UTF_8));
            sha.update(Files.readAllBytes(source));
            try (Stream<Path> headers = Files.list(source.getParent())) {
                for (Path header : headers.filter(p -> p.toString().endsWith(".h")).sorted().toList()) {
                    sha.update(header.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                    sha.update(Files.readAllBytes(header));
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot read " + source, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }
}
