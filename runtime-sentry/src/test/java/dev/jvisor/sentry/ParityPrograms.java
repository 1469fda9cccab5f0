package dev.jvisor.sentry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Builds a C program from test resources into a sandbox rootfs and records what it prints natively. */
final class ParityPrograms {
    private ParityPrograms() {}

    /** Compiles {@code /programs/NAME.c} static into {@code rootfs/bin/NAME}; returns its native stdout (run in {@code rootfs}). */
    static String buildAndRunNatively(Path rootfs, Path work, String name, String... gccFlags) throws Exception {
        Path src = work.resolve(name + ".c");
        try (var in = ParityPrograms.class.getResourceAsStream("/programs/" + name + ".c")) {
            Files.write(src, in.readAllBytes());
        }
        Path bin = rootfs.resolve("bin/" + name);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-static", "-O1"));
        cmd.addAll(List.of(gccFlags));
        cmd.addAll(List.of("-o", bin.toString(), src.toString()));
        Process gcc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as(log).isZero();
        Process nat = new ProcessBuilder(bin.toString()).directory(rootfs.toFile()).start();
        String out = new String(nat.getInputStream().readAllBytes());
        assertThat(nat.waitFor()).as("native run of " + name).isZero();
        return out;
    }
}
