package dev.jvisor.sentry.platform.ptrace;

import dev.jvisor.sentry.mm.AddressSpace;
import dev.jvisor.sentry.mm.HostFile;
import dev.jvisor.sentry.mm.MemoryFile;
import dev.jvisor.sentry.mm.Vma;
import dev.jvisor.sentry.platform.FpState;
import dev.jvisor.sentry.platform.Registers;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A task's execution context on the ptrace platform: its stub and the host mappings the stub
 * holds. Before application code runs, the stub's mappings are brought in line with the task's
 * {@link AddressSpace} — only the difference is injected — so any number of tasks may share an
 * address space (vfork, threads), each through its own stub.
 */
public final class PtraceContext implements AutoCloseable {
    private static final int SYS_CLOSE = 3, SYS_MMAP = 9, SYS_MPROTECT = 10, SYS_MUNMAP = 11;
    private static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10;

    private final Stub stub;
    private AddressSpace as;
    private long syncedGeneration = -1;
    /** What the stub maps now: VMAs in address order, disjoint. */
    private List<Vma> mapped = List.of();

    private PtraceContext(Stub stub, AddressSpace as) {
        this.stub = stub;
        this.as = as;
    }

    /**
     * A stub traced by the calling thread, for {@code as}: the thread's ready one when it is a
     * {@link StubPool} carrier, else a freshly spawned one.
     */
    public static PtraceContext create(AddressSpace as) {
        Stub ready = StubPool.takeReady();
        return new PtraceContext(ready != null ? ready : Stub.spawn(MemoryFile.get().fd()), as);
    }

    /**
     * A stub and its tracer hand control back and forth on every syscall; on one CPU that is a
     * plain context switch, across CPUs a wake-up of another CPU (measured here: getpid 6-8 us
     * pinned together against 13-15 us apart; gVisor's ptrace platform 23 us). So each task's
     * pair is pinned to one CPU. Which one is decided when the task starts running application
     * code and again each time it wakes from a sleep in the Sentry: the CPU with the fewest tasks
     * running there now (tasks asleep do not count), its own on a tie. A fixed round-robin choice
     * put the two busy ends of a pipeline on one CPU while the other idled, half the time.
     * On a host whose CPUs are all busy the pair cannot move away from a loaded CPU;
     * {@code -Djvisor.pin=false} turns pinning off.
     */
    private static volatile boolean pin = !"false".equals(System.getProperty("jvisor.pin", "true"));
    /** The CPUs the Sentry may run on (its cpuset), from /proc/self/status. */
    private static final int[] CPUS = allowedCpus();
    /** Tasks running application code (not asleep in the Sentry) per entry of {@link #CPUS}. */
    private static final java.util.concurrent.atomic.AtomicIntegerArray RUNNING =
            new java.util.concurrent.atomic.AtomicIntegerArray(CPUS.length);
    /** The index in {@link #CPUS} this pair is pinned to, -1 before its first run. */
    private int cpu = -1;
    /** Whether this task counts in {@link #RUNNING}. */
    private boolean running;

    /** The CPU this task's pair is pinned to, -1 if none (for tests). */
    int pinnedCpu() { return cpu < 0 ? -1 : CPUS[cpu]; }

    /** Counts this task as running again, moving its pair to the least busy CPU if its own is busier. */
    void place() {
        running = true;
        int best = cpu >= 0 ? cpu : 0;
        for (int i = 0; i < RUNNING.length(); i++) {
            if (RUNNING.get(i) < RUNNING.get(best)) best = i;
        }
        if (best != cpu) {
            try {
                dev.jvisor.sentry.host.Host.pinToCpu(0, CPUS[best]);
                dev.jvisor.sentry.host.Host.pinToCpu(stub.pid(), CPUS[best]);
                cpu = best;
            } catch (dev.jvisor.sentry.host.HostException e) {
                // The cpuset changed under the sandbox: stop pinning, let the host place tasks.
                pin = false;
                running = false;
                return;
            }
        }
        RUNNING.incrementAndGet(cpu);
    }

    /** The CPU numbers of {@code Cpus_allowed_list} ("0-3,8"); 0..n-1 if it cannot be read. */
    static int[] allowedCpus() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) return parseCpuList(line.substring(line.indexOf(':') + 1).trim());
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return java.util.stream.IntStream.range(0, Runtime.getRuntime().availableProcessors()).toArray();
    }

    static int[] parseCpuList(String list) {
        java.util.List<Integer> cpus = new ArrayList<>();
        for (String part : list.split(",")) {
            int dash = part.indexOf('-');
            int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).trim());
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
            for (int c = from; c <= to && cpus.size() < 4096; c++) cpus.add(c);
        }
        if (cpus.isEmpty()) throw new IllegalArgumentException("no CPU in '" + list + "'");
        return cpus.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The task is about to sleep in the Sentry (a blocking syscall): it no longer occupies its
     * CPU. Called on the task's own thread.
     */
    public void sleeping() {
        if (running) {
            running = false;
            RUNNING.decrementAndGet(cpu);
        }
    }

    /** A fresh, empty address space laid out for this platform. */
    public static AddressSpace newAddressSpace() {
        return new AddressSpace(Layout.TOP, Layout.STUB_START, Layout.STUB_END);
    }

    public Stub stub() { return stub; }

    public AddressSpace addressSpace() { return as; }

    /** Switches to another address space (execve); the next run replaces the stub's mappings. */
    public void switchTo(AddressSpace next) {
        as.forget(this);
        this.as = Objects.requireNonNull(next);
        this.syncedGeneration = -1;
    }

    /** Runs application code with {@code regs} until it traps; see {@link Stub#resume}. */
    public Stub.StopKind run(Registers regs) {
        // The address space frees memory other threads unmapped only once no running stub can
        // still map it: this stub announces the generation it runs with, re-syncing if it moved.
        do {
            sync();
        } while (!as.enter(this, syncedGeneration));
        if (pin && !running) place();
        try {
            return stub.resume(regs);
        } finally {
            as.leave(this);
        }
    }

    /**
     * Brings the stub's host mappings up to date; returns true if anything changed. Memory-file
     * pages are mapped from the stub's descriptor of it; a host file a VMA maps directly is given
     * to the stub for the mapping and closed there right after (the mapping keeps the file).
     *
     * <p>Each injected call is a round trip to the stub, so a mapping that still maps the right
     * pages from its start is adjusted rather than replaced: one that shrank (munmap, mremap, a
     * split) loses its tail with one munmap, one whose protection changed gets one mprotect.
     * Unmaps come first, then protection changes, then new mappings, so a new mapping never lands
     * where a stale one is still to go.
     */
    public boolean sync() {
        long gen = as.generation();
        if (gen == syncedGeneration) return false;
        // Both lists are in address order: one merge pass, no lookups (a process with hundreds
        // of mappings syncs after every mmap, munmap and mprotect).
        List<Vma> want = as.vmas();
        List<long[]> unmaps = new ArrayList<>(), protects = new ArrayList<>();
        List<Vma> still = new ArrayList<>(want.size());
        int j = 0;
        for (Vma have : mapped) {
            while (j < want.size() && want.get(j).start() < have.start()) j++;
            Vma w = j < want.size() && want.get(j).start() == have.start() ? want.get(j) : null;
            if (w != null && sameMapping(have, w)) {
                still.add(w);
                continue;
            }
            if (w == null || !samePages(have, w) || w.end() > have.end()) {
                unmaps.add(new long[] {have.start(), have.length()});
                continue;
            }
            if (w.end() < have.end()) unmaps.add(new long[] {w.end(), have.end() - w.end()});
            if (w.hostProt() != have.hostProt()) protects.add(new long[] {w.start(), w.length(), w.hostProt()});
            still.add(w);
        }
        mapped = still; // from here on, what the stub maps at least
        for (long[] u : unmaps) check(stub.inject(SYS_MUNMAP, u[0], u[1]), "munmap");
        for (long[] p : protects) check(stub.inject(SYS_MPROTECT, p[0], p[1], p[2]), "mprotect");
        List<Vma> toMap = new ArrayList<>();
        Map<HostFile, Integer> stubFds = null;
        int k = 0;
        for (Vma w : want) {
            if (k < still.size() && still.get(k) == w) {
                k++;
                continue;
            }
            toMap.add(w);
            if (w.hostFile() != null) {
                if (stubFds == null) stubFds = new IdentityHashMap<>();
                stubFds.put(w.hostFile(), -1);
            }
        }
        if (stubFds != null) {
            try {
                installHostFiles(stubFds);
            } catch (dev.jvisor.sentry.host.HostException e) {
                // Another thread unmapped a file since the snapshot and its descriptor is gone:
                // the address space moved on; the caller syncs again before running anything.
                syncedGeneration = -1;
                return true;
            }
        }
        int done = 0;
        try {
            for (Vma w : toMap) {
                HostFile f = w.hostFile();
                if (f == null) {
                    check(stub.inject(SYS_MMAP, w.start(), w.length(), w.hostProt(), MAP_SHARED | MAP_FIXED,
                            Layout.MEMORY_FD, w.fileOffset()), "mmap");
                } else {
                    check(stub.inject(SYS_MMAP, w.start(), w.length(), w.hostProt(), MAP_PRIVATE | MAP_FIXED,
                            stubFds.get(f), w.fileOffset()), "mmap of a host file");
                }
                done++;
            }
        } finally {
            if (done == toMap.size()) {
                mapped = want;
            } else {
                List<Vma> partly = new ArrayList<>(still);
                partly.addAll(toMap.subList(0, done));
                partly.sort(java.util.Comparator.comparingLong(Vma::start));
                mapped = partly;
            }
        }
        if (stubFds != null) {
            for (int fd : stubFds.values()) check(stub.inject(SYS_CLOSE, fd), "close");
        }
        syncedGeneration = gen;
        return true;
    }

    /** Gives the stub a descriptor of each host file in {@code fds}' keys, recording its number there. */
    private void installHostFiles(Map<HostFile, Integer> fds) {
        List<HostFile> files = new ArrayList<>(fds.keySet());
        int[] host = new int[files.size()];
        for (int i = 0; i < host.length; i++) host[i] = files.get(i).fd();
        int[] inStub = stub.installFds(host);
        for (int i = 0; i < host.length; i++) fds.put(files.get(i), inStub[i]);
    }

    /** Whether {@code b} maps, from the same start, the very pages {@code a} maps there (memory file or host file). */
    private static boolean samePages(Vma a, Vma b) {
        return a.start() == b.start() && a.fileOffset() == b.fileOffset() && a.hostFile() == b.hostFile();
    }

    /** Whether {@code b} is exactly the host mapping {@code a}: the same pages, extent and protection. */
    private static boolean sameMapping(Vma a, Vma b) {
        return samePages(a, b) && a.end() == b.end() && a.hostProt() == b.hostProt();
    }

    private void check(long result, String what) {
        if (result < 0 && result > -4096) {
            throw new IllegalStateException("stub " + stub.pid() + ": injected " + what + " failed with errno " + (-result));
        }
    }

    public void getFpState(FpState fp) { stub.getFpRegs(fp); }

    public void setFpState(FpState fp) { stub.setFpRegs(fp); }

    @Override
    public void close() {
        sleeping();
        as.forget(this);
        stub.kill();
    }
}
