package dev.jvisor.runsc.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged runtime, as a user or the node agent gets it: target/jvisor-runtime and its
 * tarball, run as separate processes. Runs after {@code package} (failsafe).
 */
class DistributionIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime"));
    private static final Path TARBALL = Path.of(System.getProperty("jvisor.dist.tarball", "missing.tar.gz"));
    private static final Path ROOTFS = Path.of(System.getProperty("jvisor.rootfs.busybox", "target/rootfs-busybox"));
    private static final String VERSION = System.getProperty("jvisor.version", "");
    private static final String SPEC = System.getProperty("oci.spec.version", "");

    record Result(int status, String out, String err) {}

    static Result exec(Path cwd, Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("runsc-out", ".txt");
        Path err = Files.createTempFile("runsc-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void layoutHoldsTheLauncherOurTwoJarsAndTheAotCaches() throws Exception {
        assertThat(DIST.resolve("bin/runsc")).isExecutable();
        List<String> expected = new ArrayList<>(List.of("runtime-sentry.jar", "runtime-gofer.jar", "runsc.aot", "policy"));
        if (Files.isDirectory(ROOTFS)) expected.add("sandbox.aot");
        // The Gofer's cache is trained on a Gofer serving a busybox shell over the host root.
        if (Files.isExecutable(Path.of("/bin/busybox"))) expected.add("gofer.aot");
        try (Stream<Path> lib = Files.list(DIST.resolve("lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(Files.size(DIST.resolve("lib/runsc.aot"))).isGreaterThan(1 << 20);
        // The node agent's policy client: gRPC over a unix socket needs netty's epoll native library.
        assertThat(DIST.resolve("lib/policy/grpc-netty-shaded.jar")).isRegularFile();
        assertThat(DIST.resolve("lib/policy/protobuf-java.jar")).isRegularFile();
        assertThat(DIST.resolve("etc/runsc.toml")).isRegularFile();
        String launcher = Files.readString(DIST.resolve("bin/runsc"));
        assertThat(launcher).doesNotContainPattern("@[A-Z_]+@").contains(System.getProperty("java.home"));
    }

    @Test
    void theBundledRuntimeHoldsOnlyTheModulesRunscUsesAndIsWhatTheLauncherRuns() throws Exception {
        assertThat(DIST.resolve("jre/bin/java")).isExecutable();
        assertThat(DIST.resolve("VERSION")).content().isEqualTo(VERSION + "\n");
        // jlink records the modules it linked; jdeps found these in our jars and the policy
        // client's (gRPC logs through java.util.logging).
        assertThat(Files.readAllLines(DIST.resolve("jre/release"))).contains("MODULES=\"java.base java.logging jdk.unsupported\"");
        // The default CDS archive, for JVMs started without an AOT cache (the Gofer).
        assertThat(DIST.resolve("jre/lib/server/classes.jsa")).isNotEmptyFile();
        Result r = exec(DIST, Map.of("JVISOR_JAVA_OPTS", "-XX:AOTMode=on -Xlog:aot=info:stderr"),
                DIST.resolve("bin/runsc").toString(), "--version");
        assertThat(r.status()).as(r.err()).isZero();
        // AOTMode=on fails the start if the cache does not match the JVM: it was trained on jre/.
        assertThat(r.err()).contains("Using AOT-linked classes: true");
    }

    /**
     * A node has no JDK: hide every JDK of this machine (a private mount namespace with a tmpfs
     * over the build JDK's parent directory) and run the distribution with an empty environment.
     */
    @Test
    void runsOnANodeWithoutAJdk(@TempDir Path cwd) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "hiding the JDK needs a mount namespace (root)");
        Path jdks = Path.of(System.getProperty("java.home")).toRealPath().getParent();
        String script = "mount -t tmpfs none \"$1\" && ! ls \"$1\"/*/bin/java 2>/dev/null && exec env -i PATH=/usr/bin:/bin \"$2\" --version";
        Result r = exec(cwd, Map.of(), "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                jdks.toString(), DIST.resolve("bin/runsc").toAbsolutePath().toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("runsc version " + VERSION + "\nspec: " + SPEC + "\n");
        if (Files.isDirectory(ROOTFS)) {
            Result sandbox = exec(cwd, Map.of(), "unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount -t tmpfs none \"$1\" && exec env -i PATH=/usr/bin:/bin \"$2\" do --rootfs \"$3\" -- /bin/echo sandboxed",
                    "sh", jdks.toString(), DIST.resolve("bin/runsc").toAbsolutePath().toString(), ROOTFS.toAbsolutePath().toString());
            assertThat(sandbox.status()).as(sandbox.err()).isZero();
            assertThat(sandbox.out()).isEqualTo("sandboxed\n");
        }
    }

    @Test
    void versionFromAnotherDirectoryThroughASymlink(@TempDir Path elsewhere) throws Exception {
        Path link = elsewhere.resolve("runsc");
        Files.createSymbolicLink(link, DIST.resolve("bin/runsc").toAbsolutePath());
        Result r = exec(elsewhere, Map.of(), link.toString(), "--version");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("runsc version " + VERSION + "\nspec: " + SPEC + "\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void theAotCacheMatchesTheLauncher(@TempDir Path cwd) throws Exception {
        // AOTMode=on makes the JVM fail instead of silently starting without an unusable cache.
        Result r = exec(cwd, Map.of("JVISOR_JAVA_OPTS", "-XX:AOTMode=on"), DIST.resolve("bin/runsc").toString(), "features");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(JsonParser.parse(r.out())).as("stdout carries only the JSON").isInstanceOf(JsonObject.class);
    }

    @Test
    void sandboxCommandsStartFromTheSandboxCacheAndTheRestFromTheCliCache(@TempDir Path cwd) throws Exception {
        assumeTrue(Files.isRegularFile(DIST.resolve("lib/sandbox.aot")), "no sandbox cache (busybox-static missing)");
        // AOTMode=on fails the start if the chosen cache cannot be used; aot=info names the cache opened.
        Map<String, String> env = Map.of("JVISOR_JAVA_OPTS", "-XX:AOTMode=on -Xlog:aot=info:stderr");
        String runsc = DIST.resolve("bin/runsc").toAbsolutePath().toString();
        Result sandbox = exec(cwd, env, runsc, "do", "--rootfs", ROOTFS.toAbsolutePath().toString(), "--", "/bin/true");
        assertThat(sandbox.status()).as(sandbox.err()).isZero();
        assertThat(sandbox.err()).contains("Opened AOT cache " + DIST.resolve("lib/sandbox.aot").toAbsolutePath());
        Result cli = exec(cwd, env, runsc, "--root", cwd.toString(), "list");
        assertThat(cli.status()).as(cli.err()).isZero();
        assertThat(cli.err()).contains("Opened AOT cache " + DIST.resolve("lib/runsc.aot").toAbsolutePath());
    }

    @Test
    void aSandboxStartsItsGoferFirstAndHandsItTheGoferCache(@TempDir Path cwd) throws Exception {
        assumeTrue(Files.isRegularFile(DIST.resolve("lib/gofer.aot")) && Files.isDirectory(ROOTFS), "no Gofer cache or rootfs");
        Path trace = cwd.resolve("trace");
        Result r = exec(cwd, Map.of("JVISOR_STARTUP_TRACE", trace.toString()), DIST.resolve("bin/runsc").toString(),
                "do", "--rootfs", ROOTFS.toAbsolutePath().toString(), "--", "/bin/sh", "-c", "echo served");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("served\n");
        // Every process marked its phases; the launcher started the Gofer beside the Sentry, which
        // adopted it (it runs what the Sentry would have spawned, cache included) and handed it the root.
        List<String> marks = Files.readAllLines(trace).stream().map(l -> l.split(" ")[2]).toList();
        assertThat(marks).containsSubsequence("launcher:do", "runsc-main", "gofer-adopted", "gofer-serving",
                "gofer-connected", "runsc-exit");
        assertThat(marks).contains("gofer-main").doesNotContain("gofer-spawned");
        // The option the launcher hands the Sentry for its Gofers names the cache.
        assertThat(Files.readString(DIST.resolve("bin/runsc"))).contains("-Djvisor.gofer.aotCache=$home/lib/gofer.aot");

        // Without the pre-started Gofer, the Sentry spawns one before it waits for it.
        Files.delete(trace);
        Result spawned = exec(cwd, Map.of("JVISOR_STARTUP_TRACE", trace.toString(), "JVISOR_NO_GOFER_PRESTART", "1"),
                DIST.resolve("bin/runsc").toString(), "do", "--rootfs", ROOTFS.toAbsolutePath().toString(), "--",
                "/bin/sh", "-c", "echo served");
        assertThat(spawned.status()).as(spawned.err()).isZero();
        assertThat(spawned.out()).isEqualTo("served\n");
        marks = Files.readAllLines(trace).stream().map(l -> l.split(" ")[2]).toList();
        assertThat(marks).containsSubsequence("launcher:do", "runsc-main", "gofer-spawned", "gofer-main", "gofer-serving",
                "gofer-connected", "runsc-exit");
        assertThat(marks).doesNotContain("gofer-adopted");
    }

    @Test
    void theHostStdinOpensAgainThroughDevStdin(@TempDir Path cwd) throws Exception {
        assumeTrue(Files.isDirectory(ROOTFS), "no rootfs");
        // /dev/stdin is /proc/self/fd/0, a magic link: the container's stdin from the host opens
        // as that same stream; a pipe made in the sandbox opens as a new end of that pipe.
        Process p = new ProcessBuilder(DIST.resolve("bin/runsc").toString(), "do", "--rootfs", ROOTFS.toAbsolutePath().toString(),
                "--", "/bin/sh", "-c", "cat /dev/stdin; echo inner | cat /dev/stdin").directory(cwd.toFile()).start();
        try (var in = p.getOutputStream()) {
            in.write("from the host\n".getBytes());
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(new String(p.getInputStream().readAllBytes())).isEqualTo("from the host\ninner\n");
    }

    @Test
    void aPreStartedGoferDoesNotOutliveARunThatNeverUsedIt(@TempDir Path cwd) throws Exception {
        // A usage error: runsc exits before it would adopt the Gofer its launcher started.
        Result r = exec(cwd, Map.of(), DIST.resolve("bin/runsc").toString(), "do", "--no-such-flag", "--", "/bin/true");
        assertThat(r.status()).isNotZero();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        List<String> left;
        do {
            left = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains("dev.jvisor.gofer.GoferMain") && c.contains("--handoff-fd")).toList();
            if (left.isEmpty()) break;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertThat(left).as("pre-started Gofers still running").isEmpty();
    }

    @Test
    void theCliCacheKeepsTheSentryOut(@TempDir Path cwd) throws Exception {
        // Every class in a cache is loaded by every start; the Sentry's belong in sandbox.aot only.
        Path classLog = cwd.resolve("classes.txt");
        Result r = exec(cwd, Map.of("JVISOR_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog),
                DIST.resolve("bin/runsc").toString(), "--version");
        assertThat(r.status()).as(r.err()).isZero();
        List<String> sentryClasses = Files.readAllLines(classLog).stream()
                .filter(l -> l.contains(" dev.jvisor.sentry.")).toList();
        // The CLI's commands name a few Sentry types (their exceptions, the spec they hand to
        // boot, host helpers for ps and sockets); none of the kernel itself.
        Pattern kernel = Pattern.compile(" dev\\.jvisor\\.sentry\\.(kernel|syscalls|mm|loader|platform|vfs|fs)\\.\\S*(?<!Exception) source");
        assertThat(sentryClasses.stream().filter(l -> kernel.matcher(l).find()))
                .as("Sentry subsystems loaded by runsc --version").isEmpty();
        assertThat(sentryClasses).as("Sentry classes loaded by runsc --version").hasSizeLessThan(20);
    }

    @Test
    void anotherJvmRunsWithoutTheCache(@TempDir Path cwd) throws Exception {
        Result r = exec(cwd, Map.of("JVISOR_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                DIST.resolve("bin/runsc").toString(), "version");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("runsc version " + VERSION);
        Result missing = exec(cwd, Map.of("JVISOR_JAVA", "/nonexistent/java"), DIST.resolve("bin/runsc").toString(), "version");
        assertThat(missing.status()).isEqualTo(127);
        assertThat(missing.err()).contains("no JVM at /nonexistent/java");
    }

    @Test
    void shortLivedCallsRunInterpretedAndTheSandboxGetsTheJit(@TempDir Path cwd) throws Exception {
        // "-version" among the JVM options makes java report its mode and exit.
        Map<String, String> report = Map.of("JVISOR_JAVA_OPTS", "-version");
        String[][] interpreted = {{"--version"}, {"--root", "/r", "--log-format", "json", "state", "x"},
            {"--network", "none", "delete", "--force", "x"}, {"--root=do", "list"}, {"features"},
            // create and start run no Sentry: create waits for the boot process, start is one control request.
            {"--root", "/r", "create", "x"}, {"start", "x"}};
        for (String[] args : interpreted) {
            assertThat(jvmMode(cwd, report, args)).as(String.join(" ", args)).isEqualTo("interpreted mode");
        }
        for (String[] args : new String[][] {{"do", "--", "true"}, {"boot"}, {"--root", "/r", "exec", "x", "true"}}) {
            assertThat(jvmMode(cwd, report, args)).as(String.join(" ", args)).isEqualTo("mixed mode");
        }
    }

    private static String jvmMode(Path cwd, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toString()));
        cmd.addAll(List.of(args));
        Result r = exec(cwd, env, cmd.toArray(String[]::new));
        return r.err().contains("interpreted mode") ? "interpreted mode" : r.err().contains("mixed mode") ? "mixed mode" : r.err();
    }

    @Test
    void theTarballUnpacksAndRunsFromAnyDirectory(@TempDir Path install, @TempDir Path cwd) throws Exception {
        Result untar = exec(install, Map.of(), "tar", "-xzf", TARBALL.toAbsolutePath().toString());
        assertThat(untar.status()).as(untar.err()).isZero();
        Path unpacked = install.resolve("jvisor-runtime-" + VERSION);
        assertThat(unpacked.resolve("lib/runsc.aot")).isRegularFile();
        Result r = exec(cwd, Map.of("JVISOR_JAVA_OPTS", "-XX:AOTMode=on"), unpacked.resolve("bin/runsc").toString(), "--version");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("runsc version " + VERSION + "\nspec: " + SPEC + "\n");
        if (Files.isDirectory(ROOTFS)) {
            Result sandbox = exec(cwd, Map.of("JVISOR_JAVA_OPTS", "-XX:AOTMode=on"), unpacked.resolve("bin/runsc").toString(),
                    "do", "--rootfs", ROOTFS.toAbsolutePath().toString(), "--", "/bin/echo", "unpacked");
            assertThat(sandbox.status()).as(sandbox.err()).isZero();
            assertThat(sandbox.out()).isEqualTo("unpacked\n");
        }
        Set700Check.assertNoWorldWritable(unpacked);
    }

    @Test
    void concurrentDeletesFromSeparateProcessesAgreeThroughTheLock(@TempDir Path root, @TempDir Path cwd) throws Exception {
        StateStore store = new StateStore(root);
        store.create(new ContainerRecord("c", "/b", ContainerStatus.STOPPED, null, Instant.now(), "root", Map.of())).close();
        store.create(new ContainerRecord("d", "/b", ContainerStatus.STOPPED, null, Instant.now(), "root", Map.of())).close();

        // Plain delete: exactly one process deletes, the others learn it does not exist.
        List<Process> plain = start(6, cwd, root, "delete", "c");
        int ok = 0;
        for (Process p : plain) if (finish(p) == 0) ok++;
        assertThat(ok).isEqualTo(1);
        List<String> errors = Files.readAllLines(cwd.resolve("log.json"));
        assertThat(errors).hasSize(5).allMatch(l -> l.contains("does not exist"));

        // The shim's delete --force: every process succeeds.
        for (Process p : start(6, cwd, root, "delete", "--force", "d")) assertThat(finish(p)).isZero();
        assertThat(store.ids()).isEmpty();
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left).as("nothing left behind").isEmpty();
        }
    }

    private static List<Process> start(int n, Path cwd, Path root, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toAbsolutePath().toString(),
                "--root", root.toString(), "--log", cwd.resolve("log.json").toString(), "--log-format", "json"));
        cmd.addAll(List.of(args));
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ps.add(new ProcessBuilder(cmd).directory(cwd.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        return ps;
    }

    private static int finish(Process p) throws InterruptedException {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("runsc did not finish");
        }
        return p.exitValue();
    }

    @Test
    void errorsThroughTheLauncherReachTheShimsLog(@TempDir Path bundle) throws Exception {
        Result r = exec(bundle, new HashMap<>(), DIST.resolve("bin/runsc").toString(), "--root", bundle.resolve("root").toString(),
                "--log", bundle.resolve("log.json").toString(), "--log-format", "json", "kill", "x", "9");
        assertThat(r.status()).isNotZero();
        String last = Files.readAllLines(bundle.resolve("log.json"), StandardCharsets.UTF_8).getLast();
        assertThat(JsonParser.parse(last)).isInstanceOf(JsonObject.class);
        assertThat(last).contains("\"level\":\"error\"");
    }

    @Test
    void theBusyboxRootfsIsReadyForRunscDo() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static is not installed");
        assertThat(ROOTFS.resolve("bin/busybox")).isRegularFile().isExecutable();
        assertThat(Files.readSymbolicLink(ROOTFS.resolve("bin/sh"))).isEqualTo(Path.of("/bin/busybox"));
        assertThat(Files.isSymbolicLink(ROOTFS.resolve("bin/ls"))).isTrue();
        assertThat(Files.readString(ROOTFS.resolve("etc/passwd"))).startsWith("root:x:0:0:");
        assertThat(ROOTFS.resolve("etc/group")).isRegularFile();
        for (String dir : new String[] {"proc", "dev", "sys", "tmp", "root"}) assertThat(ROOTFS.resolve(dir)).isDirectory();
        assertThat(Files.getPosixFilePermissions(ROOTFS.resolve("tmp"))).contains(PosixFilePermission.OTHERS_WRITE);
        Result sh = exec(ROOTFS, Map.of(), ROOTFS.resolve("bin/busybox").toString(), "sh", "-c", "echo ok");
        assertThat(sh.out()).isEqualTo("ok\n");
    }

    @Test
    void runscDoRunsBusyboxInTheSandboxAndReturnsItsStatus(@TempDir Path cwd) throws Exception {
        assumeTrue(Files.isExecutable(ROOTFS.resolve("bin/busybox")), "busybox-static is not installed");
        Result r = exec(cwd, Map.of(), DIST.resolve("bin/runsc").toAbsolutePath().toString(), "do",
                "--rootfs", ROOTFS.toAbsolutePath().toString(), "--env", "GREETING=hi", "--",
                "/bin/sh", "-c", "echo $GREETING from $(hostname); exit 3");
        assertThat(r.out()).isEqualTo("hi from jvisor\n");
        assertThat(r.status()).as(r.err()).isEqualTo(3);

        Result missing = exec(cwd, Map.of(), DIST.resolve("bin/runsc").toAbsolutePath().toString(), "do",
                "--rootfs", ROOTFS.toAbsolutePath().toString(), "--", "/no/such/program");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("sandbox: cannot execute /no/such/program");
    }

    @Test
    void theTopLevelRunScriptRunsItsDemoAndAnyCommand(@TempDir Path cwd) throws Exception {
        assumeTrue(Files.isExecutable(ROOTFS.resolve("bin/busybox")), "busybox-static is not installed");
        Path run = Path.of("..", "run").toAbsolutePath().normalize();
        Result demo = exec(cwd, Map.of(), run.toString());
        assertThat(demo.status()).as(demo.err()).isZero();
        assertThat(demo.out()).startsWith("hello from jVisor\n").contains("Linux");
        Result ls = exec(cwd, Map.of(), run.toString(), "/bin/ls", "/bin/busybox");
        assertThat(ls.out()).isEqualTo("/bin/busybox\n");
    }

    /** The installed tree must not be writable by other users: it runs as root on every node. */
    static final class Set700Check {
        static void assertNoWorldWritable(Path tree) throws IOException {
            try (Stream<Path> all = Files.walk(tree)) {
                all.filter(p -> !Files.isSymbolicLink(p)).forEach(p -> {
                    try {
                        assertThat(Files.getPosixFilePermissions(p)).as(p.toString())
                                .doesNotContain(PosixFilePermission.OTHERS_WRITE, PosixFilePermission.GROUP_WRITE);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                });
            }
        }
    }
}
