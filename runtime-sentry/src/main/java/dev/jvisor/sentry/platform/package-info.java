/**
 * How application code runs and traps into the Sentry. A platform gives each task a context in
 * which its registers run until the next system call, fault or signal, and gives each address
 * space a way to have memory mapped into it. The first platform is {@code ptrace}.
 */
package dev.jvisor.sentry.platform;
