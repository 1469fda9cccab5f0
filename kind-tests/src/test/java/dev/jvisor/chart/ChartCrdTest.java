package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ChartCrdTest {

    private static List<String> yamlNames(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
                    .sorted().toList();
        }
    }

    @Test
    void chartShipsExactlyTheGeneratedCrds() throws IOException {
        Path generated = Repository.generatedCrds();
        Path chartCrds = Repository.chart().resolve("crds");

        assertThat(yamlNames(chartCrds)).isEqualTo(yamlNames(generated)).isNotEmpty();
        for (String name : yamlNames(generated)) {
            assertThat(Files.readString(chartCrds.resolve(name)))
                    .as("charts/jvisor/crds/%s is copied by the build from crds/generated; never edit it", name)
                    .isEqualTo(Files.readString(generated.resolve(name)));
        }
    }

    @Test
    void helmInstallsTheClusterScopedSandboxPolicyCrd() {
        // What Helm itself loads from crds/ (helm show crds), i.e. what helm install applies first.
        var crds = RenderedChart.parse(new Helm(Repository.chart()).show().crds().call());
        assertThat(crds).singleElement().isInstanceOf(CustomResourceDefinition.class);
        var crd = (CustomResourceDefinition) crds.getFirst();

        assertThat(crd.getSpec().getGroup()).isEqualTo("jvisor.dev");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getNames().getShortNames()).contains("sbp");
        assertThat(crd.getSpec().getVersions()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("v1alpha1");
            assertThat(v.getServed()).isNotEqualTo(Boolean.FALSE);
        });
    }
}
