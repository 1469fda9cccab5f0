package dev.jvisor.sentry.syscalls;

import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;

/** Serves one syscall: reads arguments from {@code r}, returns the value for rax. */
@FunctionalInterface
public interface Handler {
    long call(Task t, Registers r);
}
