/**
 * Program loading for execve(2): ELF64 executables (static, static-PIE, and dynamic through
 * their PT_INTERP interpreter, loaded from the sandbox's own filesystem), {@code #!} scripts,
 * and the initial stack with argv, envp and the auxiliary vector. Read-only segments of a file
 * held in memory are mapped onto its pages rather than copied.
 */
package dev.jvisor.sentry.loader;
