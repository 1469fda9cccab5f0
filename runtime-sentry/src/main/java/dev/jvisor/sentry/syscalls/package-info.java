/**
 * The syscall table and its handlers. {@link dev.jvisor.sentry.syscalls.SyscallTable} maps each
 * x86-64 number to a handler, a support level and a note; one class per family implements the
 * handlers, each with the same signature. A handler returns the result or throws an
 * {@link dev.jvisor.abi.linux.Errno}'s exception; no application syscall ever reaches the host.
 */
package dev.jvisor.sentry.syscalls;
