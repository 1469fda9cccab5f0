/**
 * The {@code jvisor.dev/v1alpha1} Kubernetes API: the cluster-scoped {@link dev.jvisor.api.v1alpha1.SandboxPolicy}
 * resource, its spec, status and nested types.
 *
 * <p>This package owns the wire shape of the API. The CRD YAML under {@code crds/generated/} is generated from these
 * classes: every field's {@code @JsonPropertyDescription} becomes its schema description, and the fabric8 generator
 * annotations ({@code @Default}, {@code @Pattern}, {@code @ValidationRule}, …) become schema defaults and validation,
 * so the API server rejects bad policies before any jVisor code sees them.
 */
package dev.jvisor.api.v1alpha1;
