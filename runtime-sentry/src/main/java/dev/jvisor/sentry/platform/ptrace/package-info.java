/**
 * The ptrace platform: each application address space lives in a stub process that the Sentry
 * traces with PTRACE_SYSEMU, so the host kernel skips every system call the application makes
 * and the Sentry serves it. The stub is a tiny static ELF built in memory ({@link
 * dev.jvisor.sentry.platform.ptrace.StubImage}); it runs under a seccomp filter that kills it
 * for any syscall not made at its own injection site, as a second wall. A {@link
 * dev.jvisor.sentry.platform.ptrace.StubPool} per kernel keeps stubs spawned ahead of the tasks
 * that will take them, each on the thread that traces it.
 */
package dev.jvisor.sentry.platform.ptrace;
