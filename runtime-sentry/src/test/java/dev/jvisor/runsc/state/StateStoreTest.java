package dev.jvisor.runsc.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.oci.ContainerStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateStoreTest {
    @TempDir Path root;

    static ContainerRecord record(String id, ContainerStatus status, HostProcess init) {
        return new ContainerRecord(id, "/bundles/" + id, status, init, Instant.parse("2026-11-29T01:02:03Z"), "root",
                Map.of("io.kubernetes.cri.container-type", "sandbox"));
    }

    @Test
    void createSaveLoadRemove() throws Exception {
        StateStore store = new StateStore(root.resolve("state"));
        HostProcess self = HostProcess.of(ProcessHandle.current().pid()).orElseThrow();
        try (ContainerLock lock = store.create(record("c1", ContainerStatus.CREATED, self))) {
            assertThat(store.load("c1")).isEqualTo(record("c1", ContainerStatus.CREATED, self));
            store.save(lock, store.load("c1").withStatus(ContainerStatus.RUNNING));
        }
        assertThat(store.load("c1").status()).isEqualTo(ContainerStatus.RUNNING);
        assertThat(store.load("c1").currentStatus()).isEqualTo(ContainerStatus.RUNNING);
        assertThat(store.ids()).containsExactly("c1");
        try (ContainerLock lock = store.lock("c1")) {
            store.remove(lock);
        }
        assertThat(store.ids()).isEmpty();
        assertThat(root.resolve("state/c1")).doesNotExist();
        assertThatThrownBy(() -> store.load("c1")).isInstanceOf(ContainerNotFoundException.class)
                .hasMessage("container \"c1\" does not exist");
        assertThatThrownBy(() -> store.lock("c1")).isInstanceOf(ContainerNotFoundException.class);
    }

    @Test
    void aSecondCreateOfTheSameIdFails() throws Exception {
        StateStore store = new StateStore(root);
        store.create(record("dup", ContainerStatus.CREATING, null)).close();
        assertThatThrownBy(() -> store.create(record("dup", ContainerStatus.CREATING, null)))
                .isInstanceOf(ContainerExistsException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../escape", "a/b", "/abs", "a\u0000b", "sp ace", "new\nline", "ünï"})
    void idsThatCouldEscapeTheRootAreRejected(String id) {
        StateStore store = new StateStore(root);
        assertThatThrownBy(() -> store.load(id)).isInstanceOf(InvalidContainerIdException.class);
        assertThatThrownBy(() -> store.lock(id)).isInstanceOf(InvalidContainerIdException.class);
        assertThatThrownBy(() -> store.create(record(id, ContainerStatus.CREATING, null)))
                .isInstanceOf(InvalidContainerIdException.class);
    }

    @Test
    void overlongIdsAreRejected() {
        assertThatThrownBy(() -> ContainerId.validate("a".repeat(201))).isInstanceOf(InvalidContainerIdException.class);
        assertThat(assertDoesNotThrow("a".repeat(64))).isTrue();
    }

    private static boolean assertDoesNotThrow(String id) {
        try {
            ContainerId.validate(id);
            return true;
        } catch (InvalidContainerIdException e) {
            return false;
        }
    }

    @Test
    void symlinksPlantedInTheStateDirectoryAreNotFollowed(@TempDir Path elsewhere) throws Exception {
        StateStore store = new StateStore(root);
        // A container directory that is a symlink to somewhere else is not a container.
        Path victim = Files.createDirectories(elsewhere.resolve("victim"));
        Files.writeString(victim.resolve("state.json"), "{}");
        Files.writeString(victim.resolve("lock"), "");
        Files.createSymbolicLink(root.resolve("evil"), victim);
        assertThatThrownBy(() -> store.lock("evil")).isInstanceOf(ContainerNotFoundException.class);
        assertThat(store.ids()).doesNotContain("evil");

        // A state.json replaced by a symlink is refused, not read through.
        store.create(record("c2", ContainerStatus.STOPPED, null)).close();
        Path state = root.resolve("c2/state.json");
        Files.delete(state);
        Files.createSymbolicLink(state, Path.of("/etc/hostname"));
        assertThatThrownBy(() -> store.load("c2")).isInstanceOf(StateException.class);

        // Removing a container deletes links inside it, never what they point to.
        Path precious = Files.writeString(elsewhere.resolve("precious"), "keep");
        Files.createSymbolicLink(root.resolve("c2/link"), precious);
        Files.createDirectories(root.resolve("c2/sub"));
        Files.createSymbolicLink(root.resolve("c2/sub/dirlink"), elsewhere);
        try (ContainerLock lock = store.lock("c2")) {
            store.remove(lock);
        }
        assertThat(precious).hasContent("keep");
        assertThat(victim.resolve("state.json")).exists();
        assertThat(root.resolve("c2")).doesNotExist();
    }

    @Test
    void corruptStateIsATypedError() throws Exception {
        StateStore store = new StateStore(root);
        store.create(record("bad", ContainerStatus.STOPPED, null)).close();
        Path state = root.resolve("bad/state.json");
        for (String junk : new String[] {"", "{", "[]", "{\"id\":\"bad\"}", "{\"id\":\"other\",\"bundle\":\"/b\",\"status\":\"stopped\",\"created\":\"2026-01-01T00:00:00Z\",\"owner\":\"\"}",
                "{\"id\":\"bad\",\"bundle\":\"/b\",\"status\":\"exploded\",\"created\":\"2026-01-01T00:00:00Z\",\"owner\":\"\"}",
                "{\"id\":\"bad\",\"bundle\":\"/b\",\"status\":\"stopped\",\"created\":\"yesterday\",\"owner\":\"\"}"}) {
            Files.writeString(state, junk);
            assertThatThrownBy(() -> store.load("bad")).as(junk).isInstanceOf(StateException.class)
                    .hasMessageContaining("state of container bad");
        }
        Files.write(state, new byte[StateStore.MAX_STATE_BYTES + 10]);
        assertThatThrownBy(() -> store.load("bad")).hasMessageContaining("too large");
        // A FIFO in place of the state file must not block the reader.
        Files.delete(state);
        assertThat(new ProcessBuilder("mkfifo", state.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> store.load("bad")).hasMessageContaining("not a regular file");
    }

    @Test
    void saveIsAtomicAndLeavesNoTemporaryFile() throws Exception {
        StateStore store = new StateStore(root);
        try (ContainerLock lock = store.create(record("a", ContainerStatus.CREATING, null))) {
            for (ContainerStatus s : ContainerStatus.values()) store.save(lock, record("a", s, null));
        }
        try (var files = Files.list(root.resolve("a"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("state.json", "lock");
        }
    }

    @Test
    void theLockExcludesASecondHolderUntilReleased() throws Exception {
        StateStore store = new StateStore(root);
        ContainerLock first = store.create(record("busy", ContainerStatus.STOPPED, null));
        CountDownLatch acquired = new CountDownLatch(1);
        AtomicBoolean sawGone = new AtomicBoolean();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try (ContainerLock second = store.lock("busy")) {
                acquired.countDown();
            } catch (ContainerNotFoundException e) {
                sawGone.set(true);
                acquired.countDown();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        // Java file locks are per process, so the in-process waiter is held off by the
        // JVM's overlapping-lock check; it retries only after release.
        assertThat(acquired.await(300, TimeUnit.MILLISECONDS)).isFalse();
        store.remove(first);
        first.close();
        waiter.join(5_000);
        assertThat(acquired.getCount()).isZero();
        assertThat(sawGone).as("the waiter finds the container deleted by the holder before it").isTrue();
    }

    @Test
    void aDeadInitMeansStopped() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        HostProcess init = HostProcess.of(p.pid()).orElseThrow();
        assertThat(init.isAlive()).isTrue();
        p.destroyForcibly().waitFor(); // killed and reaped
        assertThat(init.isAlive()).isFalse();
        assertThat(record("x", ContainerStatus.RUNNING, init).currentStatus()).isEqualTo(ContainerStatus.STOPPED);
        assertThat(record("x", ContainerStatus.RUNNING, init).toOciState("1.1.0").pid()).isZero();
        // A reused pid with another start time is not our process.
        HostProcess self = HostProcess.of(ProcessHandle.current().pid()).orElseThrow();
        assertThat(new HostProcess(self.pid(), self.startTime() + 1).isAlive()).isFalse();
    }

    @Test
    void startTimeParsingSurvivesHostileCommandNames() throws Exception {
        Path weird = root.resolve("a) b (c");
        Files.copy(Path.of("/bin/sleep"), weird);
        weird.toFile().setExecutable(true);
        Process p = new ProcessBuilder(weird.toString(), "5").start();
        try {
            assertThat(HostProcess.startTime(p.pid())).isPresent();
            assertThat(HostProcess.of(p.pid()).orElseThrow().isAlive()).isTrue();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
