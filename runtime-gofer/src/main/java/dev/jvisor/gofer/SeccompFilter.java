package dev.jvisor.gofer;

import dev.jvisor.seccomp.SeccompAssembler;
import dev.jvisor.seccomp.SeccompRules;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * The Gofer's filter as an allow list: kill the listed dangerous calls, fail some with a chosen
 * errno, allow the listed needed ones (some only with a flag in their first argument), and fail
 * everything else with a default errno. {@link SeccompAssembler} makes the program.
 */
final class SeccompFilter {
    private SeccompFilter() {}

    /**
     * What the filter does with each system call number.
     *
     * @param allowed       allowed unconditionally
     * @param killed        kill the whole process
     * @param errnos        fail with the given errno instead of running (e.g. ENOSYS to make the
     *                      C library fall back to an older call the filter can inspect)
     * @param allowedIfArg0 allowed only when the first argument has one of the given bits set
     * @param deniedErrno   what every other call fails with
     */
    record Rules(SortedSet<Integer> allowed, SortedSet<Integer> killed, SortedMap<Integer, Integer> errnos,
                 SortedMap<Integer, Integer> allowedIfArg0, int deniedErrno) {}

    static List<SeccompAssembler.Instruction> program(Rules rules) {
        int denied = SeccompRules.fail(rules.deniedErrno());
        SortedMap<Integer, SeccompRules.Arg0Test> byArg0 = new TreeMap<>();
        rules.allowedIfArg0().forEach((nr, bits) ->
                byArg0.put(nr, new SeccompRules.Arg0Test(Integer.toUnsignedLong(bits), SeccompRules.ALLOW, denied)));
        return SeccompAssembler.assemble(
                new SeccompRules(rules.killed(), rules.errnos(), rules.allowed(), byArg0, denied));
    }

    /** The program as the kernel reads it (GoferMain installs this). */
    static byte[] encode(List<SeccompAssembler.Instruction> program) {
        return SeccompAssembler.encode(program);
    }
}
