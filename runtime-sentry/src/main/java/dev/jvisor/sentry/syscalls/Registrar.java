package dev.jvisor.sentry.syscalls;

import dev.jvisor.sentry.syscalls.SyscallInfo.Support;

/** How a syscall family adds its handlers to the table. */
interface Registrar {
    /**
     * @param argFormat one letter per argument for --strace: d decimal, x hex, o octal, s C string,
     *                  p pointer, f fd, b the buffer of the next argument's length
     */
    void add(int nr, String argFormat, Support support, String note, Handler h);

    default void full(int nr, String argFormat, Handler h) {
        add(nr, argFormat, Support.FULL, "", h);
    }

    default void partial(int nr, String argFormat, String note, Handler h) {
        add(nr, argFormat, Support.PARTIAL, note, h);
    }
}
