/**
 * The OCI lifecycle behind {@code create}, {@code start} and {@code boot}: turning a bundle's
 * config.json into what the Sentry runs ({@link dev.jvisor.runsc.lifecycle.BundleSandbox}),
 * starting the detached boot process whose pid the containerd shim waits on
 * ({@link dev.jvisor.runsc.lifecycle.BootLauncher}; {@code start} reaches it over the sandbox's
 * control channel, {@link dev.jvisor.runsc.control.StartGate}), the exit status it leaves behind
 * ({@link dev.jvisor.runsc.lifecycle.ExitStatusFile}) and host signal names
 * ({@link dev.jvisor.runsc.lifecycle.SignalNames}).
 *
 * <p>Why a separate boot process: the shim learns that a container ended only from the exit of
 * the pid that create wrote, so that pid must outlive create, descend from it and exit with the
 * container's status. The boot process is that pid; it runs the Sentry in its own JVM.
 */
package dev.jvisor.runsc.lifecycle;
