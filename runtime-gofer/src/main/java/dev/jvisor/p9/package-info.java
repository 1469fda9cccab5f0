/**
 * The 9P2000.L protocol between the Sentry and the Gofer: the messages as typed records
 * ({@link dev.jvisor.p9.Tmessage}, {@link dev.jvisor.p9.Rmessage}), a strict codec
 * ({@link dev.jvisor.p9.P9Codec}), a transport over a unix socket descriptor
 * ({@link dev.jvisor.p9.FdTransport}), the concurrent client the Sentry uses
 * ({@link dev.jvisor.p9.P9Client}) and the server the Gofer runs
 * ({@link dev.jvisor.p9.P9Server}), which dispatches to a {@link dev.jvisor.p9.FileServer}.
 *
 * <p>Besides 9P2000.L it speaks one extension of jVisor's, numbered above every 9P type:
 * {@link dev.jvisor.p9.Tmessage.DonateFd Tdonatefd}, answered by an Rdonatefd frame that carries a
 * read-only host descriptor of a regular file as SCM_RIGHTS data, which the client reads with
 * pread ({@link dev.jvisor.p9.DonatedFile}) instead of Tread frames.
 *
 * <p>This package owns the wire format and per-connection state (msize, tags, fids, flushes);
 * it knows nothing about host files. Its only native code is the socket I/O (and the
 * pread of a lent descriptor) in the package-private {@code Native} class.
 */
package dev.jvisor.p9;
