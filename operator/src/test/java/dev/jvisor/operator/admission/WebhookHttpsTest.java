package dev.jvisor.operator.admission;

import static dev.jvisor.operator.admission.AdmissionReviews.podCreate;
import static dev.jvisor.operator.admission.AdmissionReviews.policyCreate;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvisor.api.v1alpha1.NetworkMode;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.operator.Examples;
import dev.jvisor.operator.Fixtures;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import io.restassured.response.ValidatableResponse;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Posts AdmissionReview JSON, shaped as the API server sends it, over HTTPS (trusting only the test CA) to the
 * running application, with SandboxPolicies and namespaces held by a fabric8 mock API server. Patches are applied
 * to the original pod to check the result, not just compared as text.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(TlsTestResource.class)
class WebhookHttpsTest {

    @KubernetesTestServer
    KubernetesServer server;

    @TestHTTPResource(value = "/admission", tls = true)
    URL admission;

    /** The management interface (plain HTTP, its own port) prefixes the non-application root, /q. */
    @TestHTTPResource(value = "/health/live", management = true)
    URL liveness;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metricsEndpoint;

    @ConfigProperty(name = "jvisor.test.ca-file")
    String caFile;

    KubernetesClient client;

    @BeforeEach
    void cluster() {
        client = server.getClient();
        client.resources(SandboxPolicy.class).delete();
        Examples.apply(client, "untrusted-namespace.yaml");
        Examples.apply(client, "default-policy.yaml");
        Examples.apply(client, "audit-policy.yaml");
        client.resource(Fixtures.namespace("audited", Map.of("jvisor.dev/audit", "true"))).createOr(r -> r.update());
        client.resource(Fixtures.namespace("trusted", Map.of())).createOr(r -> r.update());
        client.resource(Fixtures.untrustedNamespace("kube-system")).createOr(r -> r.update());
    }

    ValidatableResponse post(String webhook, String body) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(Path.of(caFile))) {
            trust.setCertificateEntry("jvisor-test-ca", CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        return given()
                .config(RestAssuredConfig.config().sslConfig(SSLConfig.sslConfig().trustStore(trust)))
                .contentType("application/json")
                .body(body)
                .post(admission + "/" + webhook)
                .then();
    }

    JsonNode review(String webhook, ObjectNode review) throws Exception {
        String body = post(webhook, review.toString()).statusCode(200).extract().asString();
        JsonNode answer = Serialization.jsonMapper().readTree(body);
        assertThat(answer.get("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.get("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(answer.get("response").get("uid").asText()).isEqualTo(AdmissionReviews.uid(review));
        return answer.get("response");
    }

    /** The pod after applying the response's patch, as the API server would store it. */
    Pod patched(Pod pod, JsonNode response) throws Exception {
        assertThat(response.get("patchType").asText()).isEqualTo("JSONPatch");
        JsonNode patch = Serialization.jsonMapper().readTree(Base64.getDecoder().decode(response.get("patch").asText()));
        JsonNode result = JsonPatch.apply(patch, Serialization.jsonMapper().valueToTree(pod));
        return Serialization.jsonMapper().treeToValue(result, Pod.class);
    }

    Pod examplePod() {
        return (Pod) Examples.load(client, "untrusted-namespace.yaml").stream().filter(Pod.class::isInstance)
                .findFirst().orElseThrow();
    }

    @Test
    void podInUntrustedNamespaceGetsRuntimeClassAndPolicyAnnotations() throws Exception {
        Pod pod = examplePod();
        JsonNode response = review(AdmissionResource.MUTATE_PODS, podCreate(pod));
        assertThat(response.get("allowed").asBoolean()).isTrue();
        Pod result = patched(pod, response);
        assertThat(result.getSpec().getRuntimeClassName()).isEqualTo("jvisor");
        assertThat(result.getMetadata().getAnnotations())
                .containsEntry("jvisor.dev/policy", "default")
                .containsEntry("jvisor.dev/network", "sandbox")
                .containsEntry("jvisor.dev/syscall-deny", "kexec_load,init_module,finit_module")
                .containsEntry("jvisor.dev/monitoring", "exec,connect");
        assertThat(result.getSpec().getContainers()).isEqualTo(pod.getSpec().getContainers());

        JsonNode validation = review(AdmissionResource.VALIDATE_PODS, podCreate(result));
        assertThat(validation.get("allowed").asBoolean()).as("the mutated pod passes validation").isTrue();
    }

    @Test
    void podCannotChooseItsOwnSandboxSettings() throws Exception {
        Pod pod = new PodBuilder(examplePod()).editMetadata()
                .addToAnnotations("jvisor.dev/network", "host")
                .addToAnnotations("jvisor.dev/made-up", "x")
                .addToAnnotations("team", "web")
                .endMetadata().build();
        Pod result = patched(pod, review(AdmissionResource.MUTATE_PODS, podCreate(pod)));
        assertThat(result.getMetadata().getAnnotations())
                .containsEntry("jvisor.dev/network", "sandbox")
                .containsEntry("team", "web")
                .doesNotContainKey("jvisor.dev/made-up");
    }

    @Test
    void podsOutsideMatchedNamespacesAndInAuditOrExemptNamespacesAreNotChanged() throws Exception {
        for (String namespace : new String[] {"trusted", "audited", "kube-system", "no-such-namespace"}) {
            Pod pod = Fixtures.pod(namespace, "app", null);
            JsonNode response = review(AdmissionResource.MUTATE_PODS, podCreate(pod));
            assertThat(response.get("allowed").asBoolean()).as(namespace).isTrue();
            assertThat(response.has("patch")).as(namespace).isFalse();
        }
    }

    @Test
    void legacyUntrustedWorkloadAnnotationOptsIn() throws Exception {
        Pod pod = new PodBuilder(Fixtures.pod("trusted", "legacy", null)).editMetadata()
                .addToAnnotations("io.kubernetes.cri.untrusted-workload", "true").endMetadata().build();
        Pod result = patched(pod, review(AdmissionResource.MUTATE_PODS, podCreate(pod)));
        assertThat(result.getSpec().getRuntimeClassName()).isEqualTo("jvisor");
        assertThat(result.getMetadata().getAnnotations()).containsEntry("jvisor.dev/policy", "default");
    }

    @Test
    void podsThatOptOutUnderEnforceAreRejectedNamingThePolicy() throws Exception {
        Map<String, Pod> optOuts = Map.of(
                "runtimeClassName is runc", new PodBuilder(examplePod()).editSpec().withRuntimeClassName("runc")
                        .endSpec().build(),
                "hostNetwork is true", new PodBuilder(examplePod()).editSpec().withRuntimeClassName("jvisor")
                        .withHostNetwork(true).endSpec().build(),
                "hostPID is true", new PodBuilder(examplePod()).editSpec().withRuntimeClassName("jvisor")
                        .withHostPID(true).endSpec().build(),
                "hostIPC is true", new PodBuilder(examplePod()).editSpec().withRuntimeClassName("jvisor")
                        .withHostIPC(true).endSpec().build(),
                "privileged containers: hello", new PodBuilder(examplePod()).editSpec()
                        .withRuntimeClassName("jvisor").editFirstContainer().withNewSecurityContext()
                        .withPrivileged(true).endSecurityContext().endContainer().endSpec().build(),
                "no runtimeClassName", examplePod());
        for (var entry : optOuts.entrySet()) {
            JsonNode response = review(AdmissionResource.VALIDATE_PODS, podCreate(entry.getValue()));
            assertThat(response.get("allowed").asBoolean()).as(entry.getKey()).isFalse();
            assertThat(response.get("status").get("code").asInt()).isEqualTo(403);
            assertThat(response.get("status").get("message").asText())
                    .contains("SandboxPolicy default", "untrusted/hello", entry.getKey());
        }
        Pod otherClass = new PodBuilder(examplePod()).editSpec().withRuntimeClassName("runc").endSpec().build();
        assertThat(review(AdmissionResource.MUTATE_PODS, podCreate(otherClass)).has("patch"))
                .as("the mutating webhook does not rewrite an explicit choice").isFalse();
    }

    @Test
    void auditAdmitsOptOutsWithAWarning() throws Exception {
        Pod pod = new PodBuilder(Fixtures.pod("audited", "host", null)).editSpec().withHostNetwork(true).endSpec()
                .build();
        JsonNode response = review(AdmissionResource.VALIDATE_PODS, podCreate(pod));
        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("warnings").get(0).asText()).contains("audit", "hostNetwork is true");
    }

    @Test
    void examplePoliciesPassTheirOwnValidation() throws Exception {
        client.resources(SandboxPolicy.class).delete();
        for (String file : new String[] {"default-policy.yaml", "audit-policy.yaml"}) {
            JsonNode response = review(AdmissionResource.VALIDATE_POLICIES,
                    policyCreate(Examples.policy(client, file)));
            assertThat(response.get("allowed").asBoolean()).as(file).isTrue();
        }
    }

    @Test
    void invalidPoliciesAreExplained() throws Exception {
        SandboxPolicy emptyHandler = Fixtures.policy("empty-handler");
        emptyHandler.getSpec().setHandler("");
        emptyHandler.getSpec().setRuntimeClassName("jvisor-other");
        assertThat(denial(policyCreate(emptyHandler))).contains("spec.handler: must not be empty");

        SandboxPolicy hostEverywhere = Fixtures.policy("host-everywhere");
        hostEverywhere.getSpec().setRuntimeClassName("jvisor-host");
        hostEverywhere.getSpec().setNamespaceSelector(new LabelSelector());
        hostEverywhere.getSpec().getSandbox().setNetwork(NetworkMode.HOST);
        assertThat(denial(policyCreate(hostEverywhere))).contains("spec.sandbox.network", "every namespace");

        SandboxPolicy duplicate = Fixtures.policy("second-default");
        assertThat(denial(policyCreate(duplicate))).contains("already owned by SandboxPolicy default");

        ObjectNode badEnum = policyCreate(Fixtures.policy("typo"));
        ((ObjectNode) badEnum.get("request").get("object").get("spec")).put("enforcement", "Enforced");
        assertThat(denial(badEnum)).contains("spec.enforcement: \"Enforced\" is not one of Enforce, Audit");
    }

    @Test
    void weakButLegalPoliciesGetWarnings() throws Exception {
        SandboxPolicy host = Fixtures.policy("host-net");
        host.getSpec().setRuntimeClassName("jvisor-host");
        host.getSpec().getSandbox().setNetwork(NetworkMode.HOST);
        JsonNode response = review(AdmissionResource.VALIDATE_POLICIES, policyCreate(host));
        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("warnings").get(0).asText()).contains("network: host");
    }

    String denial(ObjectNode review) throws Exception {
        JsonNode response = review(AdmissionResource.VALIDATE_POLICIES, review);
        assertThat(response.get("allowed").asBoolean()).isFalse();
        return response.get("status").get("message").asText();
    }

    @Test
    void unknownFieldsAreTolerated() throws Exception {
        ObjectNode review = podCreate(examplePod());
        review.put("somethingNew", 1);
        ((ObjectNode) review.get("request")).putObject("futureField").put("x", true);
        ((ObjectNode) review.get("request").get("object").get("spec")).put("futurePodField", "y");
        assertThat(review(AdmissionResource.MUTATE_PODS, review).get("allowed").asBoolean()).isTrue();
    }

    @Test
    void malformedReviewsGet400WithAMessage() throws Exception {
        ObjectNode noUid = podCreate(examplePod());
        ((ObjectNode) noUid.get("request")).remove("uid");
        ObjectNode wrongVersion = podCreate(examplePod());
        wrongVersion.put("apiVersion", "admission.k8s.io/v1beta1");
        ObjectNode noObject = podCreate(examplePod());
        ((ObjectNode) noObject.get("request")).remove("object");
        ObjectNode notAPod = podCreate(examplePod());
        ((ObjectNode) notAPod.get("request").get("object")).put("spec", "not an object");
        ObjectNode wrongKind = policyCreate(Fixtures.policy("p"));
        Map<String, String> cases = Map.of(
                "", "empty body",
                "{not json", "not valid JSON",
                "[1,2,3]", "must be a JSON object",
                "[".repeat(5000), "not valid JSON",
                noUid.toString(), "request.uid is missing",
                wrongVersion.toString(), "apiVersion must be admission.k8s.io/v1",
                noObject.toString(), "request.object must be",
                notAPod.toString(), "request.object is not a Pod",
                wrongKind.toString(), "this webhook reviews Pod, not jvisor.dev/SandboxPolicy");
        for (var entry : cases.entrySet()) {
            String body = post(AdmissionResource.MUTATE_PODS, entry.getKey()).statusCode(400)
                    .contentType("application/json").extract().asString();
            assertThat(Serialization.jsonMapper().readTree(body).get("message").asText())
                    .as(entry.getValue()).contains(entry.getValue());
        }
    }

    @Test
    void healthAndAdmissionMetricsAreServedOnTheManagementPort() throws Exception {
        review(AdmissionResource.MUTATE_PODS, podCreate(examplePod()));
        given().get(liveness).then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("UP"));
        String metrics = given().get(metricsEndpoint).then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern(
                "jvisor_operator_admissions_total\\{[^}]*decision=\"mutated\"[^}]*policy=\"default\"[^}]*"
                        + "webhook=\"mutate-pods\"[^}]*} [1-9]");
    }
}
