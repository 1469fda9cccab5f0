package dev.jvisor.nodeagent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HostPathsTest {

    final HostPaths host = new HostPaths(Path.of("/host"));

    @Test
    void mapsHostPathsUnderTheRootAndBack() {
        assertThat(host.resolve("/etc/containerd/config.toml")).isEqualTo(Path.of("/host/etc/containerd/config.toml"));
        assertThat(host.toHost(Path.of("/host/opt/jvisor"))).isEqualTo("/opt/jvisor");
        assertThat(new HostPaths(Path.of("/")).resolve("/opt/jvisor")).isEqualTo(Path.of("/opt/jvisor"));
    }

    @Test
    void refusesRelativeAndClimbingPaths() {
        assertThatThrownBy(() -> host.resolve("etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        // ".." above "/" stays at "/" on the host, so it stays under the mount too.
        assertThat(host.resolve("/../../etc/passwd")).isEqualTo(Path.of("/host/etc/passwd"));
        assertThatThrownBy(() -> host.toHost(Path.of("/etc/passwd"))).isInstanceOf(IllegalArgumentException.class);
    }
}
