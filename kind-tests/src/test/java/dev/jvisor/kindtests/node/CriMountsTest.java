package dev.jvisor.kindtests.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.kindtests.cri.CriClient;
import dev.jvisor.kindtests.cri.CriLogFile;
import dev.jvisor.cri.v1.CriApi.ContainerConfig;
import dev.jvisor.cri.v1.CriApi.ContainerMetadata;
import dev.jvisor.cri.v1.CriApi.ContainerState;
import dev.jvisor.cri.v1.CriApi.ContainerStatus;
import dev.jvisor.cri.v1.CriApi.ImageSpec;
import dev.jvisor.cri.v1.CriApi.LinuxContainerConfig;
import dev.jvisor.cri.v1.CriApi.LinuxContainerSecurityContext;
import dev.jvisor.cri.v1.CriApi.LinuxPodSandboxConfig;
import dev.jvisor.cri.v1.CriApi.LinuxSandboxSecurityContext;
import dev.jvisor.cri.v1.CriApi.NamespaceMode;
import dev.jvisor.cri.v1.CriApi.NamespaceOption;
import dev.jvisor.cri.v1.CriApi.PodSandboxConfig;
import dev.jvisor.cri.v1.CriApi.PodSandboxMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mounts containerd's CRI plugin gives every pod container — /etc/hosts, /etc/hostname,
 * /etc/resolv.conf (file binds from the pod's directory), /dev/shm (a bind of the pod's shm),
 * /dev/mqueue, /sys/fs/cgroup — seen from inside a container of a jVisor pod exactly as from
 * inside one of a runc pod, and listed in the Sentry's /proc/mounts.
 */
class CriMountsTest {
    /** The pods' cgroup parent: the leftover check looks for cgroups under it, and removes it at the end. */
    private static final String CGROUP_PARENT = "/jvisor-cri-mounts-" + ProcessHandle.current().pid();
    private static final String JVISOR = CriNode.JVISOR;
    private static final String RUNC = CriNode.RUNC;
    /** What both runtimes must print the same; then, separately, the mount table. */
    private static final String SCRIPT = String.join("; ",
            "echo \"hosts: $(md5sum < /etc/hosts)\"",
            "echo \"hostname-file: $(cat /etc/hostname 2>/dev/null | md5sum)\"",
            "echo \"resolv: $(md5sum < /etc/resolv.conf)\"",
            "echo shared > /dev/shm/f && echo \"shm: $(cat /dev/shm/f)\"",
            "echo \"mqueue: $(ls -d /dev/mqueue)\"",
            "echo \"cgroup: $(ls -d /sys/fs/cgroup)\"",
            "echo ---",
            "grep -E ' (/etc/hosts|/etc/hostname|/etc/resolv.conf|/dev/shm) ' /proc/mounts | cut -d' ' -f2 | sort");
    private static final NamespaceOption HOST_NETWORK = NamespaceOption.newBuilder()
            .setNetwork(NamespaceMode.NODE).setPid(NamespaceMode.CONTAINER).setIpc(NamespaceMode.POD).build();

    private static CriNode node;
    private static PrivateContainerd containerd;
    private static CriClient cri;

    @BeforeAll
    static void startContainerdWithCri() throws Exception {
        Path runsc = CriPodLifecycleTest.runsc();
        Path runc = CriNode.assumeNodeTools("CRI mount tests", runsc);
        node = CriNode.start("jvm", runsc, runc, dir -> dir.resolve("jvisor-runsc-root"), CGROUP_PARENT);
        containerd = node.containerd();
        cri = node.cri();
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (node != null) node.close();
    }

    /** Runs SCRIPT in a container of a new pod of {@code handler}; returns its stdout; the pod is gone afterwards. */
    private static String runInPod(String handler) throws Exception {
        String uid = UUID.randomUUID().toString();
        String name = "mounts-" + handler;
        Path logDir = Files.createDirectories(containerd.dir().resolve("pods").resolve("default_" + name + "_" + uid));
        PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setUid(uid).setNamespace("default"))
                .setLogDirectory(logDir.toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT)
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(HOST_NETWORK)))
                .build();
        String podId = cri.runPodSandbox(pod, handler);
        try {
            Files.createDirectories(logDir.resolve("probe"));
            String id = cri.createContainer(podId, ContainerConfig.newBuilder()
                    .setMetadata(ContainerMetadata.newBuilder().setName("probe"))
                    .setImage(ImageSpec.newBuilder().setImage(BusyboxImage.NAME))
                    .addAllCommand(List.of("sh", "-c", SCRIPT))
                    .setLogPath("probe/0.log")
                    .setLinux(LinuxContainerConfig.newBuilder()
                            .setSecurityContext(LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(HOST_NETWORK)))
                    .build(), pod);
            cri.startContainer(id);
            ContainerStatus status = awaitExit(id);
            String out = CriLogFile.read(Path.of(status.getLogPath())).output(CriLogFile.Stream.STDOUT);
            assertThat(status.getExitCode()).as(handler + ": " + out + CriLogFile.read(Path.of(status.getLogPath())).output(CriLogFile.Stream.STDERR)).isZero();
            cri.removeContainer(id);
            return out;
        } finally {
            cri.stopPodSandbox(podId);
            cri.removePodSandbox(podId);
            assertThat(node.traces().settled(List.of(podId))).as("left on the host by the " + handler + " pod").isEmpty();
        }
    }

    private static ContainerStatus awaitExit(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            ContainerStatus s = cri.containerStatus(id).getStatus();
            if (s.getState() == ContainerState.CONTAINER_EXITED) return s;
            if (System.nanoTime() > deadline) throw new AssertionError("container " + id + " still " + s.getState());
            Thread.sleep(100);
        }
    }

    @Test
    void aPodContainerSeesCrisMountsAsUnderRunc() throws Exception {
        String underRunc = runInPod(RUNC);
        String underJvisor = runInPod(JVISOR);
        String seen = underJvisor.substring(0, underJvisor.indexOf("---"));
        assertThat(seen).isEqualTo(underRunc.substring(0, underRunc.indexOf("---")));
        assertThat(seen).contains("shm: shared").contains("mqueue: /dev/mqueue").contains("cgroup: /sys/fs/cgroup");
        // The Sentry lists them, as runc's kernel does.
        assertThat(underJvisor.substring(underJvisor.indexOf("---")).lines().skip(1).toList())
                .isEqualTo(underRunc.substring(underRunc.indexOf("---")).lines().skip(1).toList())
                .contains("/etc/hosts", "/etc/resolv.conf", "/dev/shm");
    }
}
