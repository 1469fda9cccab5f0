package dev.jvisor.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/** Settings of the jVisor operator; the Helm chart sets them through environment variables. */
@ConfigMapping(prefix = "jvisor.operator")
public interface OperatorConfig {

    /** The namespace the operator runs in; its pods are never mutated or rejected (it must be able to recover). */
    @WithDefault("jvisor-system")
    String namespace();

    /**
     * Namespaces whose pods admission never touches, whatever their labels: the control plane must keep running
     * even if someone labels kube-system untrusted.
     */
    @WithDefault("kube-system,kube-node-lease")
    List<String> exemptNamespaces();

    /** Where Events about (cluster-scoped) SandboxPolicies are written; kubectl describe looks in default. */
    @WithDefault("default")
    String eventNamespace();

    /** Whether the legacy io.kubernetes.cri.untrusted-workload: "true" pod annotation opts a pod into a sandbox. */
    @WithDefault("true")
    boolean translateLegacyUntrustedAnnotation();

    /** The Lease (in {@link #namespace()}) through which replicas elect the one that reconciles. */
    @WithDefault("jvisor-operator-leader")
    String leaderElectionLease();

    /** How soon to retry a policy whose RuntimeClass could not be written. */
    @WithDefault("PT30S")
    Duration retryAfterFailure();

    Webhook webhook();

    /** The admission webhooks' serving certificate, which the operator makes and rotates itself. */
    interface Webhook {

        /** Whether the operator manages the serving certificate (off when cert-manager does). */
        @WithDefault("true")
        boolean manageCertificate();

        /** The Service in front of the webhook endpoints; the certificate is issued for its DNS names. */
        @WithDefault("jvisor-operator-webhook")
        String serviceName();

        /** The Secret (in {@link #namespace()}) holding ca.crt, tls.crt and tls.key. */
        @WithDefault("jvisor-operator-webhook-tls")
        String secretName();

        @WithDefault("jvisor-operator")
        String mutatingConfigurationName();

        @WithDefault("jvisor-operator")
        String validatingConfigurationName();

        /** Lifetime of a generated serving certificate. */
        @WithDefault("P90D")
        Duration certificateValidity();

        /** A certificate closer than this to expiry is replaced. */
        @WithDefault("P30D")
        Duration renewBefore();

        /** Where the serving key and certificate are written for the HTTPS server to load. */
        @WithDefault("/tmp/jvisor-webhook-tls")
        String certificateDirectory();
    }
}
