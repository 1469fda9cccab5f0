package dev.jvisor.sentry;

import dev.jvisor.sentry.host.Host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs a program in a real sandbox in this JVM, capturing its stdout and stderr through host pipes. */
public final class SandboxRunner {
    private SandboxRunner() {}

    public record Result(int status, String out, String err) {}

    /** A rootfs holding busybox-static with its applets, /etc/passwd, /tmp, /proc and /dev. */
    public static Path busyboxRootfs(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        bin.resolve("busybox").toFile().setExecutable(true, false);
        Process p = new ProcessBuilder("/bin/busybox", "--list").start();
        for (String applet : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (applet.isBlank() || applet.equals("busybox")) continue;
            Path link = bin.resolve(applet.strip());
            if (!Files.exists(link)) Files.createSymbolicLink(link, Path.of("busybox"));
        }
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\n");
        for (String d : List.of("tmp", "proc", "dev", "root", "usr/bin")) Files.createDirectories(dir.resolve(d));
        return dir;
    }

    public static Result run(Path rootfs, List<String> argv, String stdin) throws Exception {
        return run(rootfs, argv, stdin, false);
    }

    public static Result run(Path rootfs, List<String> argv, String stdin, boolean strace) throws Exception {
        return run(rootfs, argv, stdin, strace, true);
    }

    /** {@code rootOverlay=false} is runsc {@code --overlay=false}: root writes reach the host directory. */
    public static Result run(Path rootfs, List<String> argv, String stdin, boolean strace, boolean rootOverlay) throws Exception {
        int[] in = Host.pipe2(0x80000), out = Host.pipe2(0x80000), err = Host.pipe2(0x80000);
        CompletableFuture<String> outF = drain(out[0]), errF = drain(err[0]);
        CompletableFuture.runAsync(() -> {
            byte[] b = stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8);
            try {
                if (b.length > 0) Host.writeFully(in[1], b, 0, b.length);
            } finally {
                Host.close(in[1]);
            }
        });
        int status;
        try {
            SandboxSpec spec = new SandboxSpec(rootfs, argv, List.of("PATH=/bin:/usr/bin", "HOME=/root"), "/", "jvisor",
                    strace, in[0], out[1], err[1], rootOverlay);
            status = Sandbox.run(spec);
        } finally {
            Host.close(in[0]);
            Host.close(out[1]);
            Host.close(err[1]);
        }
        return new Result(status, outF.get(), errF.get());
    }

    private static CompletableFuture<String> drain(int fd) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(65536);
                while (true) {
                    long n = Host.read(fd, buf, 65536);
                    if (n <= 0) break;
                    byte[] b = new byte[(int) n];
                    MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, 0, (int) n);
                    bos.write(b, 0, b.length);
                }
            } finally {
                Host.close(fd);
            }
            return bos.toString(StandardCharsets.UTF_8);
        });
    }
}
