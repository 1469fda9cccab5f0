/**
 * Terminals inside the sandbox. The Sentry is the line discipline: {@link
 * dev.jvisor.sentry.fs.tty.LineDiscipline} turns keyboard bytes into what programs read (line
 * editing, echo, CR/NL mapping, VMIN/VTIME) and into signals for the foreground process group,
 * and program output into what the screen gets. A {@link dev.jvisor.sentry.fs.tty.Terminal} adds
 * the job-control state (session, foreground group, window size) and the ioctls; its far side is
 * either a host pty put in raw mode and used as a byte pipe ({@link
 * dev.jvisor.sentry.fs.tty.HostLink}), or a master that a program in the sandbox opened through
 * /dev/ptmx ({@link dev.jvisor.sentry.fs.tty.Devpts}).
 */
package dev.jvisor.sentry.fs.tty;
