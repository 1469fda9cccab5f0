/** Files backed by a host fd that the sandbox was given on purpose: its stdin, stdout and stderr (or terminal). */
package dev.jvisor.sentry.fs.host;
