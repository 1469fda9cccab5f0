package dev.jvisor.operator.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.UUID;

/** Builds admission.k8s.io/v1 AdmissionReview bodies shaped like the ones the API server sends. */
final class AdmissionReviews {

    private AdmissionReviews() {
    }

    static ObjectNode review(String group, String version, String kind, String resource, String operation,
            String namespace, HasMetadata object) {
        ObjectNode review = Serialization.jsonMapper().createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", UUID.randomUUID().toString());
        ObjectNode gvk = request.putObject("kind");
        gvk.put("group", group).put("version", version).put("kind", kind);
        ObjectNode gvr = request.putObject("resource");
        gvr.put("group", group).put("version", version).put("resource", resource);
        request.set("requestKind", gvk.deepCopy());
        request.set("requestResource", gvr.deepCopy());
        if (object != null && object.getMetadata().getName() != null) {
            request.put("name", object.getMetadata().getName());
        }
        if (namespace != null) {
            request.put("namespace", namespace);
        }
        request.put("operation", operation);
        ObjectNode userInfo = request.putObject("userInfo");
        userInfo.put("username", "system:serviceaccount:ci:deployer");
        userInfo.putArray("groups").add("system:authenticated");
        if (object != null) {
            request.set("object", Serialization.jsonMapper().valueToTree(object));
        }
        request.putNull("oldObject");
        request.put("dryRun", false);
        ObjectNode options = request.putObject("options");
        options.put("apiVersion", "meta.k8s.io/v1").put("kind", "CreateOptions");
        return review;
    }

    static ObjectNode podCreate(HasMetadata pod) {
        return review("", "v1", "Pod", "pods", "CREATE", pod.getMetadata().getNamespace(), pod);
    }

    static ObjectNode policyCreate(HasMetadata policy) {
        return review("jvisor.dev", "v1alpha1", "SandboxPolicy", "sandboxpolicies", "CREATE", null, policy);
    }

    static String uid(JsonNode review) {
        return review.get("request").get("uid").asText();
    }
}
