package dev.jvisor.operator.reconcile;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Records core/v1 Events about a SandboxPolicy, so {@code kubectl describe sbp NAME} shows what the operator did
 * and what it found. Policies are cluster-scoped, so their Events live in one configured namespace. An Event that
 * cannot be written is logged, never allowed to fail a reconcile.
 */
public class PolicyEvents {

    public static final String COMPONENT = "jvisor-operator";
    private static final Logger LOG = Logger.getLogger(PolicyEvents.class);

    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;
    private final AtomicLong sequence = new AtomicLong();

    public PolicyEvents(KubernetesClient client, String namespace, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
    }

    public void normal(SandboxPolicy policy, String reason, String message) {
        record(policy, "Normal", reason, message);
    }

    public void warning(SandboxPolicy policy, String reason, String message) {
        record(policy, "Warning", reason, message);
    }

    private void record(SandboxPolicy policy, String type, String reason, String message) {
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        String name = policy.getMetadata().getName() + "."
                + Long.toHexString(Instant.now(clock).toEpochMilli()) + Long.toHexString(sequence.incrementAndGet());
        var event = new EventBuilder()
                .withNewMetadata().withName(name.toLowerCase(Locale.ROOT)).withNamespace(namespace).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(policy.getApiVersion())
                        .withKind(policy.getKind())
                        .withName(policy.getMetadata().getName())
                        .withUid(policy.getMetadata().getUid())
                        .build())
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("could not record Event %s for SandboxPolicy %s: %s", reason, policy.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
