package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.runsc.state.StateStore;
import dev.jvisor.sentry.SandboxRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What runsc's terminal tests share, registered with {@code @RegisterExtension}: per test, a
 * fresh runsc state root, home (holding the JSON log) and work directory; bundles on a busybox
 * rootfs built once per test run; the python3 stand-ins for containerd's shim from
 * {@code /console/} on the test class path; and, after each test, no helper process and no
 * container left behind.
 */
final class TerminalFixture implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace SHARED = ExtensionContext.Namespace.create(TerminalFixture.class);

    private final List<Process> helpers = new ArrayList<>();
    private Path rootfs;
    private Path base;
    private Path home;
    private Path root;
    private Path work;

    /** The busybox rootfs, deleted when the whole test run ends. */
    private record SharedRootfs(Path dir) implements AutoCloseable {
        static SharedRootfs build() {
            try {
                Path dir = Files.createTempDirectory("jvisor-tty-rootfs");
                SandboxRunner.busyboxRootfs(dir.resolve("rootfs"));
                return new SharedRootfs(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Path rootfs() { return dir.resolve("rootfs"); }

        @Override
        public void close() throws IOException {
            deleteTree(dir);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        rootfs = context.getRoot().getStore(SHARED)
                .computeIfAbsent(SharedRootfs.class, k -> SharedRootfs.build(), SharedRootfs.class).rootfs();
        base = Files.createTempDirectory("jvisor-tty");
        home = Files.createDirectory(base.resolve("home"));
        root = Files.createDirectory(base.resolve("root"));
        work = Files.createDirectory(base.resolve("work"));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            for (Process p : helpers) p.destroyForcibly().waitFor();
            helpers.clear();
            for (String id : new StateStore(root).ids()) runsc("delete", "--force", id);
        } finally {
            deleteTree(base);
        }
    }

    Path home() { return home; }

    Path root() { return root; }

    Path work() { return work; }

    /** runsc in this JVM with the test's state root and JSON log before {@code args}. */
    RunscRunner.Result runsc(String... args) {
        return new RunscRunner(home).run(globalFlags(args).toArray(String[]::new));
    }

    /** {@code --root R --log L --log-format json} and then {@code args}. */
    List<String> globalFlags(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--log", home.resolve("log.json").toString(),
                "--log-format", "json"));
        all.addAll(List.of(args));
        return all;
    }

    /** Everything runsc logged so far ("" before the first line). */
    String log() throws IOException {
        Path log = home.resolve("log.json");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The last line runsc logged: a failed command's reason. */
    String lastLogLine() throws IOException {
        return Files.readAllLines(home.resolve("log.json")).getLast();
    }

    /** {@code work/NAME}: config.json with {@code process} and, when not empty, {@code annotations}; rootfs linked in. */
    Path bundle(String name, String process, String annotations) throws IOException {
        Path bundle = Files.createDirectories(work.resolve(name));
        Files.deleteIfExists(bundle.resolve("rootfs"));
        Files.createSymbolicLink(bundle.resolve("rootfs"), rootfs);
        String more = annotations.isEmpty() ? "" : ",\"annotations\":{" + annotations + "}";
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","process":%s,"root":{"path":"rootfs"}%s}""".formatted(process, more));
        return bundle;
    }

    /** {@link #bundle(String, String, String)} named "bundle", without annotations. */
    Path bundle(String process) throws IOException {
        return bundle("bundle", process, "");
    }

    /** Copies {@code /console/NAME} from the test class path into the work directory. */
    Path script(String name) throws IOException {
        Path script = work.resolve(name);
        try (InputStream in = TerminalFixture.class.getResourceAsStream("/console/" + name)) {
            assertThat(in).as("test resource /console/" + name).isNotNull();
            Files.write(script, in.readAllBytes());
        }
        return script;
    }

    /** Starts {@code command} (stdout and stderr together), to be killed after the test. */
    Process helper(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        helpers.add(p);
        return p;
    }

    /**
     * console_receiver.py listening on {@code socket}, as a shim does for {@code --console-socket}:
     * it takes the master, types {@code keys} once the screen shows {@code prompt}, and reports
     * what it saw; it gives up after {@code seconds}. Returns once the socket exists.
     */
    Process consoleReceiver(Path socket, String prompt, String keys, int seconds) throws Exception {
        Process p = helper(List.of("python3", script("console_receiver.py").toString(), socket.toString(), prompt, keys,
                Integer.toString(seconds)));
        awaitSocket(p, socket);
        return p;
    }

    /**
     * {@link #consoleReceiver} that holds the keys back until {@link #typeHeldKeys}: the
     * container stays blocked reading its terminal, alive for as long as the test looks at it.
     */
    Process consoleReceiverHoldingKeys(Path socket, String prompt, String keys, int seconds) throws Exception {
        Process p = helper(List.of("python3", script("console_receiver.py").toString(), socket.toString(), prompt, keys,
                Integer.toString(seconds), "--hold"));
        awaitSocket(p, socket);
        return p;
    }

    /** Waits (up to 60 s) until a holding receiver on {@code socket} has seen its prompt. */
    static void awaitPrompt(Process receiver, Path socket) throws InterruptedException {
        Path prompted = socket.resolveSibling(socket.getFileName() + ".prompted");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(prompted)) {
            assertThat(receiver.isAlive()).as("the console receiver runs while awaiting the prompt").isTrue();
            assertThat(System.nanoTime()).as("the container's prompt reaches the console receiver").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Lets a holding receiver type its keys. */
    static void typeHeldKeys(Process receiver) throws IOException {
        receiver.getOutputStream().write('\n');
        receiver.getOutputStream().flush();
    }

    /** Waits (up to 20 s) for {@code listener} to create {@code socket}, failing if it dies first. */
    static void awaitSocket(Process listener, Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket)) {
            assertThat(listener.isAlive()).as("the console socket's listener runs").isTrue();
            assertThat(System.nanoTime()).as("the console socket appears").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** What a stand-in printed, once it has finished (within {@code seconds}). */
    static String report(Process shim, int seconds) throws Exception {
        assertThat(shim.waitFor(seconds, TimeUnit.SECONDS)).as("the shim stand-in finishes").isTrue();
        return new String(shim.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Deletes a tree without following its links (a bundle's rootfs is one). */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
