/** Pipes and FIFOs: a bounded byte buffer between reader and writer ends, with Linux's atomicity and EOF/EPIPE rules. */
package dev.jvisor.sentry.fs.pipe;
