/**
 * What the Sentry tells the outside about a sandbox while it runs: the {@link
 * dev.jvisor.sentry.monitor.EventSink} that syscall handlers report refusals to, and {@link
 * dev.jvisor.sentry.monitor.SyscallDenials}, the kernel's sink, which only counts. Reporting
 * costs a refused call one atomic increment and never blocks; whoever forwards the counts (runsc's
 * event stream to the node agent) drains them from its own thread, so a program that makes
 * millions of refused calls produces a handful of aggregated reports, not millions of messages.
 */
package dev.jvisor.sentry.monitor;
