package dev.jvisor.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.runsc.cmd.SpecCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OciConfigReaderTest {
    /** A config.json as containerd writes it for a pod container, trimmed. */
    static final String CONTAINERD_STYLE = """
            {"ociVersion":"1.1.0",
             "process":{"user":{"uid":65534,"gid":65534,"additionalGids":[65534,4294967295]},
               "args":["/bin/sh","-c","echo hi"],"env":["PATH=/bin","HOSTNAME=x"],"cwd":"/",
               "capabilities":{"bounding":["CAP_CHOWN","CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]},
               "rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551615,"soft":1024}],
               "noNewPrivileges":true,"oomScoreAdj":-998,"someFutureField":{"x":1}},
             "root":{"path":"rootfs","readonly":true},
             "mounts":[{"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec"]}],
             "annotations":{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.sandbox-id":"abc"},
             "linux":{"resources":{"memory":{"limit":134217728},"cpu":{"shares":2,"quota":-1,"period":100000},
               "pids":{"limit":64},"devices":[{"allow":false,"access":"rwm"}]},
               "cgroupsPath":"kubepods-besteffort.slice:cri-containerd:abc",
               "namespaces":[{"type":"pid"},{"type":"network","path":"/var/run/netns/cni-1"},{"type":"mount"}],
               "seccomp":{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],
                 "syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]},
               "maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"]}}
            """;

    @Test
    void readsARealisticConfig() throws Exception {
        OciSpec s = OciConfigReader.parse(CONTAINERD_STYLE);
        assertThat(s.process().user().uid()).isEqualTo(65534);
        assertThat(s.process().user().additionalGids()).containsExactly(65534L, 4294967295L);
        assertThat(s.process().args()).containsExactly("/bin/sh", "-c", "echo hi");
        assertThat(s.process().capabilities().bounding()).containsExactlyInAnyOrder(Capability.CAP_CHOWN, Capability.CAP_KILL);
        assertThat(s.process().rlimits().getFirst().hard()).isEqualTo(Rlimits.RLIM_INFINITY);
        assertThat(s.root()).isEqualTo(new OciSpec.Root("rootfs", true));
        assertThat(s.annotations()).containsEntry("io.kubernetes.cri.sandbox-id", "abc");
        assertThat(s.linux().resources().memoryLimit()).isEqualTo(134217728L);
        assertThat(s.linux().resources().cpuQuota()).isEqualTo(-1L);
        assertThat(s.linux().resources().pidsLimit()).isEqualTo(64L);
        assertThat(s.linux().namespaces()).extracting(OciSpec.Namespace::type)
                .containsExactly(NamespaceType.PID, NamespaceType.NETWORK, NamespaceType.MOUNT);
        assertThat(s.linux().namespaces().get(1).path()).isEqualTo("/var/run/netns/cni-1");
        assertThat(s.linux().seccomp().syscalls().getFirst().names()).containsExactly("read", "write");
    }

    @Test
    void theDefaultSpecRoundTrips() throws Exception {
        OciSpec spec = SpecCommand.defaultSpec();
        String json = OciConfigWriter.toJson(spec);
        assertThat(OciConfigReader.parse(json)).isEqualTo(spec);
        assertThat(OciConfigWriter.toJson(OciConfigReader.parse(json))).isEqualTo(json);
        assertThat(OciConfigReader.parse(CONTAINERD_STYLE))
                .isEqualTo(OciConfigReader.parse(OciConfigWriter.toJson(OciConfigReader.parse(CONTAINERD_STYLE))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{}|ociVersion: required",
        "[]|expected an object, got array",
        "{\"ociVersion\":1}|ociVersion: expected a string, got number",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}}|process.args: must name the program",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\",2],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}}|process.args[1]: expected a string, got number",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"rel\",\"user\":{\"uid\":0,\"gid\":0}}}|process.cwd: must be an absolute path",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"}}|process.user: required",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":-1,\"gid\":0}}}|process.user.uid: expected an integer in 0..4294967295, got -1",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":4294967296,\"gid\":0}}}|process.user.uid: expected an integer in 0..4294967295",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":1.5,\"gid\":0}}}|process.user.uid: expected an integer",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":\"0\"}}}|process.user.gid: expected an integer, got string",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"env\":[\"NOEQUALS\"],\"user\":{\"uid\":0,\"gid\":0}}}|process.env[0]: expected KEY=value",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"capabilities\":{\"bounding\":[\"CAP_EVERYTHING\"]}}}|process.capabilities.bounding[0]: unknown capability",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":1}]}}|process.rlimits[0].soft: soft limit above the hard limit",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":18446744073709551616}]}}|process.rlimits[0].hard: out of range",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1e400000}]}}|process.rlimits[0].hard: expected an unsigned 64-bit integer",
        "{\"ociVersion\":\"1\",\"process\":{\"args\":[\"a\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"soft\":1,\"hard\":1}]}}|process.rlimits[0].type: unknown rlimit",
        "{\"ociVersion\":\"1\",\"root\":{\"path\":\"\"}}|root.path: must not be empty",
        "{\"ociVersion\":\"1\",\"root\":{\"path\":\"rootfs\",\"readonly\":\"yes\"}}|root.readonly: expected true or false, got string",
        "{\"ociVersion\":\"1\",\"mounts\":{}}|mounts: expected an array, got object",
        "{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"../etc\"}]}|mounts[0].destination: must be an absolute path",
        "{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/x\",\"options\":[\"ro\",null]}]}|mounts[0].options[1]: expected a string, got null",
        "{\"ociVersion\":\"1\",\"annotations\":{\"a\":1}}|annotations[\"a\"]: expected a string, got number",
        "{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}|linux.namespaces[1].type: duplicate namespace pid",
        "{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":\"bogus\"}]}}|linux.namespaces[0].type: unknown namespace type",
        "{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"netns\"}]}}|linux.namespaces[0].path: must be an absolute path",
        "{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"memory\":{\"limit\":-2}}}}|linux.resources.memory.limit: expected an integer in -1..",
        "{\"ociVersion\":\"1\",\"linux\":{\"maskedPaths\":[\"proc/kcore\"]}}|linux.maskedPaths[0]: must be an absolute path",
        "{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"syscalls\":[]}}}|linux.seccomp.defaultAction: required",
        "{\"ociVersion\":\"1\",\"hostname\":\"a\\u0000b\"}|hostname: contains a NUL character",
        "{\"ociVersion\":\"1\",\"ociVersion\":\"2\"}|duplicate member name",
        "{\"ociVersion\":\"1\"|not valid JSON",
    })
    void rejectsBadConfigNamingTheField(String json, String expected) {
        assertThatThrownBy(() -> OciConfigReader.parse(json))
                .isInstanceOf(OciConfigException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void errorsCarryTheFieldPath() {
        assertThatThrownBy(() -> OciConfigReader.parse("{\"ociVersion\":\"1\",\"mounts\":[{},{\"destination\":3}]}"))
                .isInstanceOfSatisfying(OciConfigException.class, e -> assertThat(e.field()).isEqualTo("mounts[0].destination"));
    }

    @Test
    void rejectsInvalidUtf8AndOversizedFiles() {
        byte[] bad = "{\"ociVersion\":\"\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> OciConfigReader.parse(bad)).hasMessageContaining("not valid UTF-8");
        byte[] huge = new byte[OciConfigReader.MAX_CONFIG_BYTES + 1];
        Arrays.fill(huge, (byte) ' ');
        assertThatThrownBy(() -> OciConfigReader.parse(huge)).hasMessageContaining("larger than");
    }

    @Test
    void aBundleWhoseConfigIsNotARegularFileIsRefused(@TempDir Path bundle) throws Exception {
        assertThatThrownBy(() -> OciConfigReader.readBundle(bundle)).hasMessageContaining("no regular file config.json");
        // A symlink to a device must not make runsc read (or block on) it.
        Files.createSymbolicLink(bundle.resolve("config.json"), Path.of("/dev/zero"));
        assertThatThrownBy(() -> OciConfigReader.readBundle(bundle)).isInstanceOf(OciConfigException.class);
    }

    @Test
    void readsABundleFromDisk(@TempDir Path bundle) throws Exception {
        Files.writeString(bundle.resolve("config.json"), CONTAINERD_STYLE);
        assertThat(OciConfigReader.readBundle(bundle).hostname()).isNull();
    }
}
