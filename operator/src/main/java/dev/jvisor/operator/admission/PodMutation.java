package dev.jvisor.operator.admission;

import dev.jvisor.api.v1alpha1.Enforcement;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.operator.policy.Policies;
import dev.jvisor.operator.policy.Resolution;
import dev.jvisor.operator.policy.SandboxAnnotationRenderer;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The mutating pod webhook (CREATE only: runtimeClassName is immutable afterwards). Under an enforcing policy it
 * sets the RuntimeClass and replaces every {@code jvisor.dev/*} annotation with the policy's, so a pod cannot pick
 * its own sandbox settings. A pod that already names another RuntimeClass is left alone here and rejected by the
 * validating webhook with a message, rather than silently rewritten.
 */
public final class PodMutation {

    private final GoverningPolicy governing;

    PodMutation(GoverningPolicy governing) {
        this.governing = governing;
    }

    public AdmissionVerdict review(AdmissionRequest request, Pod pod) throws ClusterLookupException {
        if (!"CREATE".equals(request.operation())) {
            return AdmissionVerdict.allow(null, List.of());
        }
        Optional<Resolution> resolution = governing.forPod(request.namespace(), pod);
        if (resolution.isEmpty()) {
            return AdmissionVerdict.allow(null, List.of());
        }
        SandboxPolicy policy = resolution.get().winner();
        String policyName = Policies.name(policy);
        boolean optedIn = governing.optsInByLegacyAnnotation(pod);
        if (Policies.enforcement(policy) == Enforcement.AUDIT && !optedIn) {
            return AdmissionVerdict.allow(policyName, List.of());
        }
        String runtimeClass = Policies.runtimeClassName(policy);
        String requested = pod.getSpec() == null ? null : pod.getSpec().getRuntimeClassName();
        if (requested != null && !requested.equals(runtimeClass)) {
            return AdmissionVerdict.allow(policyName, List.of());
        }
        List<JsonPatchOperation> patch = new ArrayList<>();
        if (requested == null) {
            patch.add(JsonPatchOperation.add("/spec/runtimeClassName", runtimeClass));
        }
        // Whether the annotations map exists must be read from the JSON as sent: the Java model shows a missing
        // map as an empty one, and a JSON Patch "add" into a missing parent fails.
        boolean hasAnnotations = request.object().path("metadata").path("annotations").isObject();
        patch.addAll(annotationPatch(hasAnnotations ? annotationsOf(pod) : null,
                SandboxAnnotationRenderer.render(policy)));
        return AdmissionVerdict.patch(policyName, patch);
    }

    private static Map<String, String> annotationsOf(Pod pod) {
        return pod.getMetadata() == null || pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations();
    }

    /** {@code current} is null when the pod has no annotations map at all. */
    private static List<JsonPatchOperation> annotationPatch(Map<String, String> current, Map<String, String> wanted) {
        List<JsonPatchOperation> patch = new ArrayList<>();
        if (current == null) {
            patch.add(JsonPatchOperation.add("/metadata/annotations", new TreeMap<>(wanted)));
            return patch;
        }
        for (String key : new TreeMap<>(current).keySet()) {
            if (key.startsWith(dev.jvisor.api.v1alpha1.SandboxPolicy.ANNOTATION_PREFIX) && !wanted.containsKey(key)) {
                patch.add(JsonPatchOperation.remove("/metadata/annotations/" + JsonPatchOperation.escape(key)));
            }
        }
        wanted.forEach((key, value) -> {
            if (!value.equals(current.get(key))) {
                patch.add(JsonPatchOperation.add("/metadata/annotations/" + JsonPatchOperation.escape(key), value));
            }
        });
        return patch;
    }
}
