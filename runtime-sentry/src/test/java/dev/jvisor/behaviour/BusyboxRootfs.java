package dev.jvisor.behaviour;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A minimal root filesystem in a host directory: a static busybox with a symlink per applet in
 * {@code /bin}, the compiled behaviour programs next to it, a world-writable {@code /tmp},
 * {@code /etc/passwd} and {@code /etc/group}, and empty {@code /proc}, {@code /dev}, {@code /sys}
 * so a sandbox has mount points and a native {@code find} counts the same entries.
 */
final class BusyboxRootfs {
    /** Debian's busybox-static installs a statically linked busybox here. */
    static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    private static final String PASSWD = """
            root:x:0:0:root:/root:/bin/sh
            nobody:x:65534:65534:nobody:/nonexistent:/bin/false
            """;
    private static final String GROUP = """
            root:x:0:
            nogroup:x:65534:
            """;

    private static List<String> applets;

    private BusyboxRootfs() {
    }

    /** Populates the empty directory {@code root} and returns it. */
    static Path build(Path root) {
        try {
            Path bin = Files.createDirectories(root.resolve("bin"));
            Files.copy(HOST_BUSYBOX, bin.resolve("busybox"));
            for (String applet : applets()) {
                Path link = bin.resolve(applet);
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, Path.of("busybox"));
                }
            }
            for (Path program : StaticPrograms.all()) {
                Files.copy(program, bin.resolve(program.getFileName()));
            }
            Path etc = Files.createDirectories(root.resolve("etc"));
            Files.writeString(etc.resolve("passwd"), PASSWD);
            Files.writeString(etc.resolve("group"), GROUP);
            for (String dir : List.of("proc", "dev", "sys", "root")) {
                Files.createDirectories(root.resolve(dir));
            }
            Path tmp = Files.createDirectories(root.resolve("tmp"));
            // The sticky bit has no java.nio spelling.
            run(List.of("chmod", "1777", tmp.toString()));
            return root;
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot build a busybox rootfs in " + root, e);
        }
    }

    /** Number of entries {@code find ROOT -xdev} prints for this rootfs, the root included. */
    static long entryCount(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            return all.count();
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot walk " + root, e);
        }
    }

    private static synchronized List<String> applets() {
        if (applets == null) {
            String list = run(List.of(HOST_BUSYBOX.toString(), "--list"));
            applets = list.lines().map(String::strip).filter(a -> !a.isEmpty() && !a.contains("/")).toList();
        }
        return applets;
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new BehaviourSetupException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot run " + command.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BehaviourSetupException("interrupted running " + command.getFirst(), e);
        }
    }
}
