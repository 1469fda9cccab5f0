package dev.jvisor.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.operator.Fixtures;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Values the Java model cannot bind are explained with their path and the allowed values. */
class PolicyValidationTest {

    static final ClusterLookup NO_POLICIES = new ClusterLookup() {
        @Override
        public Optional<Map<String, String>> namespaceLabels(String namespace) {
            return Optional.empty();
        }

        @Override
        public List<SandboxPolicy> policies() {
            return List.of();
        }
    };

    static AdmissionVerdict review(ObjectNode review) throws Exception {
        AdmissionRequest request = new AdmissionReviewParser(Serialization.jsonMapper()).parse(review.toString());
        return new PolicyValidation(NO_POLICIES, Serialization.jsonMapper()).review(request);
    }

    static ObjectNode sandbox(ObjectNode review) {
        return (ObjectNode) review.get("request").get("object").get("spec").get("sandbox");
    }

    @Test
    void unknownEnumValuesNameTheirPathAndTheAllowedValues() throws Exception {
        ObjectNode review = AdmissionReviews.policyCreate(Fixtures.policy("p"));
        sandbox(review).putObject("monitoring").putArray("tracePoints").add("exec").add("fork");
        AdmissionVerdict verdict = review(review);
        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.message()).contains(
                "spec.sandbox.monitoring.tracePoints[1]: \"fork\" is not one of syscall, exec, open, connect, clone, "
                        + "exit");

        ObjectNode network = AdmissionReviews.policyCreate(Fixtures.policy("p"));
        sandbox(network).put("network", "bridge");
        assertThat(review(network).message()).contains("spec.sandbox.network: \"bridge\" is not one of none, "
                + "sandbox, host");
    }

    @Test
    void wrongTypesAreExplainedToo() throws Exception {
        ObjectNode review = AdmissionReviews.policyCreate(Fixtures.policy("p"));
        ((ObjectNode) review.get("request").get("object").get("spec")).put("priority", "high");
        AdmissionVerdict verdict = review(review);
        assertThat(verdict.allowed()).isFalse();
        assertThat(verdict.message()).startsWith("SandboxPolicy p is invalid: spec.priority:");
    }

    @Test
    void deletionIsNotValidated() throws Exception {
        ObjectNode review = AdmissionReviews.review("jvisor.dev", "v1alpha1", "SandboxPolicy", "sandboxpolicies",
                "DELETE", null, null);
        assertThat(review(review).allowed()).isTrue();
    }
}
