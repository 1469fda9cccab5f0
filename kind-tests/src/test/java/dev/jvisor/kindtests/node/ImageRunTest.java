package dev.jvisor.kindtests.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.kindtests.images.BuiltImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator and node agent images as a node runs them, with no Docker: imported into a private
 * containerd ({@code ctr images import}, as {@code kind load image-archive} does) and run by runc
 * through the stock shim, with nothing from the host but the kernel. The agent answers --help
 * (the image's default arguments) and the distribution it carries runs on its own bundled Java
 * runtime; the operator starts as its non-root user on a read-only root filesystem with only
 * /tmp writable, as the chart runs it, up to registering its reconciler.
 */
class ImageRunTest {
    private static final Path RUNC = Path.of("/usr/sbin/runc");
    private static PrivateContainerd containerd;
    private static String operatorImage;
    private static String agentImage;
    private static int ids;

    @BeforeAll
    static void importTheImages() throws Exception {
        assumeTrue(BuiltImages.missing().isEmpty(), BuiltImages.missing().orElse(""));
        assumeTrue(Commands.onPath("containerd") && Commands.onPath("ctr") && Commands.onPath(PrivateContainerd.SHIM_BINARY)
                && Files.isExecutable(RUNC), "skipped: containerd, ctr, the runc shim or runc not installed");
        assumeTrue("root".equals(System.getProperty("user.name")), "skipped: a private containerd needs root");
        containerd = PrivateContainerd.start(Files.createTempDirectory(Path.of("/tmp"), "jvi"));
        operatorImage = imported(BuiltImages.operator());
        agentImage = imported(BuiltImages.nodeAgent());
    }

    /** Imports an archive; the name ctr reports is the one its index annotates. */
    private static String imported(Path archive) throws Exception {
        Commands.Result r = containerd.ctr("images", "import", archive.toString()).requireSuccess(List.of("ctr images import", archive.toString()));
        String name = r.out().lines().filter(l -> l.startsWith("unpacking ")).map(l -> l.split(" ")[1]).findFirst()
                .orElseThrow(() -> new AssertionError("ctr images import named no image: " + r.out() + r.err()));
        assertThat(containerd.ctr("images", "ls", "-q").out().lines()).contains(name);
        return name;
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (containerd != null) containerd.close();
    }

    /** {@code ctr run --rm} with runc behind the stock shim; extra ctr flags, then the image, then the command. */
    private static Commands.Result run(List<String> flags, String image, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--rm"));
        args.addAll(containerd.runtimeFlags(RUNC));
        args.addAll(flags);
        args.add(image);
        args.add("img-" + ProcessHandle.current().pid() + "-" + ids++);
        args.addAll(List.of(command));
        return Commands.run(containerd.dir(), Duration.ofSeconds(180), containerd.ctrCommand(args));
    }

    @Test
    void theAgentImageRunBareExplainsItself() throws Exception {
        Commands.Result r = run(List.of(), agentImage);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("usage: node-agent install|uninstall|run").contains("--distribution");
    }

    @Test
    void theCarriedDistributionRunsOnItsOwnJavaRuntimeWithItsAotCache() throws Exception {
        // bin/runsc is a bash script for the node; the image has no shell, so start its JVM as the
        // launcher would. AOTMode=on refuses to start unless the cache matches this runtime.
        Commands.Result r = run(List.of(), agentImage, "/opt/jvisor-dist/jre/bin/java", "--enable-native-access=ALL-UNNAMED",
                "-XX:AOTCache=/opt/jvisor-dist/lib/runsc.aot", "-XX:AOTMode=on", "-Xlog:aot=info:stderr",
                "-cp", "/opt/jvisor-dist/lib/runtime-sentry.jar:/opt/jvisor-dist/lib/runtime-gofer.jar",
                "dev.jvisor.runsc.Main", "--version");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        String version = Files.readString(BuiltImages.REPO.resolve("runtime-sentry/target/jvisor-runtime/VERSION")).strip();
        assertThat(r.out()).startsWith("runsc version " + version + "\n");
        assertThat(run(List.of(), agentImage, "/opt/java/bin/java", "-jar", "/opt/jvisor-agent/node-agent.jar", "--version").out()).endsWith("runtime distribution " + version + " (/opt/jvisor-dist)\n");
        assertThat(r.out() + r.err()).contains("Using AOT-linked classes: true");
    }

    @Test
    void theAgentsNsenterRunsWithTheLibrariesTheImageCarries() throws Exception {
        Commands.Result r = run(List.of(), agentImage, "/usr/bin/nsenter", "--version");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("nsenter from util-linux");
    }

    @Test
    void theOperatorStartsAsItsUserOnAReadOnlyRootUpToItsReconciler(@TempDir Path tls) throws Exception {
        // The webhook's certificate, as cert-manager's Secret would provide it (the operator
        // otherwise makes its own through the API server, which this node does not have).
        Commands.run(tls, Duration.ofSeconds(60), List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", "tls.key", "-out", "tls.crt", "-days", "1", "-subj", "/CN=jvisor-operator"))
                .requireSuccess(List.of("openssl req"));
        Files.setPosixFilePermissions(tls.resolve("tls.key"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(tls, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> asTheChartRunsIt = List.of("--read-only",
                "--mount", "type=tmpfs,src=tmpfs,dst=/tmp,options=rw:nosuid:nodev",
                "--mount", "type=bind,src=" + tls + ",dst=/var/run/jvisor/webhook-tls,options=rbind:ro",
                "--env", "JVISOR_OPERATOR_WEBHOOK_MANAGE_CERTIFICATE=false",
                "--env", "JVISOR_OPERATOR_WEBHOOK_CERTIFICATE_DIRECTORY=/var/run/jvisor/webhook-tls",
                // An API server address that refuses at once: the operator gets as far as it can.
                "--env", "KUBERNETES_SERVICE_HOST=127.0.0.1", "--env", "KUBERNETES_SERVICE_PORT=1",
                "--env", "QUARKUS_LOG_LEVEL=INFO");
        Commands.Result r = run(asTheChartRunsIt, operatorImage);
        String log = r.out() + r.err();
        // Without an API server the operator stops, after the JVM, Quarkus and the operator SDK
        // came up: every module, library and file it needed was in the image and readable.
        assertThat(log).contains("Registered reconciler: 'sandboxpolicy'").contains("Starting operator.");
        assertThat(log).doesNotContain("NoClassDefFoundError").doesNotContain("UnsatisfiedLinkError")
                .doesNotContain("Read-only file system").doesNotContain("AccessDeniedException");
        assertThat(r.status()).as(log).isNotZero();

        Commands.Result who = run(asTheChartRunsIt, operatorImage, "/opt/java/bin/java", "-XshowSettings:properties", "-version");
        assertThat(who.status()).as(who.err()).isZero();
        assertThat(who.err()).contains("user.name = jvisor").contains("user.home = /tmp").contains("java.home = /opt/java");
    }
}
