package dev.jvisor.seccomp;

import static dev.jvisor.abi.Seccomp.RET_ALLOW;
import static dev.jvisor.abi.Seccomp.RET_DATA;
import static dev.jvisor.abi.Seccomp.RET_ERRNO;
import static dev.jvisor.abi.Seccomp.RET_KILL_PROCESS;
import static dev.jvisor.abi.Seccomp.X32_SYSCALL_BIT;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a filter does with each x86-64 system call number. A number may have at most one rule
 * (so the order in which the program tests them cannot matter), and a call with no rule gets
 * {@code otherwise}.
 * Actions are SECCOMP_RET_* values: {@link #KILL}, {@link #ALLOW} or {@link #fail(int)}.
 *
 * @param killed    calls that kill the whole process
 * @param failing   calls that fail with the given errno instead of running (e.g. ENOSYS, so that
 *                  the C library falls back to an older call whose arguments a filter can read)
 * @param allowed   calls that run
 * @param byArg0    calls whose action depends on the bits of their first argument
 * @param otherwise the action for every call without a rule
 */
public record SeccompRules(SortedSet<Integer> killed, SortedMap<Integer, Integer> failing, SortedSet<Integer> allowed,
                           SortedMap<Integer, Arg0Test> byArg0, int otherwise) {
    /** SECCOMP_RET_KILL_PROCESS. */
    public static final int KILL = RET_KILL_PROCESS;
    /** SECCOMP_RET_ALLOW. */
    public static final int ALLOW = RET_ALLOW;
    /** MAX_ERRNO, include/linux/err.h: the largest value a system call returns as an error. */
    private static final int MAX_ERRNO = 4095;

    /**
     * A call's action by its first argument: {@code ifAnySet} when it has any bit of
     * {@code mask}, {@code ifNoneSet} otherwise. Only the low 32 bits of the argument are read,
     * so the mask must lie in them (true of clone's flags, the reason this exists).
     */
    public record Arg0Test(long mask, int ifAnySet, int ifNoneSet) {
        public Arg0Test {
            if (mask == 0 || (mask >>> 32) != 0) {
                throw new IllegalArgumentException("argument mask 0x" + Long.toHexString(mask) + " is not within 32 bits");
            }
            checkAction(ifAnySet);
            checkAction(ifNoneSet);
        }
    }

    /** Copies the collections (the rules cannot change after the check) and checks them. */
    public SeccompRules {
        killed = Collections.unmodifiableSortedSet(new TreeSet<>(killed));
        failing = Collections.unmodifiableSortedMap(new TreeMap<>(failing));
        allowed = Collections.unmodifiableSortedSet(new TreeSet<>(allowed));
        byArg0 = Collections.unmodifiableSortedMap(new TreeMap<>(byArg0));
        checkAction(otherwise);
        failing.values().forEach(SeccompRules::fail);   // refuses an errno no call can return
        Set<Integer> seen = new HashSet<>();
        for (Collection<Integer> numbers : List.of(killed, failing.keySet(), allowed, byArg0.keySet())) {
            for (int nr : numbers) {
                // The prologue kills x32 and negative numbers before any rule is read.
                if (nr < 0 || nr >= X32_SYSCALL_BIT) {
                    throw new IllegalArgumentException("system call " + nr + " is not an x86-64 call number");
                }
                if (!seen.add(nr)) throw new IllegalArgumentException("system call " + nr + " has two rules");
            }
        }
    }

    /** SECCOMP_RET_ERRNO with {@code errno}: the call fails with it and does not run. */
    public static int fail(int errno) {
        if (errno < 1 || errno > MAX_ERRNO) throw new IllegalArgumentException("errno " + errno + " is out of range");
        return RET_ERRNO | errno;
    }

    private static void checkAction(int action) {
        boolean errno = (action & ~RET_DATA) == RET_ERRNO;
        if (action != KILL && action != ALLOW && !(errno && (action & RET_DATA) >= 1 && (action & RET_DATA) <= MAX_ERRNO)) {
            throw new IllegalArgumentException("seccomp action 0x" + Integer.toHexString(action) + " is not kill, allow or an errno");
        }
    }
}
