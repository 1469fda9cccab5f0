package dev.jvisor.nodeagent.policy;

import dev.jvisor.api.v1alpha1.FileAccess;
import dev.jvisor.api.v1alpha1.Monitoring;
import dev.jvisor.api.v1alpha1.NetworkMode;
import dev.jvisor.api.v1alpha1.Overhead;
import dev.jvisor.api.v1alpha1.SandboxPolicy;
import dev.jvisor.api.v1alpha1.SandboxPolicySpec;
import dev.jvisor.api.v1alpha1.SyscallFilter;
import dev.jvisor.api.v1alpha1.TracePoint;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A small cluster in the CRUD mock: namespace tenant-a (untrusted) with pods web-0 and db-0,
 * namespace plain (not selected) with pod app-0; policy "untrusted" (default selector, network
 * sandbox, ptrace denied, exec traced, overhead) and "databases" (priority 10, app=db, network none).
 */
final class PolicyCluster {

    /** The uids the API server gave the pods. */
    final String webUid;
    final String dbUid;
    final String plainUid;

    private PolicyCluster(String webUid, String dbUid, String plainUid) {
        this.webUid = webUid;
        this.dbUid = dbUid;
        this.plainUid = plainUid;
    }

    static PolicyCluster create(KubernetesClient client) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("tenant-a")
                .addToLabels(SandboxPolicySpec.UNTRUSTED_NAMESPACE_LABEL, "true").endMetadata().build()).create();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("plain").endMetadata().build())
                .create();
        String web = pod(client, "tenant-a", "web-0", Map.of("app", "web"));
        String db = pod(client, "tenant-a", "db-0", Map.of("app", "db"));
        String plain = pod(client, "plain", "app-0", Map.of("app", "web"));

        SandboxPolicySpec untrusted = new SandboxPolicySpec();
        untrusted.getSandbox().setNetwork(NetworkMode.SANDBOX);
        untrusted.getSandbox().setFileAccess(FileAccess.EXCLUSIVE);
        SyscallFilter deny = new SyscallFilter();
        deny.setDeny(List.of("ptrace", "keyctl"));
        untrusted.getSandbox().setSyscalls(deny);
        Monitoring monitoring = new Monitoring();
        monitoring.setTracePoints(List.of(TracePoint.EXEC));
        untrusted.getSandbox().setMonitoring(monitoring);
        Overhead overhead = new Overhead();
        overhead.setPodFixed(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("128Mi")));
        untrusted.setOverhead(overhead);
        policy(client, "untrusted", untrusted);

        SandboxPolicySpec databases = new SandboxPolicySpec();
        databases.setPriority(10);
        databases.setPodSelector(new LabelSelectorBuilder().addToMatchLabels("app", "db").build());
        databases.getSandbox().setNetwork(NetworkMode.NONE);
        policy(client, "databases", databases);
        return new PolicyCluster(web, db, plain);
    }

    static String pod(KubernetesClient client, String namespace, String name, Map<String, String> labels) {
        return client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name)
                        .withLabels(labels).build())
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("c").withImage("busybox")
                .endContainer().endSpec().build()).create().getMetadata().getUid();
    }

    static void policy(KubernetesClient client, String name, SandboxPolicySpec spec) {
        SandboxPolicy p = new SandboxPolicy();
        p.getMetadata().setName(name);
        p.setSpec(spec);
        client.resources(SandboxPolicy.class).resource(p).create();
    }

    /** The informer's first list, so tests never race it. */
    static KubernetesClusterView syncedView(KubernetesClient client) throws InterruptedException {
        KubernetesClusterView view = new KubernetesClusterView(client);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                if (view.policies().size() >= 2) return view;
            } catch (ClusterViewException e) {
                // not synced yet
            }
            if (System.nanoTime() > deadline) throw new AssertionError("SandboxPolicy informer did not sync");
            Thread.sleep(20);
        }
    }
}
