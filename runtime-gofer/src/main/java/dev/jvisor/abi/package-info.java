/**
 * Linux ABI values shared by every jVisor runtime module: {@link dev.jvisor.abi.Errno}, the
 * error numbers the kernel and 9P2000.L use; {@link dev.jvisor.abi.ErrnoException}, the typed
 * failure that carries one; {@link dev.jvisor.abi.Seccomp}, the seccomp and classic-BPF values
 * that both the Gofer's and the Sentry's filters are assembled from. Pure Java, no native code,
 * so that both the Gofer and the Sentry can depend on it.
 */
package dev.jvisor.abi;
