/**
 * The behaviour suite: small static C programs (under {@code src/test/c}) and busybox shell
 * scripts whose observable results — stdout, stderr and exit status — must be the same on Linux
 * and inside a jVisor sandbox.
 *
 * <p>This package owns compiling those programs, building the busybox root filesystem they run
 * in, running them in each {@link dev.jvisor.behaviour.Mode} (natively, under jVisor's
 * {@code runsc do} in a child JVM, or under gVisor's as a reference), and comparing the results with the transcripts checked in under
 * {@code src/test/resources/behaviour}, which are what Linux prints. Cases that jVisor does not
 * pass yet are listed, each with a reason, in {@code behaviour/known-failures.txt}.
 *
 * <p>It also keeps the syscall microbenchmarks of {@code bench/syscalls} building and reporting,
 * so they work whenever someone measures.
 */
package dev.jvisor.behaviour;
