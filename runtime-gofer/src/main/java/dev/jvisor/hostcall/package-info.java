/**
 * The runtime's one way into the host kernel and into libc: a system call entry that returns
 * {@code -errno} instead of setting errno, and libc functions called in the same shape. Every
 * native layer of the Sentry, the Gofer and the 9P transport calls through {@link
 * dev.jvisor.hostcall.RawSyscall}; it is the only place in the runtime that holds machine code.
 */
package dev.jvisor.hostcall;
