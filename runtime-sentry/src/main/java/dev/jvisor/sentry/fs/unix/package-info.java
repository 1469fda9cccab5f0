/**
 * AF_UNIX sockets inside the sandbox: stream, datagram and seqpacket; socketpair; binding to a
 * path (a socket inode in the file tree) or an abstract name; listen/accept/connect; messages
 * with SCM_RIGHTS (open files passed between processes) and SCM_CREDENTIALS.
 */
package dev.jvisor.sentry.fs.unix;
