/**
 * The command-line machinery every runsc subcommand shares: Go-style flag parsing
 * ({@link dev.jvisor.runsc.cli.FlagSet}), the {@link dev.jvisor.runsc.cli.Subcommand} contract and
 * its {@link dev.jvisor.runsc.cli.Invocation} context, typed errors
 * ({@link dev.jvisor.runsc.cli.RunscException}) and the log the containerd shim reads
 * ({@link dev.jvisor.runsc.cli.RunscLog}).
 *
 * <p>The flag syntax is Go's {@code flag} package's, because that is what runc and gVisor accept and
 * what containerd's shim sends: {@code -x}, {@code --x}, {@code --x=v}, {@code --x v}; booleans take
 * no separate value ({@code --x=false} to clear); parsing stops at {@code --} or the first argument
 * that is not a flag.
 */
package dev.jvisor.runsc.cli;
