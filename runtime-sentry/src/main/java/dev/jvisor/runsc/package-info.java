/**
 * runsc, jVisor's OCI runtime CLI: the entry point ({@link dev.jvisor.runsc.Main}), which parses
 * the global flags, resolves the sandbox configuration and runs one subcommand, and the AOT
 * cache training run the build performs ({@link dev.jvisor.runsc.AotTraining}).
 *
 * <p>runsc is what containerd's stock {@code containerd-shim-runc-v2} executes in place of runc,
 * so its command line, exit statuses and error log follow runc's contract. Subpackages:
 * {@code cli} (flags, errors, log), {@code config} (sandbox settings), {@code state} (containers
 * under --root), {@code cmd} (the subcommands).
 */
package dev.jvisor.runsc;
