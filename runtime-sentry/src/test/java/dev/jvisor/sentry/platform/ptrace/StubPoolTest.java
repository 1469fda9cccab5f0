package dev.jvisor.sentry.platform.ptrace;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool of ready stubs: a task gets a stub its own pool spawned and nobody used, on the thread
 * that traces it; a pool never hands out a stub twice or to another pool; closing it leaves no
 * stub process behind.
 */
class StubPoolTest {

    private static void awaitReady(StubPool pool, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pool.readyCount() < n && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(pool.readyCount()).as("ready stubs").isEqualTo(n);
    }

    /** A live process (not a zombie): a stub that is gone and reaped has no /proc entry. */
    private static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static boolean gone(int pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.exists(Path.of("/proc/" + pid)) && System.nanoTime() < deadline) Thread.sleep(10);
        return !Files.exists(Path.of("/proc/" + pid));
    }

    /** Runs a body on the pool and returns the pid of the stub its context got (the context is closed after). */
    private static int runTask(StubPool pool) throws Exception {
        CompletableFuture<Integer> pid = new CompletableFuture<>();
        pool.start("task-test", () -> {
            try (PtraceContext ctx = PtraceContext.create(PtraceContext.newAddressSpace())) {
                // The stub is traced by this thread: an injected getpid answers its own pid.
                assertThat(ctx.stub().inject(39)).isEqualTo(ctx.stub().pid());
                pid.complete(ctx.stub().pid());
            } catch (Throwable e) {
                pid.completeExceptionally(e);
            }
        });
        return pid.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aTaskTakesAReadyStubOfItsOwnPool() throws Exception {
        try (StubPool a = new StubPool("a", 2); StubPool b = new StubPool("b", 2)) {
            a.start("warm-a", () -> { }); // starts the refill
            b.start("warm-b", () -> { });
            awaitReady(a, 2);
            awaitReady(b, 2);
            List<Integer> readyA = a.readyPids(), readyB = b.readyPids();
            int used = runTask(a);
            assertThat(readyA).contains(used);
            assertThat(readyB).doesNotContain(used);
            assertThat(gone(used)).as("the task's stub dies with the task").isTrue();
            awaitReady(a, 2);
            assertThat(a.readyPids()).doesNotContain(used);
            assertThat(b.readyPids()).containsExactlyInAnyOrderElementsOf(readyB);
        }
    }

    @Test
    void noStubServesTwoTasks() throws Exception {
        try (StubPool pool = new StubPool("once", 1)) {
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                int pid = runTask(pool);
                assertThat(seen.add(pid)).as("stub %d handed out again", pid).isTrue();
            }
        }
    }

    @Test
    void aStubNobodyTookIsKilledNotKept() throws Exception {
        try (StubPool pool = new StubPool("untaken", 1)) {
            pool.start("warm", () -> { });
            awaitReady(pool, 1);
            int offered = pool.readyPids().getFirst();
            CompletableFuture<Void> done = new CompletableFuture<>();
            pool.start("takes-nothing", () -> done.complete(null));
            done.get(20, TimeUnit.SECONDS);
            assertThat(gone(offered)).isTrue();
            awaitReady(pool, 1);
            assertThat(pool.readyPids()).doesNotContain(offered);
        }
    }

    @Test
    void closingKillsAndReapsEveryReadyStub() throws Exception {
        StubPool pool = new StubPool("closing", 2);
        pool.start("warm", () -> { });
        awaitReady(pool, 2);
        List<Integer> ready = new ArrayList<>(pool.readyPids());
        for (int pid : ready) assertThat(alive(pid)).isTrue();
        pool.close();
        for (int pid : ready) assertThat(gone(pid)).as("stub %d after close", pid).isTrue();
        assertThat(pool.readyCount()).isZero();
        // A closed pool still runs tasks, each with a stub of its own, and keeps none ready.
        int pid = runTask(pool);
        assertThat(gone(pid)).isTrue();
        Thread.sleep(200);
        assertThat(pool.readyCount()).isZero();
    }

    @Test
    void withoutAPoolEveryTaskSpawnsItsOwn() throws Exception {
        try (StubPool none = new StubPool("none", 0)) {
            int pid = runTask(none);
            assertThat(gone(pid)).isTrue();
            assertThat(none.readyCount()).isZero();
        }
        assertThat(StubPool.takeReady()).as("a plain thread has no ready stub").isNull();
    }
}
