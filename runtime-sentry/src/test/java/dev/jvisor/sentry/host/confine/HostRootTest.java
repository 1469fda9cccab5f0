package dev.jvisor.sentry.host.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Bad descriptors and paths for the host's root are refused with a typed error and leave
 * nothing held (a real descriptor is adopted by the boot process in ConfinementIT; adopting one
 * here would change how every later Gofer of this JVM starts).
 */
class HostRootTest {
    @Test
    void stdioAndClosedDescriptorsAreNotTheHostsRoot() {
        assertThatThrownBy(() -> HostRoot.adopt(1)).isInstanceOf(HostRoot.HostRootException.class).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> HostRoot.adopt(987_654)).isInstanceOf(HostRoot.HostRootException.class).hasMessageContaining("987654");
        assertThat(HostRoot.held()).isFalse();
    }

    @Test
    void nothingOpensWithoutAHostRoot() {
        assertThatThrownBy(() -> HostRoot.openDirectory(Path.of("/tmp"))).isInstanceOf(HostRoot.HostRootException.class)
                .hasMessageContaining("no descriptor");
    }
}
