package dev.jvisor.kind;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The helpers of kind-e2e.sh (e2e/lib.sh) run here, without Docker: image names from tars, refs. */
class KindScriptHelpersTest {

    private static final Path LIB = Path.of(System.getProperty("jvisor.repo.dir", "..")).toAbsolutePath()
            .normalize().resolve("kind-tests/e2e/lib.sh");

    @TempDir
    Path dir;

    private record Result(int status, String stdout, String stderr) {
    }

    private static Result bash(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "-c",
                "set -euo pipefail; source \"$0\"; " + script, LIB.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        String out = new String(process.getInputStream().readAllBytes());
        String err = new String(process.getErrorStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out.strip(), err.strip());
    }

    private Path tarOf(String name, String file, String content) throws IOException, InterruptedException {
        Path layout = Files.createDirectories(dir.resolve(name));
        Files.writeString(layout.resolve(file), content);
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path tar = dir.resolve(name + ".tar");
        Process process = new ProcessBuilder("tar", "-cf", tar.toString(), "-C", layout.toString(), ".")
                .inheritIO().start();
        assertThat(process.waitFor()).isZero();
        return tar;
    }

    @Test
    void readsTheNameFromADockerArchive() throws Exception {
        Path tar = tarOf("docker", "manifest.json", """
                [{"Config":"config.json","RepoTags":["ghcr.io/jvisor/jvisor-operator:0.1.0"],"Layers":[]}]""");

        assertThat(bash("image_in_tar \"$1\"", tar.toString()).stdout())
                .isEqualTo("ghcr.io/jvisor/jvisor-operator:0.1.0");
    }

    @Test
    void readsTheNameFromAnOciLayoutPreferringContainerdsAnnotation() throws Exception {
        Path tar = tarOf("oci", "index.json", """
                {
                  "schemaVersion": 2,
                  "manifests": [{
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "annotations": {
                      "org.opencontainers.image.ref.name": "0.1.0",
                      "io.containerd.image.name": "localhost:5000/jvisor/jvisor-node-agent:dev"
                    }
                  }]
                }""");

        assertThat(bash("image_in_tar \"$1\"", tar.toString()).stdout())
                .isEqualTo("localhost:5000/jvisor/jvisor-node-agent:dev");
    }

    @Test
    void aTarThatNamesNoImageStopsTheRunAsAMissingPrerequisite() throws Exception {
        Path tar = tarOf("bare-tag", "index.json", """
                {"manifests":[{"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}""");

        Result result = bash("image_in_tar \"$1\"", tar.toString());

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).contains("cannot run: cannot read an image name from " + tar);
    }

    @Test
    void splitsReferencesIntoRepositoryAndTag() throws Exception {
        String split = "for r in \"$@\"; do echo \"$(repository \"$r\") $(tag \"$r\")\"; done";
        Result result = bash(split, "ghcr.io/jvisor/jvisor-operator:0.1.0-SNAPSHOT", "localhost:5000/agent",
                "busybox", "registry.example:443/team/agent:1.2@sha256:" + "0".repeat(64));

        assertThat(result.stdout().lines()).containsExactly(
                "ghcr.io/jvisor/jvisor-operator 0.1.0-SNAPSHOT",
                "localhost:5000/agent latest",
                "busybox latest",
                "registry.example:443/team/agent 1.2");
    }

    @Test
    void waitForGivesUpAfterItsDeadlineNamingWhatItWaitedFor() throws Exception {
        Result result = bash("wait_for 1 'a label that never comes' false");

        assertThat(result.status()).isEqualTo(1);
        assertThat(result.stderr()).contains("FAILED: timed out after 1s waiting for a label that never comes");
    }
}
