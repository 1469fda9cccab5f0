package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.OciConfigReader;
import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonBoolean;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.HostProcess;
import dev.jvisor.runsc.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir Path home;
    @TempDir Path root;

    private RunscRunner runsc() {
        return new RunscRunner(home);
    }

    private void record(String id, ContainerStatus status, HostProcess init) throws Exception {
        new StateStore(root).create(new ContainerRecord(id, "/bundles/" + id, status, init,
                Instant.parse("2026-11-29T01:02:03Z"), "root", Map.of("a", "b"))).close();
    }

    private static JsonObject lastLogLine(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return (JsonObject) JsonParser.parse(lines.getLast());
    }

    private static String str(JsonObject o, String name) {
        return ((JsonString) o.get(name)).value();
    }

    @Test
    void versionPrintsTheTwoLinesContainerdParses() {
        for (String[] args : new String[][] {{"--version"}, {"version"}, {"-version"}}) {
            var r = runsc().run(args);
            assertThat(r.status()).isZero();
            assertThat(r.out()).matches("runsc version \\S+\nspec: 1\\.\\d+\\.\\d+\n");
            assertThat(r.out()).doesNotContain("${");
        }
    }

    @Test
    void errorsAreJsonLinesInTheLogAndANonZeroExit() throws Exception {
        Path log = home.resolve("log.json");
        var r = runsc().run("--root", root.toString(), "--log", log.toString(), "--log-format", "json", "state", "nope");
        assertThat(r.status()).isEqualTo(1);
        JsonObject line = lastLogLine(log);
        assertThat(line.members().keySet()).containsExactlyInAnyOrder("level", "msg", "time");
        assertThat(str(line, "level")).isEqualTo("error");
        assertThat(str(line, "msg")).isEqualTo("container \"nope\" does not exist");
        assertThat(OffsetDateTime.parse(str(line, "time"))).isNotNull(); // RFC 3339
        assertThat(r.err()).contains("does not exist");
    }

    @Test
    void usageErrorsExitTwoAndStillReachTheLog() throws Exception {
        Path log = home.resolve("log.json");
        var unknownCommand = runsc().run("--log", log.toString(), "--log-format=json", "frobnicate");
        assertThat(unknownCommand.status()).isEqualTo(2);
        assertThat(str(lastLogLine(log), "msg")).contains("unknown command \"frobnicate\"");

        var unknownGlobal = runsc().run("--log", log.toString(), "--log-format", "json", "--bogus", "state", "x");
        assertThat(unknownGlobal.status()).isEqualTo(2);
        assertThat(str(lastLogLine(log), "msg")).isEqualTo("flag provided but not defined: -bogus");

        var unknownLocal = runsc().run("--log", log.toString(), "--log-format", "json", "delete", "--bogus", "x");
        assertThat(unknownLocal.status()).isEqualTo(2);
        assertThat(str(lastLogLine(log), "msg")).isEqualTo("flag provided but not defined: -bogus");

        var missingArg = runsc().run("--log", log.toString(), "--log-format", "json", "state");
        assertThat(missingArg.status()).isEqualTo(2);
        assertThat(str(lastLogLine(log), "msg")).contains("expected <container-id>");

        var badFormat = runsc().run("--log-format", "xml", "version");
        assertThat(badFormat.status()).isEqualTo(2);
        assertThat(badFormat.err()).contains("invalid --log-format");

        assertThat(runsc().run().status()).isEqualTo(2);
    }

    @Test
    void badIdsAndBadConfigAreErrorsNotCrashes() throws Exception {
        Path log = home.resolve("log.json");
        var r = runsc().run("--root", root.toString(), "--log", log.toString(), "--log-format", "json", "state", "../../etc");
        assertThat(r.status()).isEqualTo(1);
        assertThat(str(lastLogLine(log), "msg")).startsWith("invalid container id");

        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/runsc.toml"), "network = wifi\n");
        var c = runsc().run("--log", log.toString(), "--log-format", "json", "version");
        assertThat(c.status()).isEqualTo(1);
        assertThat(str(lastLogLine(log), "msg")).endsWith("runsc.toml:1: invalid value \"wifi\" (allowed: none, sandbox, host)");
    }

    @Test
    void pathsTheOsCannotNameAreUsageErrors() {
        String nul = "a\u0000b";
        for (String[] args : new String[][] {{"--log", nul, "version"}, {"--root", nul, "state", "x"},
                {"do", "--rootfs", nul, "true"}, {"spec", "--bundle", nul}}) {
            var r = runsc().run(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).contains("not a usable path").doesNotContain("internal error");
        }
        var debugLog = runsc().run("--debug-log", nul, "version");
        assertThat(debugLog.status()).isEqualTo(1);
        assertThat(debugLog.err()).contains("flag --debug-log");
    }

    @Test
    void theConfigFileNextToTheBinaryOverridesFlags() throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/runsc.toml"), "network = \"sandbox\"\n");
        var r = runsc().run("--network=host", "--file-access", "shared", "help", "config");
        assertThat(r.status()).isZero();
        assertThat(r.out()).containsPattern("network\\s+sandbox\\s+file");
        assertThat(r.out()).containsPattern("file-access\\s+shared\\s+flag");
        assertThat(r.out()).containsPattern("overlay\\s+true\\s+default");

        Files.delete(home.resolve("etc/runsc.toml"));
        var off = runsc().run("--overlay=false", "--strace", "help", "config");
        assertThat(off.out()).containsPattern("overlay\\s+false\\s+flag").containsPattern("strace\\s+true\\s+flag");
    }

    @Test
    void featuresTellTheTruthInTheSpecShape() throws Exception {
        var r = runsc().run("features");
        assertThat(r.status()).isZero();
        JsonObject f = (JsonObject) JsonParser.parse(r.out());
        assertThat(f.members().keySet()).contains("ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations");
        assertThat(str(f, "ociVersionMin")).isEqualTo("1.0.0");
        assertThat(str(f, "ociVersionMax")).matches("1\\.\\d+\\.\\d+");
        assertThat(((JsonArray) f.get("hooks")).elements()).as("no OCI hooks run").isEmpty();
        JsonObject linux = (JsonObject) f.get("linux");
        List<String> namespaces = strings(linux.get("namespaces"));
        assertThat(namespaces).containsExactlyInAnyOrder("pid", "network", "ipc", "uts", "mount");
        assertThat(namespaces).as("jVisor has no user, cgroup or time namespaces").doesNotContain("user", "cgroup", "time");
        assertThat(strings(linux.get("capabilities"))).contains("CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_CHECKPOINT_RESTORE").hasSize(41);
        for (String unsupported : new String[] {"seccomp", "apparmor", "selinux"}) {
            assertThat(((JsonObject) linux.get(unsupported)).get("enabled")).as(unsupported).isEqualTo(JsonBoolean.FALSE);
        }
        JsonObject cgroup = (JsonObject) linux.get("cgroup");
        assertThat(cgroup.members().keySet()).contains("v1", "v2", "systemd");
        assertThat(cgroup.members().values()).allMatch(v -> v instanceof JsonBoolean);
        JsonObject annotations = (JsonObject) f.get("annotations");
        assertThat(str(annotations, "dev.jvisor.runsc.pod-annotations"))
                // Every one of them may only tighten the node's setting (strace only off, never on).
                .contains("jvisor.dev/network", "jvisor.dev/overlay", "jvisor.dev/strace")
                .doesNotContain("debug-log").doesNotContain("platform").doesNotContain("policy");
    }

    private static List<String> strings(JsonValue v) {
        return ((JsonArray) v).elements().stream().map(e -> ((JsonString) e).value()).toList();
    }

    @Test
    void specWritesAReadableConfigOnceAndRefusesToOverwrite(@TempDir Path bundle) throws Exception {
        assertThat(runsc().run("spec", "--bundle", bundle.toString()).status()).isZero();
        var spec = OciConfigReader.readBundle(bundle);
        assertThat(spec.process().args()).containsExactly("sh");
        assertThat(spec.root().path()).isEqualTo("rootfs");
        String before = Files.readString(bundle.resolve("config.json"));
        var again = runsc().run("spec", "--bundle", bundle.toString());
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("exists");
        assertThat(Files.readString(bundle.resolve("config.json"))).isEqualTo(before);

        var nowhere = runsc().run("spec", "--bundle", bundle.resolve("missing").toString());
        assertThat(nowhere.status()).isEqualTo(1);
        assertThat(nowhere.err()).endsWith("config.json: no such file or directory\n");
    }

    @Test
    void stateOfARecordedContainer() throws Exception {
        HostProcess self = HostProcess.of(ProcessHandle.current().pid()).orElseThrow();
        record("live", ContainerStatus.RUNNING, self);
        var r = runsc().run("--root", root.toString(), "state", "live");
        assertThat(r.status()).isZero();
        JsonObject s = (JsonObject) JsonParser.parse(r.out());
        assertThat(str(s, "id")).isEqualTo("live");
        assertThat(str(s, "status")).isEqualTo("running");
        assertThat(s.get("pid").toString()).contains(Long.toString(self.pid()));
        assertThat(str(s, "bundle")).isEqualTo("/bundles/live");
        assertThat(((JsonObject) s.get("annotations")).members()).containsKey("a");
    }

    @Test
    void listInBothFormats() throws Exception {
        record("b-stopped", ContainerStatus.STOPPED, null);
        record("a-creating", ContainerStatus.CREATING, null);
        Files.createDirectories(root.resolve("not a container"));
        var table = runsc().run("--root", root.toString(), "list");
        assertThat(table.status()).isZero();
        assertThat(table.out().lines().toList()).hasSize(3);
        assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("ID").contains("PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        assertThat(table.out()).containsPattern("a-creating\\s+0\\s+creating\\s+/bundles/a-creating");

        var json = runsc().run("--root", root.toString(), "list", "--format", "json");
        JsonArray a = (JsonArray) JsonParser.parse(json.out());
        assertThat(a.elements()).hasSize(2);
        assertThat(str((JsonObject) a.elements().get(1), "status")).isEqualTo("stopped");

        assertThat(runsc().run("--root", root.toString(), "list", "-quiet").out()).isEqualTo("a-creating\nb-stopped\n");
        assertThat(runsc().run("--root", root.resolve("absent").toString(), "list", "--format=json").out()).isEqualTo("[]\n");
        assertThat(runsc().run("--root", root.toString(), "list", "--format", "yaml").status()).isEqualTo(2);

        // One unreadable record is reported; the others are still listed.
        Files.writeString(root.resolve("b-stopped/state.json"), "{not json");
        var partial = runsc().run("--root", root.toString(), "list", "-q");
        assertThat(partial.status()).isZero();
        assertThat(partial.out()).isEqualTo("a-creating\n");
        assertThat(partial.err()).contains("state of container b-stopped is corrupt");
    }

    @Test
    void deleteOfAStoppedContainer() throws Exception {
        record("done", ContainerStatus.STOPPED, null);
        assertThat(runsc().run("--root", root.toString(), "delete", "done").status()).isZero();
        assertThat(root.resolve("done")).doesNotExist();
        var again = runsc().run("--root", root.toString(), "delete", "done");
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("does not exist");
        assertThat(runsc().run("--root", root.toString(), "delete", "--force", "done").status())
                .as("the shim's cleanup delete --force must succeed").isZero();
    }

    @Test
    void deleteRefusesARunningContainerAndForceKillsIt() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            record("busy", ContainerStatus.RUNNING, HostProcess.of(sleeper.pid()).orElseThrow());
            var refused = runsc().run("--root", root.toString(), "delete", "busy");
            assertThat(refused.status()).isEqualTo(1);
            assertThat(refused.err()).contains("cannot delete container busy that is not stopped: running");
            assertThat(sleeper.isAlive()).isTrue();

            assertThat(runsc().run("--root", root.toString(), "delete", "--force", "busy").status()).isZero();
            assertThat(sleeper.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(sleeper.exitValue()).isEqualTo(137);
            assertThat(root.resolve("busy")).doesNotExist();
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void deleteOfACreatedContainerKillsItsWaiterWithoutForce() throws Exception {
        Process waiter = new ProcessBuilder("sleep", "60").start();
        try {
            record("fresh", ContainerStatus.CREATED, HostProcess.of(waiter.pid()).orElseThrow());
            assertThat(runsc().run("--root", root.toString(), "delete", "fresh").status()).isZero();
            assertThat(waiter.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(root.resolve("fresh")).doesNotExist();
        } finally {
            waiter.destroyForcibly();
        }
    }

    @Test
    void deleteNeverSignalsAProcessThatMerelyReusedThePid() throws Exception {
        Process bystander = new ProcessBuilder("sleep", "60").start();
        try {
            HostProcess real = HostProcess.of(bystander.pid()).orElseThrow();
            // The record's start time differs: the container's init died and the pid was reused.
            record("stale", ContainerStatus.RUNNING, new HostProcess(real.pid(), real.startTime() - 1));
            assertThat(runsc().run("--root", root.toString(), "delete", "stale").status()).isZero();
            assertThat(bystander.isAlive()).isTrue();
        } finally {
            bystander.destroyForcibly();
        }
    }

    @Test
    void helpCoversCommandsSyscallsAndFlags() {
        var help = runsc().run("help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("do", "state", "list", "delete", "spec", "features", "version");
        var syscalls = runsc().run("help", "syscalls");
        assertThat(syscalls.status()).isZero();
        assertThat(syscalls.out()).startsWith("NUM").contains("syscalls:");
        assertThat(runsc().run("delete", "--help").out()).contains("--force");
        assertThat(runsc().run("help", "do").out()).contains("--rootfs", "--env", "--cwd", "--strace");
        assertThat(runsc().run("--help").out()).contains("--root", "--log-format", "--systemd-cgroup", "--network", "--debug-log");
        assertThat(runsc().run("help", "nothing").status()).isEqualTo(2);
    }
}
