package dev.jvisor.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.operator.Fixtures;
import dev.jvisor.operator.TestConfig;
import dev.jvisor.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When the decision cannot be made (the API server is unreachable, or the webhook itself fails), the pod is
 * refused in-band with a message, never admitted unsandboxed and never answered with a 500 page.
 */
class AdmissionFailClosedTest {

    static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();

    static JsonNode call(ClusterLookup cluster, String webhook) throws Exception {
        AdmissionResource resource = new AdmissionResource(cluster, new TestConfig(), new OperatorMetrics(REGISTRY));
        String body = AdmissionReviews.podCreate(Fixtures.pod("untrusted", "app", null)).toString();
        Response response = switch (webhook) {
            case AdmissionResource.MUTATE_PODS -> resource.mutatePods(body);
            default -> resource.validatePods(body);
        };
        assertThat(response.getStatus()).isEqualTo(200);
        return Serialization.jsonMapper().readTree(new String((byte[]) response.getEntity(), StandardCharsets.UTF_8))
                .get("response");
    }

    @Test
    void unreachableApiServerRefusesThePod() throws Exception {
        ClusterLookup down = new ClusterLookup() {
            @Override
            public Optional<Map<String, String>> namespaceLabels(String namespace) throws ClusterLookupException {
                throw new ClusterLookupException("could not read namespace untrusted: connection refused", null);
            }

            @Override
            public List<SandboxPolicy> policies() {
                return List.of(Fixtures.policy("default"));
            }
        };
        for (String webhook : List.of(AdmissionResource.MUTATE_PODS, AdmissionResource.VALIDATE_PODS)) {
            JsonNode response = call(down, webhook);
            assertThat(response.get("allowed").asBoolean()).as(webhook).isFalse();
            assertThat(response.get("status").get("code").asInt()).isEqualTo(500);
            assertThat(response.get("status").get("message").asText()).contains("connection refused");
        }
    }

    @Test
    void anInternalFailureRefusesWithoutAStackTrace() throws Exception {
        ClusterLookup broken = new ClusterLookup() {
            @Override
            public Optional<Map<String, String>> namespaceLabels(String namespace) {
                return Optional.of(Map.of("jvisor.dev/untrusted", "true"));
            }

            @Override
            public List<SandboxPolicy> policies() {
                throw new IllegalStateException("boom");
            }
        };
        JsonNode response = call(broken, AdmissionResource.MUTATE_PODS);
        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("message").asText()).contains("IllegalStateException")
                .doesNotContain("at dev.jvisor");
        assertThat(REGISTRY.get("jvisor.operator.admissions").tag("decision", "denied").counter().count())
                .isGreaterThan(0);
    }
}
