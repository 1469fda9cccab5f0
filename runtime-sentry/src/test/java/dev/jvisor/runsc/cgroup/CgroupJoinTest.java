package dev.jvisor.runsc.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Joining a real cgroup v1 hierarchy: create lists a sandbox's processes and then moves each, and
 * a short-lived one may exit in between. A process that is gone is skipped; a live one that cannot
 * join is still an error.
 */
class CgroupJoinTest {
    CgroupV1 cgroup;

    @BeforeEach
    void cgroup() throws Exception {
        Path memory = CgroupV1.DEFAULT_ROOT.resolve("memory");
        assumeTrue(Files.isWritable(memory.resolve("cgroup.procs")), "cgroup v1 memory controller writable");
        String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
                .filter(l -> l.split(":", 3)[1].equals("memory")).map(l -> l.split(":", 3)[2]).findFirst().orElse("/");
        cgroup = CgroupV1.at(CgroupV1.DEFAULT_ROOT, own.substring(1) + (own.equals("/") ? "" : "/") + "jv-join-" + ProcessHandle.current().pid());
        cgroup.create();
    }

    @AfterEach
    void remove() throws Exception {
        if (cgroup != null) cgroup.remove();
    }

    @Test
    void aProcessThatExitedBeforeJoiningIsSkipped() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long pid = gone.pid();
        assertThat(cgroup.joinIfAlive(pid)).isFalse();
        assertThatThrownBy(() -> cgroup.join(pid)).isInstanceOf(CgroupException.class)
                .hasMessageContaining("cannot write " + pid);
        assertThat(cgroup.pids()).isEmpty();
    }

    @Test
    void aLiveProcessJoins() throws Exception {
        Process alive = new ProcessBuilder("sleep", "30").start();
        try {
            assertThat(cgroup.joinIfAlive(alive.pid())).isTrue();
            assertThat(cgroup.pids()).containsExactly(alive.pid());
        } finally {
            alive.destroyForcibly();
            alive.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
