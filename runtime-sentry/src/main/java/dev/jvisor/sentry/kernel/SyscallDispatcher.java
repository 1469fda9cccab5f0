package dev.jvisor.sentry.kernel;

/** Serves the syscall a task stopped at: reads its registers, writes the result to rax. */
public interface SyscallDispatcher {
    void dispatch(Task t);
}
