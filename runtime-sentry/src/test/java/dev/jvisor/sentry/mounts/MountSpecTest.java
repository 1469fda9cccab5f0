package dev.jvisor.sentry.mounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.abi.linux.MountAbi;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checking one OCI mount: options split as mount(8) does, the types the Sentry serves, clear errors otherwise. */
class MountSpecTest {
    @Test
    void runcsDefaultMountsAreAccepted() throws Exception {
        MountSpec proc = MountSpec.of("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
        assertThat(proc.kind()).isEqualTo(FsType.PROC);
        assertThat(proc.options().flags()).isEqualTo(MountAbi.MS_NOSUID | MountAbi.MS_NOEXEC | MountAbi.MS_NODEV);
        MountSpec dev = MountSpec.of("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        assertThat(dev.options().data()).containsExactly("mode=755", "size=65536k");
        assertThat(MountSpec.of("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")).kind()).isEqualTo(FsType.DEVPTS);
        assertThat(MountSpec.of("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"))
                .options().readOnly()).isTrue();
        assertThat(MountSpec.of("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")).kind()).isEqualTo(FsType.MQUEUE);
    }

    @Test
    void aBindOptionMakesAnyTypeABindAndLaterOptionsWin() throws Exception {
        MountSpec m = MountSpec.of("/etc/hosts", "none", "/var/lib/hosts", List.of("rbind", "rprivate", "ro", "rw"));
        assertThat(m.kind()).isEqualTo(FsType.BIND);
        assertThat(m.options().readOnly()).isFalse();
        assertThat(MountSpec.of("/x", null, "/src", List.of("bind")).kind()).isEqualTo(FsType.BIND);
        assertThat(MountSpec.of("/x", "bind", "/src", List.of("rbind", "rslave", "x-kubelet.note", "nofail")).options().data()).isEmpty();
        assertThatThrownBy(() -> MountSpec.of("/x", "bind", "/src", List.of("rbind", "idmap"))).hasMessageContaining("idmap");
    }

    @Test
    void badMountsAreRefusedNamingTheMount() {
        assertThatThrownBy(() -> MountSpec.of("/mnt", "nfs", "srv:/x", List.of())).isInstanceOf(MountSpecException.class)
                .hasMessageContaining("/mnt").hasMessageContaining("nfs");
        assertThatThrownBy(() -> MountSpec.of("rel", "tmpfs", "tmpfs", List.of())).hasMessageContaining("absolute");
        assertThatThrownBy(() -> MountSpec.of("/b", "bind", "relative/src", List.of("rbind"))).hasMessageContaining("absolute host source");
        assertThatThrownBy(() -> MountSpec.of("/t", "tmpfs", "tmpfs", List.of("size=-1"))).hasMessageContaining("size=-1");
        assertThatThrownBy(() -> MountSpec.of("/t", "tmpfs", "tmpfs", List.of("mode=999"))).hasMessageContaining("mode=999");
        assertThatThrownBy(() -> MountSpec.of("/t", "tmpfs", "tmpfs", List.of("bogus"))).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> MountSpec.of("/t", "tmpfs", "tmpfs", List.of("colour=blue"))).hasMessageContaining("unknown tmpfs option");
        assertThatThrownBy(() -> MountSpec.of("", "tmpfs", "tmpfs", List.of())).isInstanceOf(MountSpecException.class);
        assertThatThrownBy(() -> MountSpec.of("/a\0b", "tmpfs", "tmpfs", List.of())).hasMessageContaining("NUL");
    }

    @Test
    void tmpfsSizesTakeSuffixes() throws Exception {
        assertThat(TmpfsOptions.parse(MountOptions.parse(List.of("size=64k"), "/t"), 01777, "/t").sizeBytes()).isEqualTo(65536);
        assertThat(TmpfsOptions.parse(MountOptions.parse(List.of("size=2M", "mode=0700", "uid=1000", "gid=5"), "/t"), 01777, "/t"))
                .isEqualTo(new TmpfsOptions(2L << 20, 0700, 1000, 5));
        assertThat(TmpfsOptions.parse(MountOptions.parse(List.of(), "/t"), 01777, "/t").sizeBytes()).isEqualTo(-1);
    }

    @Test
    void theStandardSetYieldsToTheBundleAndDevptsFollowsABundlesDev() throws Exception {
        MountSpec dev = MountSpec.of("/dev", "tmpfs", "tmpfs", List.of());
        MountSpec shm = MountSpec.of("/dev/shm", "tmpfs", "shm", List.of());
        List<MountSpec> plan = ContainerFilesystems.plan(List.of(dev, shm), true, true);
        assertThat(plan.stream().map(MountSpec::destination))
                .containsExactly("/proc", "/sys", "/tmp", "/dev", "/dev/pts", "/dev/shm");
        assertThat(plan.get(3)).isSameAs(dev);
        assertThat(ContainerFilesystems.plan(List.of(), false, true).stream().map(MountSpec::destination))
                .containsExactly("/proc", "/dev", "/dev/pts", "/sys");
        assertThat(ContainerFilesystems.plan(List.of(MountSpec.of("/tmp/", "tmpfs", "tmpfs", List.of("size=1m"))), true, false)
                .stream().map(MountSpec::destination)).containsExactly("/proc", "/dev", "/sys", "/tmp/");
    }
}
