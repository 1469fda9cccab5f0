package dev.jvisor.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;

/**
 * The CRD under {@code crds/generated/} is what the Helm chart installs, so it must be exactly what the generator
 * makes from the model today. The build regenerates it into target/ (crd-generator-maven-plugin, process-classes);
 * this test fails on any difference. To accept a model change run {@code mvn -pl crds verify -Djvisor.updateCrd=true}
 * and commit the file.
 */
class CrdDriftTest {

    static final String FILE = "sandboxpolicies.jvisor.dev-v1.yml";
    static final Path REGENERATED = Path.of("target", "classes", "META-INF", "fabric8", FILE);
    static final Path CHECKED_IN = Path.of("generated", FILE);

    @Test
    void checkedInCrdIsWhatTheModelGenerates() throws IOException {
        assertThat(REGENERATED).as("the crd-generator plugin output").exists();
        String regenerated = Files.readString(REGENERATED);
        if (Boolean.getBoolean("jvisor.updateCrd")) {
            Files.copy(REGENERATED, CHECKED_IN, StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.exists(CHECKED_IN)) {
            fail(CHECKED_IN.toAbsolutePath() + " is missing; regenerate it with -Djvisor.updateCrd=true");
        }
        String checkedIn = Files.readString(CHECKED_IN);
        assertThat(checkedIn)
                .as("%s drifted from the Java model; review the change and regenerate with "
                        + "mvn -pl crds verify -Djvisor.updateCrd=true", CHECKED_IN)
                .isEqualTo(regenerated);
    }
}
