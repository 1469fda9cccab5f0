/**
 * Seccomp filter assembly shared by the Gofer (an allow list: what its file service and the JVM
 * need) and the Sentry (a deny list: what no part of it needs once the sandbox runs).
 * {@link dev.jvisor.seccomp.SeccompRules} says what happens to each x86-64 system call number;
 * {@link dev.jvisor.seccomp.SeccompAssembler} turns that into the classic BPF program and the
 * bytes the kernel reads. Installing a program (prctl and seccomp calls) stays in each module's
 * own native layer: this package is pure Java and makes no system call.
 */
package dev.jvisor.seccomp;
