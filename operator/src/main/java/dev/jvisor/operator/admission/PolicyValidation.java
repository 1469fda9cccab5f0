package dev.jvisor.operator.admission;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import dev.jvisor.api.v1alpha1.Enforcement;
import dev.jvisor.api.v1alpha1.NetworkMode;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.operator.policy.Policies;
import dev.jvisor.operator.policy.PolicyValidator;
import dev.jvisor.operator.policy.PolicyViolation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The validating SandboxPolicy webhook: explains everything wrong with a policy in one message, including values the
 * Java model cannot even bind (an unknown enum value), and warns about legal but weak choices.
 */
public final class PolicyValidation {

    private final ClusterLookup cluster;
    private final ObjectMapper mapper;

    PolicyValidation(ClusterLookup cluster, ObjectMapper mapper) {
        this.cluster = cluster;
        this.mapper = mapper;
    }

    public AdmissionVerdict review(AdmissionRequest request) throws ClusterLookupException {
        if ("DELETE".equals(request.operation())) {
            return AdmissionVerdict.allow(request.name(), List.of());
        }
        SandboxPolicy policy;
        try {
            policy = mapper.treeToValue(request.object(), SandboxPolicy.class);
        } catch (JsonMappingException e) {
            return AdmissionVerdict.deny(request.name(), "SandboxPolicy " + describe(request) + " is invalid: "
                    + bindingProblem(e));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return AdmissionVerdict.deny(request.name(), "SandboxPolicy is not readable: " + e.getOriginalMessage());
        }
        if (policy.getMetadata() == null || policy.getMetadata().getName() == null) {
            return AdmissionVerdict.deny(request.name(), "SandboxPolicy has no metadata.name");
        }
        List<PolicyViolation> violations = PolicyValidator.validate(policy, cluster.policies());
        String name = Policies.name(policy);
        if (!violations.isEmpty()) {
            return AdmissionVerdict.deny(name, "SandboxPolicy " + name + " is invalid: " + violations.stream()
                    .map(PolicyViolation::toString).collect(Collectors.joining("; ")));
        }
        List<String> warnings = new ArrayList<>();
        if (Policies.sandbox(policy).getNetwork() == NetworkMode.HOST
                && Policies.enforcement(policy) == Enforcement.ENFORCE) {
            warnings.add("SandboxPolicy " + name + ": network: host gives sandboxes the node's network; "
                    + "isolation is weaker than with network: sandbox");
        }
        if (Boolean.TRUE.equals(Policies.sandbox(policy).getDebug())) {
            warnings.add("SandboxPolicy " + name + ": debug logging slows every sandbox it applies to");
        }
        return AdmissionVerdict.allow(name, warnings);
    }

    private static String describe(AdmissionRequest request) {
        return request.name() == null ? "" : request.name();
    }

    /** Turns a Jackson binding error into "spec.enforcement: "Enforced" is not one of Enforce, Audit". */
    static String bindingProblem(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() != null
                && invalid.getTargetType().isEnum()) {
            String allowed = Arrays.stream(invalid.getTargetType().getEnumConstants())
                    .map(PolicyValidation::wireName).collect(Collectors.joining(", "));
            return path + ": \"" + invalid.getValue() + "\" is not one of " + allowed;
        }
        return path + ": " + e.getOriginalMessage().lines().findFirst().orElse("has the wrong type");
    }

    private static String wireName(Object constant) {
        Enum<?> e = (Enum<?>) constant;
        try {
            var annotation = e.getDeclaringClass().getField(e.name())
                    .getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            return annotation == null ? e.name() : annotation.value();
        } catch (NoSuchFieldException impossible) {
            return e.name();
        }
    }
}
