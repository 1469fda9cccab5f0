/**
 * The runsc subcommands, one class each, all registered in {@link dev.jvisor.runsc.cmd.Subcommands}.
 * A command reads its inputs from its {@link dev.jvisor.runsc.cli.Invocation} and fails only by
 * throwing a {@link dev.jvisor.runsc.cli.RunscException}.
 */
package dev.jvisor.runsc.cmd;
