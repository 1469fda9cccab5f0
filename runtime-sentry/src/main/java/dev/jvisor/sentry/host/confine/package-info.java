/**
 * How a sandbox is confined on the host, beyond what the Sentry's design already keeps from
 * it: the launcher prefix that starts the boot process in host namespaces of its own (mount with
 * private propagation, pid with its own /proc, ipc, uts, and net unless the sandbox uses the
 * host's network) with a reduced capability bounding set and no_new_privs
 * ({@link dev.jvisor.sentry.host.confine.SandboxLaunch}); the Gofer's narrower capability set
 * ({@link dev.jvisor.sentry.host.confine.SandboxLaunch#goferPrefix}); the seccomp filter the
 * Sentry puts on all its threads once the sandbox is up
 * ({@link dev.jvisor.sentry.host.confine.SentrySeccomp}); and the translation of the pids the
 * Sentry sees in its pid namespace back to host pids ({@link dev.jvisor.sentry.host.confine.NamespacePids});
 * and the host's root, held as a descriptor from before the mount namespace, through which
 * Gofers get roots that the host mounted later ({@link dev.jvisor.sentry.host.confine.HostRoot}).
 *
 * <p>Namespaces are entered before the JVM starts because a JVM is multi-threaded: unshare(2)
 * of a mount or user namespace fails in such a process, and of the others affects one thread.
 */
package dev.jvisor.sentry.host.confine;
