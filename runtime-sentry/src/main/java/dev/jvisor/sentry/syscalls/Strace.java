package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;

import java.nio.charset.StandardCharsets;

/** --strace: each syscall with decoded arguments and its result, one line per call. */
final class Strace {
    private Strace() {}

    private static final int MAX_STRING = 64;

    static String enter(Task t, long nr, String fmt) {
        Registers r = t.regs();
        StringBuilder sb = new StringBuilder();
        sb.append(Sysno.name(nr)).append('(');
        for (int i = 0; i < fmt.length(); i++) {
            if (i > 0) sb.append(", ");
            long v = r.arg(i);
            switch (fmt.charAt(i)) {
                case 's' -> sb.append(string(t, v));
                case 'x', 'p' -> sb.append("0x").append(Long.toHexString(v));
                case 'o' -> sb.append('0').append(Long.toOctalString(v));
                case 'f' -> sb.append((int) v == -100 ? "AT_FDCWD" : Integer.toString((int) v));
                case 'b' -> sb.append(i + 1 < 6 ? buffer(t, v, r.arg(i + 1)) : "0x" + Long.toHexString(v));
                default -> sb.append(v);
            }
        }
        return sb.append(')').toString();
    }

    static void exit(Task t, String enter, long nr, long ret, String fmt, boolean noReturn) {
        String result;
        if (noReturn) result = "?";
        else if (ret < 0 && ret >= -4095) {
            Errno e = Errno.of((int) -ret);
            result = "-1 " + (e == null ? "errno " + -ret : e.name() + " (" + e.description() + ")");
        } else if (ret > 0xffff) {
            result = "0x" + Long.toHexString(ret);
        } else {
            result = Long.toString(ret);
        }
        t.kernel().log().println("[" + t.tgid() + ":" + t.tid() + "] " + t.group().comm() + " " + enter + " = " + result);
    }

    private static String string(Task t, long addr) {
        if (addr == 0) return "NULL";
        try {
            String s = t.mm().readString(addr, 4096);
            return quote(s.length() > MAX_STRING ? s.substring(0, MAX_STRING) + "\"..." : s);
        } catch (RuntimeException e) {
            return "0x" + Long.toHexString(addr);
        }
    }

    private static String buffer(Task t, long addr, long len) {
        if (addr == 0) return "NULL";
        try {
            int n = (int) Math.min(Math.max(len, 0), MAX_STRING);
            return quote(new String(t.mm().read(addr, n), StandardCharsets.ISO_8859_1)) + (len > MAX_STRING ? "..." : "");
        } catch (RuntimeException e) {
            return "0x" + Long.toHexString(addr);
        }
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 32 || c > 126) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
