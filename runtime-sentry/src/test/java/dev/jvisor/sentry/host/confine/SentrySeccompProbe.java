package dev.jvisor.sentry.host.confine;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jvisor.abi.linux.Sysno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A child JVM for {@link SentrySeccompTest}: installs the Sentry's filter exactly as boot does,
 * then, as a Sentry an attacker took over would, calls what the filter forbids from the thread
 * that installed it and from a thread that was running before, and spawns a process as the
 * Sentry spawns stubs and Gofers. Prints {@code key=value} lines; with {@code kexec} it ends by
 * calling kexec_load, which must kill it.
 */
public final class SentrySeccompProbe {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final long CLONE_NEWUTS = 0x04000000;

    /** The call's result, or minus its errno. */
    static long syscall(long nr, long a0, long a1, long a2, long a3, long a4) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            long r = (long) SYSCALL.invokeExact(state, nr, a0, a1, a2, a3, a4);
            return r == -1 ? -(int) STATE.varHandle(MemoryLayout.PathElement.groupElement("errno")).get(state, 0L) : r;
        }
    }

    /** mount(NULL, a path that does not exist, "tmpfs"): ENOENT unfiltered, so nothing is mounted either way. */
    static long mountNowhere() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment target = arena.allocateFrom("/nonexistent-jvisor-seccomp-probe");
            MemorySegment type = arena.allocateFrom("tmpfs");
            return syscall(Sysno.MOUNT, 0, target.address(), type.address(), 0, 0);
        }
    }

    public static void main(String[] args) throws Throwable {
        var results = new TreeMap<String, String>();
        CountDownLatch installed = new CountDownLatch(1);
        AtomicLong olderThreadUnshare = new AtomicLong(Long.MIN_VALUE);
        Thread older = Thread.ofPlatform().start(() -> {
            try {
                installed.await();
                olderThreadUnshare.set(syscall(Sysno.UNSHARE, CLONE_NEWUTS, 0, 0, 0, 0));
            } catch (Throwable t) {
                throw new RuntimeException(t);
            }
        });
        results.put("mount.before", Long.toString(mountNowhere()));
        SentrySeccomp.install();
        installed.countDown();
        older.join();
        results.put("unshare.main", Long.toString(syscall(Sysno.UNSHARE, CLONE_NEWUTS, 0, 0, 0, 0)));
        results.put("unshare.olderThread", Long.toString(olderThreadUnshare.get()));
        results.put("setns.main", Long.toString(syscall(Sysno.SETNS, 0, 0, 0, 0, 0)));
        results.put("mount.after", Long.toString(mountNowhere()));
        results.put("bpf.main", Long.toString(syscall(Sysno.BPF, 0, 0, 0, 0, 0)));
        results.put("getpid.main", Long.toString(syscall(Sysno.GETPID, 0, 0, 0, 0, 0)));
        // A thread started after the filter, and a process spawned after it.
        AtomicLong newerThreadMount = new AtomicLong();
        Thread newer = Thread.ofPlatform().start(() -> {
            try {
                newerThreadMount.set(mountNowhere());
            } catch (Throwable t) {
                throw new RuntimeException(t);
            }
        });
        newer.join();
        results.put("mount.newerThread", Long.toString(newerThreadMount.get()));
        Process child = new ProcessBuilder("/bin/sh", "-c", "grep '^Seccomp:' /proc/self/status").redirectErrorStream(true).start();
        results.put("child.status", new String(child.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip()
                .replaceAll("\\s+", " ") + " exit " + child.waitFor());
        results.put("threads.filtered", threadsIn("2") + "/" + threadsIn(null));
        results.forEach((k, v) -> System.out.println(k + "=" + v));
        System.out.flush();
        if (args.length > 0 && args[0].equals("kexec")) {
            syscall(Sysno.KEXEC_LOAD, 0, 0, 0, 0, 0);
            System.out.println("survived kexec_load");
        }
    }

    /** How many of this process's threads show {@code Seccomp: mode} (all of them for null). */
    private static long threadsIn(String mode) throws IOException {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(t -> {
                if (mode == null) return true;
                try {
                    return Files.readAllLines(t.resolve("status")).contains("Seccomp:\t" + mode);
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }
}
