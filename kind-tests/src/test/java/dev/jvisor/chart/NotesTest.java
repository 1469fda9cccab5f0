package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import org.junit.jupiter.api.Test;

/** NOTES.txt as `helm install` prints it (a client-only dry run: no cluster is contacted). */
class NotesTest {

    private static String notes(String... valuesFiles) {
        InstallCommand install = new Helm(Repository.chart()).install()
                .withName(RenderedChart.RELEASE)
                .withNamespace(RenderedChart.NAMESPACE)
                .withKubeVersion("1.31.0")
                .dryRun()
                .clientOnly();
        for (String file : valuesFiles) {
            install = install.withValuesFile(RenderedChart.valuesFile(file));
        }
        String output = install.call().getOutput();
        assertThat(output).contains("NOTES:");
        return output.substring(output.indexOf("NOTES:"));
    }

    @Test
    void tellsTheUserTheNextTwoCommands() {
        String notes = notes();

        assertThat(notes).contains("kubectl label namespace <namespace> jvisor.dev/untrusted=true")
                .contains("kubectl -n <namespace> run jvisor-hello --image=busybox")
                .contains("The SandboxPolicy \"default\" (Enforce) sandboxes new pods in namespaces labelled "
                        + "jvisor.dev/untrusted=true.")
                .doesNotContain("get certificate");
    }

    @Test
    void withoutTheDefaultPolicyItSaysSoAndStillGivesTheCommands() {
        String notes = notes("no-default-policy.yaml", "cert-manager.yaml");

        assertThat(notes).contains("No default SandboxPolicy was installed")
                .contains("kubectl label namespace <namespace> jvisor.dev/untrusted=true")
                .contains("get certificate jvisor-operator-webhook");
    }
}
