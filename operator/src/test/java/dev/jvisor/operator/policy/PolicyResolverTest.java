package dev.jvisor.operator.policy;

import static dev.jvisor.operator.Fixtures.namespace;
import static dev.jvisor.operator.Fixtures.pod;
import static dev.jvisor.operator.Fixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.api.v1alpha1.SandboxPolicy;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolicyResolverTest {

    static final Map<String, String> UNTRUSTED = Map.of("jvisor.dev/untrusted", "true");

    @Test
    void defaultSelectorMatchesOnlyUntrustedNamespaces() {
        SandboxPolicy policy = policy("default");
        policy.getSpec().setNamespaceSelector(null);
        assertThat(PolicyResolver.selectsNamespace(policy, UNTRUSTED)).isTrue();
        assertThat(PolicyResolver.selectsNamespace(policy, Map.of("jvisor.dev/untrusted", "false"))).isFalse();
        assertThat(PolicyResolver.selectsNamespace(policy, null)).isFalse();
    }

    @Test
    void highestPriorityWins() {
        SandboxPolicy low = policy("a-low", 1, UNTRUSTED);
        SandboxPolicy high = policy("z-high", 10, UNTRUSTED);
        Resolution resolution = PolicyResolver.resolve(List.of(low, high), UNTRUSTED, Map.of()).orElseThrow();
        assertThat(resolution.winner().getMetadata().getName()).isEqualTo("z-high");
        assertThat(resolution.conflicted()).isFalse();
    }

    @Test
    void equalPriorityIsBrokenByNameAndReportedAsConflict() {
        SandboxPolicy b = policy("bravo", 5, UNTRUSTED);
        SandboxPolicy a = policy("alpha", 5, UNTRUSTED);
        Resolution resolution = PolicyResolver.resolve(List.of(b, a), UNTRUSTED, Map.of()).orElseThrow();
        assertThat(resolution.winner().getMetadata().getName()).isEqualTo("alpha");
        assertThat(resolution.tiedWith()).extracting(p -> p.getMetadata().getName()).containsExactly("bravo");
    }

    @Test
    void resolutionDoesNotDependOnListOrder() {
        List<SandboxPolicy> policies = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            policies.add(policy("p" + i, i % 3, UNTRUSTED));
        }
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            Collections.shuffle(policies, random);
            assertThat(PolicyResolver.resolve(policies, UNTRUSTED, Map.of()).orElseThrow().winner()
                    .getMetadata().getName())
                    .as("priority 2 holds p2, p5, p8, p11; names compare as strings, so p11 sorts first")
                    .isEqualTo("p11");
        }
    }

    @Test
    void podSelectorNarrowsWithinNamespace() {
        SandboxPolicy web = policy("web", 0, UNTRUSTED);
        web.getSpec().setPodSelector(new LabelSelectorBuilder().addToMatchLabels("tier", "web").build());
        assertThat(PolicyResolver.resolve(List.of(web), UNTRUSTED, Map.of("tier", "web"))).isPresent();
        assertThat(PolicyResolver.resolve(List.of(web), UNTRUSTED, Map.of("tier", "db"))).isEmpty();
    }

    @Test
    void deletedPoliciesGovernNothing() {
        SandboxPolicy dying = policy("dying", 100, UNTRUSTED);
        dying.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        SandboxPolicy live = policy("live", 0, UNTRUSTED);
        assertThat(PolicyResolver.resolve(List.of(dying, live), UNTRUSTED, Map.of()).orElseThrow().winner()
                .getMetadata().getName()).isEqualTo("live");
    }

    @Test
    void malformedSelectorSelectsNothing() {
        SandboxPolicy broken = policy("broken");
        LabelSelector selector = new LabelSelectorBuilder().addNewMatchExpression()
                .withKey("team").withOperator("Near").withValues("x").endMatchExpression().build();
        broken.getSpec().setNamespaceSelector(selector);
        assertThat(PolicyResolver.selectsNamespace(broken, Map.of("team", "x"))).isFalse();
    }

    @Test
    void conflictsAreReportedPerNamespaceWithTheWinner() {
        SandboxPolicy a = policy("alpha", 0, UNTRUSTED);
        SandboxPolicy b = policy("bravo", 0, UNTRUSTED);
        SandboxPolicy higher = policy("charlie", 7, UNTRUSTED);
        var namespaces = List.of(namespace("ns1", UNTRUSTED), namespace("ns2", Map.of()));
        List<PolicyConflict> conflicts = PolicyResolver.conflictsOf(b, List.of(a, b, higher), namespaces, List.of());
        assertThat(conflicts).containsExactly(new PolicyConflict("ns1", "bravo", "alpha", "alpha"));
        assertThat(PolicyResolver.conflictsOf(higher, List.of(a, b, higher), namespaces, List.of())).isEmpty();
    }

    @Test
    void disjointPodSelectorsDoNotConflictUnlessAPodMatchesBoth() {
        SandboxPolicy web = policy("web", 0, UNTRUSTED);
        web.getSpec().setPodSelector(new LabelSelectorBuilder().addToMatchLabels("app", "web").build());
        SandboxPolicy any = policy("any-app", 0, UNTRUSTED);
        any.getSpec().setPodSelector(new LabelSelectorBuilder().addNewMatchExpression().withKey("app")
                .withOperator("Exists").endMatchExpression().build());
        var namespaces = List.of(namespace("ns1", UNTRUSTED));
        assertThat(PolicyResolver.conflictsOf(web, List.of(web, any), namespaces, List.of(pod("ns1", "db", null))))
                .isEmpty();
        assertThat(PolicyResolver.conflictsOf(web, List.of(web, any), namespaces, List.of(pod("ns1", "web", null))))
                .extracting(PolicyConflict::winner).containsExactly("any-app");
    }

    @Test
    void oldestPolicyOwnsASharedRuntimeClassName() {
        SandboxPolicy newer = policy("aaa");
        newer.getMetadata().setCreationTimestamp("2026-02-01T00:00:00Z");
        SandboxPolicy older = policy("zzz");
        older.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
        assertThat(PolicyResolver.runtimeClassOwner(List.of(newer, older), "jvisor").orElseThrow()
                .getMetadata().getName()).isEqualTo("zzz");
        assertThat(PolicyResolver.runtimeClassOwner(List.of(newer, older), "other")).isEmpty();
    }

    @Test
    void optInIgnoresNamespaceSelectorButHonoursPodSelector() {
        SandboxPolicy policy = policy("default");
        assertThat(PolicyResolver.resolveForOptIn(List.of(policy), Map.of())).isPresent();
        policy.getSpec().setPodSelector(new LabelSelectorBuilder().addToMatchLabels("x", "y").build());
        assertThat(PolicyResolver.resolveForOptIn(List.of(policy), Map.of())).isEmpty();
    }

    @Test
    void optInNeverPicksAnAuditPolicy() {
        SandboxPolicy audit = dev.jvisor.operator.Fixtures.audit(policy("aaa-audit", 100, Map.of()));
        SandboxPolicy enforce = policy("zzz-enforce", 0, Map.of());
        assertThat(PolicyResolver.resolveForOptIn(List.of(audit, enforce), Map.of()).orElseThrow().winner()
                .getMetadata().getName()).isEqualTo("zzz-enforce");
    }
}
