package dev.jvisor.runsc.config;

/** {@code --platform}: how application code traps into the Sentry. */
public enum Platform {
    /** PTRACE_SYSEMU: the host kernel never executes an application syscall. */
    PTRACE
}
