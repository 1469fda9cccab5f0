package dev.jvisor.kindtests.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built images against what the chart's templates assume of them (names and tags, user,
 * entrypoint and arguments, ports, paths) and against this machine (the Debian packages their
 * labels name are the installed versions; the Java runtime is the build's). Reads the archives
 * only; {@code node.ImageRunTest} runs them.
 */
class ImageConfigTest {
    private static ImageArchive operator;
    private static ImageArchive agent;
    private static Deployment deployment;
    private static DaemonSet daemonSet;

    @BeforeAll
    static void readImagesAndRenderTheChart() throws Exception {
        assumeTrue(BuiltImages.missing().isEmpty(), BuiltImages.missing().orElse(""));
        operator = ImageArchive.open(BuiltImages.operator());
        agent = ImageArchive.open(BuiltImages.nodeAgent());
        String rendered = new Helm(BuiltImages.CHART).template().withName("jvisor").withNamespace("jvisor-system")
                .withKubeVersion("1.30.0").call();
        for (String doc : rendered.split("(?m)^---\\s*$")) {
            if (doc.isBlank() || !doc.contains("kind:")) continue;
            Object o = Serialization.unmarshal(doc);
            if (o instanceof Deployment d && d.getMetadata().getName().equals("jvisor-operator")) deployment = d;
            if (o instanceof DaemonSet ds && ds.getMetadata().getName().equals("jvisor-node-agent")) daemonSet = ds;
        }
        assertThat(deployment).as("the chart renders the operator Deployment").isNotNull();
        assertThat(daemonSet).as("the chart renders the node agent DaemonSet").isNotNull();
    }

    private static Container only(PodSpec spec) {
        assertThat(spec.getContainers()).hasSize(1);
        return spec.getContainers().getFirst();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    @Test
    void theChartsDefaultImageReferencesNameTheseImages() {
        assertThat(operator.name()).isEqualTo(only(deployment.getSpec().getTemplate().getSpec()).getImage());
        assertThat(agent.name()).isEqualTo(only(daemonSet.getSpec().getTemplate().getSpec()).getImage());
    }

    @Test
    void theRecordedDigestsAreTheImagesManifests() throws IOException {
        Properties recorded = new Properties();
        try (var in = Files.newInputStream(BuiltImages.TARGET.resolve("images.properties"))) {
            recorded.load(in);
        }
        assertThat(recorded.getProperty("jvisor-operator")).isEqualTo(operator.name() + "@" + operator.manifestDigest);
        assertThat(recorded.getProperty("jvisor-node-agent")).isEqualTo(agent.name() + "@" + agent.manifestDigest);
    }

    @Test
    void theOperatorRunsAsTheChartsNonRootUserFromFilesItCanReadButNotChange() {
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container c = only(pod);
        JsonNode cfg = operator.containerConfig();
        long uid = pod.getSecurityContext().getRunAsUser();
        long gid = pod.getSecurityContext().getRunAsGroup();
        assertThat(uid).isNotZero();
        assertThat(cfg.path("User").asText()).isEqualTo(uid + ":" + gid);
        // The chart sets neither command nor args: the image's entrypoint starts the operator.
        assertThat(c.getCommand()).isNullOrEmpty();
        assertThat(c.getArgs()).isNullOrEmpty();
        assertThat(strings(cfg.path("Entrypoint"))).startsWith("/opt/java/bin/java").endsWith("-jar", "/deployments/quarkus-run.jar");
        List<String> ports = new ArrayList<>();
        for (ContainerPort p : c.getPorts()) ports.add(p.getContainerPort() + "/" + p.getProtocol().toLowerCase());
        assertThat(StreamSupport.stream(cfg.path("ExposedPorts").spliterator(), false).count()).isEqualTo(ports.size());
        ports.forEach(p -> assertThat(cfg.path("ExposedPorts").has(p)).as(p).isTrue());

        // Read-only root filesystem: the only place the JVM writes is /tmp, which the chart mounts.
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
        assertThat(operator.find("/deployments/quarkus-run.jar")).isNotNull();
        assertThat(operator.find("/opt/java/bin/java").mode() & 0111).isEqualTo(0111);
        for (ImageArchive.Entry e : operator.allEntries()) {
            if (e.type() == '2') continue;
            assertThat(e.uid()).as(e.path()).isZero();
            // Readable by the operator's user; writable by no one but root; no set-id bits.
            assertThat(e.mode() & 0004).as(e.path()).isEqualTo(0004);
            assertThat(e.mode() & 06022).as(e.path()).isEqualTo(e.path().equals("tmp") ? 0022 : 0);
        }
        assertThat(operator.find("/etc/passwd")).isNotNull();
    }

    @Test
    void theNodeAgentCarriesTheRuntimeDistributionWhereTheAgentLooksAndRunsAsRoot() {
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        Container c = only(pod);
        JsonNode cfg = agent.containerConfig();
        assertThat(cfg.path("User").asText()).isEqualTo("0:0");
        assertThat(c.getSecurityContext().getRunAsUser()).isZero();
        // The chart passes the subcommand as args; the image's entrypoint is the agent itself.
        assertThat(c.getCommand()).isNullOrEmpty();
        assertThat(c.getArgs()).containsExactly("run");
        assertThat(strings(cfg.path("Entrypoint"))).startsWith("/opt/java/bin/java").endsWith("-jar", "/opt/jvisor-agent/node-agent.jar");
        assertThat(strings(cfg.path("Cmd"))).containsExactly("--help");

        for (String exe : List.of("/opt/jvisor-dist/bin/runsc", "/opt/jvisor-dist/jre/bin/java", "/usr/bin/nsenter", "/opt/java/bin/java")) {
            assertThat(agent.find(exe)).as(exe).isNotNull();
            assertThat(agent.find(exe).mode() & 0111).as(exe).isEqualTo(0111);
        }
        for (String file : List.of("/opt/jvisor-dist/VERSION", "/opt/jvisor-dist/lib/runtime-sentry.jar",
                "/opt/jvisor-dist/lib/runtime-gofer.jar", "/opt/jvisor-dist/lib/runsc.aot", "/opt/jvisor-dist/etc/runsc.toml")) {
            assertThat(agent.find(file)).as(file).isNotNull();
        }
        assertThat(agent.label("dev.jvisor.runtime.path")).isEqualTo("/opt/jvisor-dist");
        assertThat(strings(cfg.path("Env"))).anyMatch(e -> e.startsWith("PATH=") && e.contains("/usr/bin"));
    }

    @Test
    void theLabelsNameTheDebianPackagesAndJavaRuntimeTheFilesCameFrom() throws Exception {
        for (ImageArchive image : List.of(operator, agent)) {
            String packages = image.label("dev.jvisor.image.debian.packages");
            assertThat(packages).contains("libc6=" + installedVersion("libc6"));
            assertThat(image.label("dev.jvisor.image.java.version")).isEqualTo(System.getProperty("java.runtime.version"));
            assertThat(image.label("dev.jvisor.image.java.modules")).contains("java.base");
            assertThat(image.label("org.opencontainers.image.base.name")).isEqualTo("scratch");
            assertThat(image.label("org.opencontainers.image.version")).isEqualTo(BuiltImages.appVersion());
            // Every package named ships its copyright file in the image.
            for (String p : packages.split(" ")) {
                assertThat(image.find("/usr/share/doc/" + p.substring(0, p.indexOf('=')) + "/copyright")).as(p).isNotNull();
            }
        }
        assertThat(agent.label("dev.jvisor.image.debian.packages")).contains("util-linux=" + installedVersion("util-linux"));
        // Both images share their two bottom layers (system files, Java runtime): a node stores them once.
        assertThat(operator.manifest.path("layers").get(0)).isEqualTo(agent.manifest.path("layers").get(0));
        assertThat(operator.manifest.path("layers").get(1)).isEqualTo(agent.manifest.path("layers").get(1));
    }

    private static String installedVersion(String pkg) throws Exception {
        Process p = new ProcessBuilder("dpkg-query", "-W", "-f", "${Version}", pkg).start();
        String v = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).isZero();
        return v;
    }
}
