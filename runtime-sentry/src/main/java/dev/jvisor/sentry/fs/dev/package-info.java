/** /dev: null, zero, full, random, urandom, tty and console, and the conventional links (fd, stdin, stdout, stderr). */
package dev.jvisor.sentry.fs.dev;
