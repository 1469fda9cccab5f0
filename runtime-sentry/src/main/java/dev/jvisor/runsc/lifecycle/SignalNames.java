package dev.jvisor.runsc.lifecycle;

import dev.jvisor.runsc.cli.UsageException;
import java.util.Locale;
import java.util.Map;

/**
 * Signals as {@code kill} takes them: a number (what the containerd shim sends) or a name with
 * or without {@code SIG}, as runc accepts. Numbers are x86-64 Linux's
 * (arch/x86/include/uapi/asm/signal.h).
 */
public final class SignalNames {
    /** SIGRTMAX on Linux (glibc reserves the lowest real-time signals, the kernel allows up to 64). */
    static final int SIGRTMAX = 64;

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7),
            Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
            Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
            Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
            Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
            Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30),
            Map.entry("SYS", 31));

    /** SIGKILL, which {@code kill --all} also sends to every process of the container. */
    public static final int SIGKILL = 9;
    /** SIGTERM, runc's default for kill without a signal. */
    public static final int SIGTERM = 15;

    private SignalNames() {}

    /** The signal number for {@code text}: 1..64, a name such as {@code TERM} or {@code SIGTERM}. */
    public static int parse(String text) throws UsageException {
        // ASCII digits only: Integer.parseInt would also take other scripts' digits.
        if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n;
            try {
                n = Integer.parseInt(text);
            } catch (NumberFormatException tooLong) {
                n = -1;
            }
            if (n < 1 || n > SIGRTMAX) throw new UsageException("invalid signal " + shorten(text) + ": not between 1 and " + SIGRTMAX);
            return n;
        }
        String name = text.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) name = name.substring(3);
        Integer n = NUMBERS.get(name);
        if (n == null) throw new UsageException("invalid signal " + shorten(text));
        return n;
    }

    private static String shorten(String s) {
        return "\"" + (s.length() > 32 ? s.substring(0, 32) + "…" : s) + "\"";
    }
}
