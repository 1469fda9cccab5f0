/** procfs: the process and system views that libcs, shells and tools read, generated from kernel state at open. */
package dev.jvisor.sentry.fs.proc;
