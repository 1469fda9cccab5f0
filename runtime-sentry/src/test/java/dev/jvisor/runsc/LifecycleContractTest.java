package dev.jvisor.runsc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvisor.oci.ContainerStatus;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.runsc.lifecycle.ExitStatusFile;
import dev.jvisor.runsc.state.ContainerRecord;
import dev.jvisor.runsc.state.HostProcess;
import dev.jvisor.runsc.state.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle commands' contract with the containerd shim, in-process: the errors it matches,
 * what create refuses before anything is started, and that a refused create leaves nothing
 * behind. The real create → start → exit path runs in {@code dist.LifecycleIT}.
 */
class LifecycleContractTest {
    @TempDir Path home;
    @TempDir Path root;
    @TempDir Path bundle;

    private RunscRunner.Result runsc(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--root", root.toString(), "--log",
                home.resolve("log.json").toString(), "--log-format", "json"));
        all.addAll(List.of(args));
        return new RunscRunner(home).run(all.toArray(String[]::new));
    }

    private String lastLoggedError() throws Exception {
        List<String> lines = Files.readAllLines(home.resolve("log.json"));
        JsonObject o = (JsonObject) JsonParser.parse(lines.getLast());
        assertThat(((JsonString) o.get("level")).value()).isEqualTo("error");
        return ((JsonString) o.get("msg")).value();
    }

    private void record(String id, ContainerStatus status, HostProcess init) throws Exception {
        new StateStore(root).create(new ContainerRecord(id, bundle.toString(), status, init, Instant.now(), "root", Map.of())).close();
    }

    /** A process that existed and is gone: its pid with a start time no process has. */
    private static HostProcess deadProcess() {
        return new HostProcess(ProcessHandle.current().pid(), 1);
    }

    private void writeConfig(String processJson, String rootJson) throws Exception {
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\":\"1.0.2\"" + processJson + rootJson + "}");
    }

    private static final String PROCESS = ",\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"/bin/true\"],\"cwd\":\"/\"}";

    @Test
    void killOfAnUnknownContainerSaysDoesNotExist() throws Exception {
        var r = runsc("kill", "nope", "9");
        assertThat(r.status()).isNotZero();
        assertThat(lastLoggedError()).contains("does not exist");
    }

    @Test
    void killOfAStoppedContainerSaysContainerNotRunning() throws Exception {
        record("gone", ContainerStatus.RUNNING, deadProcess());
        for (String[] args : new String[][] {{"kill", "gone", "15"}, {"kill", "--all", "gone", "9"}, {"kill", "gone", "SIGKILL"}}) {
            var r = runsc(args);
            assertThat(r.status()).isNotZero();
            assertThat(lastLoggedError()).isEqualTo("container not running");
        }
    }

    @Test
    void killRejectsSignalsThatAreNotSignals() throws Exception {
        record("c", ContainerStatus.RUNNING, deadProcess());
        for (String bad : List.of("0", "65", "99999999999999999999", "SIGNOPE", "-9", "")) {
            var r = runsc("kill", "c", bad);
            assertThat(r.status()).as(bad).isNotZero();
            assertThat(lastLoggedError()).as(bad).containsAnyOf("invalid signal", "bad flag syntax", "flag provided but not defined");
        }
    }

    @Test
    void startOnlyStartsACreatedContainer() throws Exception {
        record("stopped", ContainerStatus.RUNNING, deadProcess());
        var r = runsc("start", "stopped");
        assertThat(r.status()).isNotZero();
        assertThat(lastLoggedError()).contains("it is stopped, not created");
        assertThat(new StateStore(root).load("stopped").status()).isEqualTo(ContainerStatus.RUNNING);

        assertThat(runsc("start", "unknown").status()).isNotZero();
        assertThat(lastLoggedError()).contains("does not exist");
    }

    @Test
    void startOfACreatedContainerWhoseBootProcessIsNotListeningFailsClearly() throws Exception {
        // This JVM stands in for a live boot process that serves no control channel.
        record("deaf", ContainerStatus.CREATED, HostProcess.of(ProcessHandle.current().pid()).orElseThrow());
        var r = runsc("start", "deaf");
        assertThat(r.status()).isNotZero();
        assertThat(lastLoggedError()).startsWith("cannot start container deaf:");
        assertThat(new StateStore(root).load("deaf").status()).isEqualTo(ContainerStatus.CREATED);
    }

    @Test
    void createRefusesAConsoleSocketForAProcessWithoutATerminal() throws Exception {
        writeConfig(PROCESS, ",\"root\":{\"path\":\"rootfs\"}");
        Files.createDirectory(bundle.resolve("rootfs"));
        var r = runsc("create", "--bundle", bundle.toString(), "--console-socket", "/tmp/pty.sock", "--pid-file",
                bundle.resolve("init.pid").toString(), "tty");
        assertThat(r.status()).isNotZero();
        assertThat(lastLoggedError()).contains("--console-socket").contains("process.terminal is not set");
        assertThat(new StateStore(root).ids()).isEmpty();
        assertThat(bundle.resolve("init.pid")).doesNotExist();
    }

    @Test
    void createRefusesBundlesItCannotRunAndLeavesNothingBehind() throws Exception {
        record Case(String process, String root, String expected) {}
        List<Case> cases = List.of(
                new Case("", ",\"root\":{\"path\":\"rootfs\"}", "process: required"),
                new Case(PROCESS, "", "root: required"),
                new Case(PROCESS, ",\"root\":{\"path\":\"missing\"}", "root.path:"),
                new Case(PROCESS.replace("\"cwd\":\"/\"", "\"cwd\":\"rel\""), ",\"root\":{\"path\":\"rootfs\"}", "process.cwd"),
                new Case(PROCESS.replace("[\"/bin/true\"]", "[]"), ",\"root\":{\"path\":\"rootfs\"}", "process.args"),
                new Case(PROCESS.replace("\"user\"", "\"terminal\":true,\"user\""), ",\"root\":{\"path\":\"rootfs\"}", "needs --console-socket"),
                new Case(PROCESS, ",\"root\":{\"path\":\"rootfs\"},\"hostname\":\"" + "h".repeat(65) + "\"", "hostname"));
        Files.createDirectory(bundle.resolve("rootfs"));
        for (Case c : cases) {
            writeConfig(c.process(), c.root());
            var r = runsc("create", "--bundle", bundle.toString(), "--pid-file", bundle.resolve("init.pid").toString(), "c");
            assertThat(r.status()).as(c.expected()).isNotZero();
            assertThat(lastLoggedError()).as(c.expected()).contains(c.expected());
            assertThat(new StateStore(root).ids()).as(c.expected()).isEmpty();
            assertThat(bundle.resolve("init.pid")).doesNotExist();
        }
        Files.delete(bundle.resolve("config.json"));
        assertThat(runsc("create", "--bundle", bundle.toString(), "c").status()).isNotZero();
        assertThat(lastLoggedError()).contains("config.json");
        assertThat(runsc("create", "--bundle", bundle.resolve("nothing").toString(), "c").status()).isNotZero();
        assertThat(lastLoggedError()).contains("is not a directory");
    }

    @Test
    void createRefusesAnIdThatIsTaken() throws Exception {
        record("taken", ContainerStatus.STOPPED, null);
        writeConfig(PROCESS, ",\"root\":{\"path\":\"rootfs\"}");
        Files.createDirectory(bundle.resolve("rootfs"));
        var r = runsc("create", "--bundle", bundle.toString(), "taken");
        assertThat(r.status()).isNotZero();
        assertThat(lastLoggedError()).contains("already exists");
        assertThat(new StateStore(root).load("taken").status()).isEqualTo(ContainerStatus.STOPPED);
    }

    @Test
    void psOfAStoppedContainerIsAnEmptyJsonArray() throws Exception {
        record("gone", ContainerStatus.RUNNING, deadProcess());
        var r = runsc("ps", "--format", "json", "gone");
        assertThat(r.status()).isZero();
        assertThat(r.out().strip()).isEqualTo("[]");
        assertThat(runsc("ps", "--format", "yaml", "gone").status()).isNotZero();
    }

    @Test
    void psListsTheBootProcessAndItsDescendants() throws Exception {
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            record("live", ContainerStatus.RUNNING, HostProcess.of(ProcessHandle.current().pid()).orElseThrow());
            var r = runsc("ps", "--format", "json", "live");
            assertThat(r.status()).isZero();
            assertThat(r.out().strip()).startsWith("[" + ProcessHandle.current().pid() + ",").contains(Long.toString(child.pid()));
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void waitReportsTheRecordedExitStatusOrSigkill() throws Exception {
        record("seven", ContainerStatus.RUNNING, deadProcess());
        ExitStatusFile.write(root.resolve("seven"), 7);
        var r = runsc("wait", "seven");
        assertThat(r.status()).isZero();
        assertThat(r.out().strip()).isEqualTo("{\"id\":\"seven\",\"exitStatus\":7}");

        record("killed", ContainerStatus.RUNNING, deadProcess());
        assertThat(runsc("wait", "killed").out().strip()).isEqualTo("{\"id\":\"killed\",\"exitStatus\":137}");
    }

    @Test
    void execInAContainerThatIsNotRunningIsRefusedAndItsProcessFileIsDeleted() throws Exception {
        record("c", ContainerStatus.RUNNING, deadProcess());
        Path process = Files.writeString(bundle.resolve("process.json"), "{\"args\":[\"/bin/true\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}");
        var r = runsc("exec", "--process", process.toString(), "--detach", "--pid-file", bundle.resolve("e.pid").toString(), "c");
        assertThat(r.status()).isNotZero();
        assertThat(lastLoggedError()).contains("stopped, not running");
        assertThat(process).doesNotExist();
        assertThat(bundle.resolve("e.pid")).doesNotExist();
    }

    @Test
    void execRefusesAProcessFileThatIsNotAProcess() throws Exception {
        record("c", ContainerStatus.RUNNING, deadProcess());
        for (String bad : new String[] {"{}", "[]", "{\"args\":[]}", "not json", "{\"args\":[\"/bin/true\"],\"user\":{\"uid\":-1}}"}) {
            Path process = Files.writeString(bundle.resolve("process.json"), bad);
            var r = runsc("exec", "--process", process.toString(), "c");
            assertThat(r.status()).as(bad).isNotZero();
            assertThat(lastLoggedError()).as(bad).contains("--process");
            assertThat(process).doesNotExist();
        }
    }

    @Test
    void bootRefusesAContainerThatIsNotBeingCreated() throws Exception {
        var r = runsc("boot", "--bundle", bundle.toString(), "ghost");
        assertThat(r.status()).isNotZero();
        assertThat(lastLoggedError()).contains("not being created");
        assertThat(root.resolve("ghost")).doesNotExist();
    }

    @Test
    void updateAndEventsNeedTheContainersCgroupAndSaySoOtherwise() throws Exception {
        record("plain", ContainerStatus.RUNNING, HostProcess.of(ProcessHandle.current().pid()).orElseThrow());
        Path resources = Files.writeString(bundle.resolve("resources.json"), "{\"pids\":{\"limit\":10}}");
        assertThat(runsc("update", "--resources", resources.toString(), "plain").status()).isNotZero();
        assertThat(lastLoggedError()).contains("has no cgroup");
        assertThat(runsc("events", "--stats", "plain").status()).isNotZero();
        assertThat(lastLoggedError()).contains("has no cgroup");
        assertThat(runsc("update", "plain").status()).isNotZero();
        assertThat(lastLoggedError()).contains("--resources");
        assertThat(runsc("events", "--interval", "soon", "plain").status()).isNotZero();
        assertThat(lastLoggedError()).contains("invalid --interval");

        record("over", ContainerStatus.RUNNING, deadProcess());
        assertThat(runsc("update", "--resources", resources.toString(), "over").status()).isNotZero();
        assertThat(lastLoggedError()).isEqualTo("container not running");
    }

    @Test
    void pauseAndResumeOnlyApplyToARunningOrPausedContainer() throws Exception {
        record("idle", ContainerStatus.CREATED, HostProcess.of(ProcessHandle.current().pid()).orElseThrow());
        assertThat(runsc("pause", "idle").status()).isNotZero();
        assertThat(lastLoggedError()).contains("it is created, not running");
        assertThat(runsc("resume", "idle").status()).isNotZero();
        assertThat(lastLoggedError()).contains("it is created, not paused");
        assertThat(runsc("pause", "ghost").status()).isNotZero();
        assertThat(lastLoggedError()).contains("does not exist");
    }
}
