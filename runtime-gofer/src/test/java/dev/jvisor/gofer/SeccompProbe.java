package dev.jvisor.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

/**
 * Child-process probe for the Gofer's seccomp policy: installs it exactly as the Gofer does, then
 * makes one system call. Exit 0 means the call behaved as the mode expects; a process killed by
 * the filter never gets to exit.
 *
 * <p>Modes: {@code killed} (ptrace: must never return), {@code denied} (socket(AF_INET): must
 * fail with EPERM), {@code allowed} (getpid and a file read: must work).
 */
public final class SeccompProbe {
    private SeccompProbe() {}

    public static void main(String[] args) throws Exception {
        // As the Gofer does: classes cannot be loaded from a directory once stat(2) is denied.
        ClassPreloader.loadAll();
        Native.noNewPrivileges();
        Native.installSeccompFilter(SeccompFilter.encode(SeccompPolicy.program()));
        switch (args[0]) {
            case "killed" -> {
                // ptrace(PTRACE_TRACEME): harmless if it ran, but the filter must kill us first.
                Native.raw(101, 0, 0, 0, 0);
                System.exit(3);
            }
            case "denied" -> {
                try {
                    // socket(AF_INET, SOCK_STREAM, 0): the Gofer has no business with networks.
                    Native.call("socket", 41, 2, 1, 0);
                    System.exit(4);
                } catch (ErrnoException e) {
                    System.exit(e.errno() == Errno.EPERM ? 0 : 5);
                }
            }
            case "allowed" -> {
                Native.call("getpid", Native.SYS_GETPID);
                HostStat st = Native.fstatat(dev.jvisor.abi.AtFlags.AT_FDCWD, "/", 0);
                System.exit(st.isDirectory() ? 0 : 6);
            }
            default -> System.exit(7);
        }
    }
}
