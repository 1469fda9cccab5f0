/**
 * Start-up phase marks: where a sandbox's first instruction waits. Each runtime process (the
 * runsc CLI, the boot process, the Gofer) appends a timestamped line per phase to one shared
 * file when {@code -Djvisor.startup.trace=FILE} is set, so that bench/lifecycle can line up a
 * whole {@code create}/{@code start} round trip across processes. Off, a mark costs a field read.
 */
package dev.jvisor.startup;
