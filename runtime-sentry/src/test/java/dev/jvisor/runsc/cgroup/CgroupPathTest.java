package dev.jvisor.runsc.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CgroupPathTest {
    @Test
    void plainPathsAreTakenFromTheRoot() throws Exception {
        assertThat(CgroupPath.resolve("/kubepods/besteffort/pod1/c1", false)).isEqualTo("kubepods/besteffort/pod1/c1");
        assertThat(CgroupPath.resolve("default/c1", false)).isEqualTo("default/c1");
        assertThat(CgroupPath.resolve("//a/./b/", false)).isEqualTo("a/b");
    }

    @Test
    void systemdSlicesExpandToTheirAncestry() throws Exception {
        assertThat(CgroupPath.resolve("kubepods-besteffort-pod1.slice:cri-containerd:abc", true))
                .isEqualTo("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-abc.scope");
        assertThat(CgroupPath.resolve("system.slice:docker:x", true)).isEqualTo("system.slice/docker-x.scope");
        assertThat(CgroupPath.resolve(":runsc:x", true)).isEqualTo("system.slice/runsc-x.scope");
    }

    @Test
    void pathsThatLeaveTheCgroupRootOrNameItAreRefused() {
        assertThatThrownBy(() -> CgroupPath.resolve("/a/../../etc", false)).hasMessageContaining("leaves the cgroup root");
        assertThatThrownBy(() -> CgroupPath.resolve("/", false)).hasMessageContaining("root cgroup");
        assertThatThrownBy(() -> CgroupPath.resolve("", false)).hasMessageContaining("no cgroupsPath");
        assertThatThrownBy(() -> CgroupPath.resolve("/a/b", true)).hasMessageContaining("slice:prefix:name");
        assertThatThrownBy(() -> CgroupPath.resolve("a/b.slice:p:n", true)).hasMessageContaining("not a slice name");
        assertThatThrownBy(() -> CgroupPath.resolve("a--b.slice:p:n", true)).hasMessageContaining("not a slice name");
    }
}
