package dev.jvisor.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both images built a second time from the same inputs (the packaged applications and runtime
 * distribution, this JDK, this machine's packages) into a fresh work directory, so that the Java
 * runtime is linked anew: the manifest digests are the ones {@code package} recorded, and the
 * archives are byte for byte the same.
 */
class ImagesReproducibleIT {
    private static final Path TARGET = Path.of(System.getProperty("jvisor.images.target", "target"));

    @Test
    void aSecondBuildFromTheSameInputsGivesTheSameDigests(@TempDir Path dir) throws Exception {
        Map<String, String> args = new HashMap<>();
        args.put("registry", System.getProperty("jvisor.images.registry"));
        args.put("tag", System.getProperty("jvisor.images.tag"));
        args.put("operator-app", System.getProperty("jvisor.images.operator-app"));
        args.put("agent-jar", System.getProperty("jvisor.images.agent-jar"));
        args.put("distribution", System.getProperty("jvisor.images.distribution"));
        args.put("extra-modules", System.getProperty("jvisor.images.extra-modules", ""));
        args.put("work", dir.resolve("work").toString());
        args.put("output", dir.resolve("out").toString());
        ImagesMain.run(args);

        assertThat(Files.readString(dir.resolve("out/images.properties")))
                .isEqualTo(Files.readString(TARGET.resolve("images.properties")));
        String tag = args.get("tag");
        for (String repository : new String[] {OperatorImage.REPOSITORY, NodeAgentImage.REPOSITORY}) {
            String archive = repository + "-" + tag + ".oci.tar";
            assertThat(Files.mismatch(dir.resolve("out").resolve(archive), TARGET.resolve(archive))).as(archive).isEqualTo(-1L);
        }
    }
}
