/**
 * Terminals inside the sandbox. The Sentry is the line discipline: {@link
 * dev.jvisor.sentry.fs.tty.LineDiscipline} turns keyboard bytes into what programs read (line
 * editing, echo, CR/NL mapping, VMIN/VTIME) and into signals for the foreground process group,
 * and program output into what the screen gets. A {@link dev.jvisor.sentry.fs.tty.Terminal} adds
 * the job-control state (session, foreground group, window size) and the ioctls; its far side is
 * either a host pty put in raw mode and used as a byte pipe ({@link
 * dev.jvisor.sentry.fs.tty.HostLink}), or a master that a program in the sandbox opened through
 * /dev/ptmx ({@link dev.jvisor.sentry.fs.tty.Devpts}).
 *
 * <p>A process that joins a running sandbox on a host pty (exec with a console) gets its own
 * terminal the same way the container's first process does: {@code HostLink.open(fd)},
 * {@code devpts.attachHost(link)}, {@code terminal.openSlave(O_RDWR | O_NOCTTY)} for its fds,
 * {@code terminal.controlSessionOf(group)}, {@code link.start(terminal)}; when it ends,
 * {@code devpts.release(terminal)} and {@code link.close()}.
 */
package dev.jvisor.sentry.fs.tty;
