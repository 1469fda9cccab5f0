package dev.jvisor.runsc.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** runsc's start-up must not pay for gRPC on nodes that configure no policy socket. */
class PolicyClassLoadingTest {

    @Test
    void createAndBootLoadNoGrpcOrProtobufClassWithoutAPolicySocket() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xshare:auto", "-Xlog:class+load=info:stdout",
                "-cp", System.getProperty("java.class.path"), NoPolicyProbe.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("probe-done network=NONE events=false");
        assertThat(out).contains("dev.jvisor.runsc.policy.SandboxEventReporter ");
        assertThat(out).contains("dev.jvisor.runsc.policy.PodPolicy ");
        assertThat(out.lines().filter(l -> l.contains(" io.grpc.") || l.contains(" com.google.protobuf.")
                || l.contains(" dev.jvisor.node.v1.") || l.contains("GrpcPolicyClient") || l.contains("GrpcEventChannel")).toList()).isEmpty();
    }
}
