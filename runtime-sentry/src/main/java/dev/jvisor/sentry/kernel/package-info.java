/**
 * Tasks and processes: the PID namespace, thread groups, credentials, signals (queues,
 * dispositions, frames and sigreturn, job control), exit and wait, fork and execve, sessions
 * and process groups, and the sleep/wake primitive every blocking syscall uses.
 */
package dev.jvisor.sentry.kernel;
