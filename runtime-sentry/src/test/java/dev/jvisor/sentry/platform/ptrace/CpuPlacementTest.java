package dev.jvisor.sentry.platform.ptrace;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Each task's tracer and stub share a CPU, and running tasks spread over the CPUs. */
class CpuPlacementTest {
    @Test
    void readsCpuLists() {
        assertThat(PtraceContext.parseCpuList("0-1")).containsExactly(0, 1);
        assertThat(PtraceContext.parseCpuList("2,4-6,9")).containsExactly(2, 4, 5, 6, 9);
        assertThat(PtraceContext.parseCpuList("3")).containsExactly(3);
        assertThatThrownBy(() -> PtraceContext.parseCpuList("")).isInstanceOf(RuntimeException.class);
        assertThat(PtraceContext.allowedCpus()).isNotEmpty();
    }

    @Test
    void twoRunningTasksGetTwoCpusAndATaskThatSleptComesBackToItsOwn() throws Exception {
        assumeTrue(PtraceContext.allowedCpus().length >= 2, "needs two CPUs");
        CyclicBarrier bothPlaced = new CyclicBarrier(2), bothChecked = new CyclicBarrier(2);
        // Each on a thread of its own: a stub belongs to the thread that traces it, and placing
        // pins that thread, which must not be the test runner's.
        CompletableFuture<int[]> a = CompletableFuture.supplyAsync(() -> placeAndSleep(bothPlaced, bothChecked), r -> Thread.ofPlatform().start(r));
        CompletableFuture<int[]> b = CompletableFuture.supplyAsync(() -> placeAndSleep(bothPlaced, bothChecked), r -> Thread.ofPlatform().start(r));
        int[] ra = a.get(), rb = b.get();
        assertThat(ra[0]).as("first placement of A").isNotEqualTo(rb[0]);
        assertThat(ra[1]).as("A's stub runs where A's tracer does").isEqualTo(ra[0]);
        assertThat(rb[1]).isEqualTo(rb[0]);
        assertThat(ra[2]).as("A placed again once both slept").isEqualTo(ra[0]);
        assertThat(rb[2]).isEqualTo(rb[0]);
    }

    /** Places a new task; returns its CPU, its stub's only allowed CPU, and its CPU after sleeping and placing again. */
    private static int[] placeAndSleep(CyclicBarrier placed, CyclicBarrier checked) {
        try (PtraceContext ctx = PtraceContext.create(PtraceContext.newAddressSpace())) {
            synchronized (CpuPlacementTest.class) {
                ctx.place(); // one at a time, as the counts would otherwise race in the test's favour or not
            }
            int first = ctx.pinnedCpu();
            int[] stubCpus = PtraceContext.parseCpuList(allowedList(ctx.stub().pid()));
            placed.await();
            checked.await();
            ctx.sleeping();
            placed.await();
            ctx.place();
            int again = ctx.pinnedCpu();
            return new int[] {first, stubCpus.length == 1 ? stubCpus[0] : -1, again};
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String allowedList(int pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) return line.substring(line.indexOf(':') + 1).trim();
        }
        throw new IllegalStateException("no Cpus_allowed_list");
    }
}
