package dev.jvisor.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** The Java defaults must agree with the schema defaults, and the wire names with the schema enums. */
class SandboxPolicySerializationTest {

    @Test
    void minimalPolicyDeserializesWithTheSchemaDefaults() {
        SandboxPolicy policy = Serialization.unmarshal("""
                apiVersion: jvisor.dev/v1alpha1
                kind: SandboxPolicy
                metadata:
                  name: minimal
                spec: {}
                """, SandboxPolicy.class);
        SandboxPolicySpec spec = policy.getSpec();
        assertThat(spec.getNamespaceSelector().getMatchLabels()).containsEntry("jvisor.dev/untrusted", "true");
        assertThat(spec.getEnforcement()).isEqualTo(Enforcement.ENFORCE);
        assertThat(spec.getRuntimeClassName()).isEqualTo("jvisor");
        assertThat(spec.getHandler()).isEqualTo("jvisor");
        assertThat(spec.getPriority()).isZero();
        assertThat(spec.getSandbox().getNetwork()).isEqualTo(NetworkMode.SANDBOX);
        assertThat(spec.getSandbox().getRootOverlay()).isEqualTo(RootOverlay.MEMORY);
    }

    @Test
    void wireNamesRoundTrip() {
        SandboxPolicy policy = Serialization.unmarshal("""
                apiVersion: jvisor.dev/v1alpha1
                kind: SandboxPolicy
                metadata: {name: audit}
                spec:
                  enforcement: Audit
                  sandbox:
                    network: host
                    fileAccess: shared
                    syscalls: {deny: [ptrace, keyctl], action: kill}
                    monitoring: {tracePoints: [exec, connect]}
                  overhead: {podFixed: {cpu: 250m, memory: 120Mi}}
                """, SandboxPolicy.class);
        String yaml = Serialization.asYaml(policy);
        assertThat(yaml).contains("enforcement: \"Audit\"", "network: \"host\"", "action: \"kill\"",
                "- \"exec\"", "cpu: \"250m\"");
        assertThat(policy.getSpec().getSandbox().getSyscalls().getErrno()).isEqualTo("EPERM");
        assertThat(Enforcement.AUDIT.wireName()).isEqualTo("Audit");
        assertThat(FileAccess.SHARED.wireName()).isEqualTo("shared");
        assertThat(TracePoint.CONNECT.wireName()).isEqualTo("connect");
    }

    @Test
    void unknownFieldsAreTolerated() {
        SandboxPolicy policy = Serialization.unmarshal("""
                apiVersion: jvisor.dev/v1alpha1
                kind: SandboxPolicy
                metadata: {name: future}
                spec: {handler: jvisor, fieldFromANewerVersion: 1}
                """, SandboxPolicy.class);
        assertThat(policy.getSpec().getHandler()).isEqualTo("jvisor");
    }
}
