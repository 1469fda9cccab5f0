package dev.jvisor.runsc.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.runsc.Main;
import dev.jvisor.sentry.mounts.ContainerMounts;
import dev.jvisor.sentry.mounts.FsType;
import dev.jvisor.sentry.mounts.MountSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What create makes of the mounts real configs carry: {@code runsc spec}'s own, and a pod
 * container's as containerd's CRI plugin writes it (its /etc/hosts, /etc/hostname,
 * /etc/resolv.conf, /dev/shm and /dev/termination-log binds, /dev/mqueue, /sys/fs/cgroup and
 * its default masked and read-only paths).
 */
class BundleMountsConfigTest {
    @TempDir Path bundle;
    @TempDir Path pod;

    @Test
    void runscSpecsOwnConfigIsAccepted() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        int status = Main.run(List.of("spec", "--bundle", bundle.toString()), new Main.Environment(bundle,
                new ByteArrayInputStream(new byte[0]), new PrintStream(sink), new PrintStream(sink), Clock.systemUTC()));
        assertThat(status).as(sink.toString()).isZero();
        ContainerMounts m = BundleSandbox.containerMounts(bundle, BundleSandbox.read(bundle));
        assertThat(m.rootReadOnly()).isTrue();
        assertThat(m.mounts().stream().map(MountSpec::destination)).contains("/proc", "/dev", "/dev/pts", "/dev/shm", "/sys");
    }

    @Test
    void aCriPodContainersConfigIsAccepted() throws Exception {
        for (String f : List.of("hosts", "hostname", "resolv.conf", "termination-log")) Files.writeString(pod.resolve(f), f + "\n");
        Files.createDirectories(pod.resolve("shm"));
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2-dev","process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},
                 "root":{"path":"rootfs"},
                 "mounts":[
                  {"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
                  {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
                  {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
                  {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
                  {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
                  {"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["nosuid","noexec","nodev","relatime","ro"]},
                  {"destination":"/etc/hosts","type":"bind","source":"%1$s/hosts","options":["rbind","rprivate","rw"]},
                  {"destination":"/dev/termination-log","type":"bind","source":"%1$s/termination-log","options":["rbind","rprivate","rw"]},
                  {"destination":"/etc/hostname","type":"bind","source":"%1$s/hostname","options":["rbind","rprivate","rw"]},
                  {"destination":"/etc/resolv.conf","type":"bind","source":"%1$s/resolv.conf","options":["rbind","rprivate","rw"]},
                  {"destination":"/dev/shm","type":"bind","source":"%1$s/shm","options":["rbind","rprivate","rw"]}],
                 "linux":{"maskedPaths":["/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list",
                                         "/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware"],
                          "readonlyPaths":["/proc/asound","/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]}}
                """.formatted(pod));
        ContainerMounts m = BundleSandbox.containerMounts(bundle, BundleSandbox.read(bundle));
        assertThat(m.mounts()).hasSize(11);
        assertThat(m.mounts().stream().filter(s -> s.kind() == FsType.BIND).map(MountSpec::destination))
                .containsExactly("/etc/hosts", "/dev/termination-log", "/etc/hostname", "/etc/resolv.conf", "/dev/shm");
        assertThat(m.maskedPaths()).contains("/proc/kcore", "/sys/firmware");
        assertThat(m.readonlyPaths()).contains("/proc/sys");
    }

    @Test
    void aRelativeBindSourceIsTakenFromTheBundle() throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.createDirectories(bundle.resolve("data"));
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},"root":{"path":"rootfs"},
                 "mounts":[{"destination":"/data","type":"bind","source":"data","options":["rbind"]},
                           {"destination":"/gone","type":"bind","source":"missing","options":["rbind"]}]}
                """);
        assertThatThrownBy(() -> BundleSandbox.containerMounts(bundle, BundleSandbox.read(bundle)))
                .hasMessageContaining("mounts[1]").hasMessageContaining(bundle.resolve("missing").toString());
    }
}
