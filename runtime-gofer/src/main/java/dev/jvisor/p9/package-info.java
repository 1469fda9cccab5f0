/**
 * The 9P2000.L protocol between the Sentry and the Gofer: the messages as typed records
 * ({@link dev.jvisor.p9.Tmessage}, {@link dev.jvisor.p9.Rmessage}), a strict codec
 * ({@link dev.jvisor.p9.P9Codec}), a transport over a unix socket descriptor
 * ({@link dev.jvisor.p9.FdTransport}), the concurrent client the Sentry uses
 * ({@link dev.jvisor.p9.P9Client}) and the server the Gofer runs
 * ({@link dev.jvisor.p9.P9Server}), which dispatches to a {@link dev.jvisor.p9.FileServer}.
 *
 * <p>This package owns the wire format and per-connection state (msize, tags, fids, flushes);
 * it knows nothing about host files. Its only native code is the socket I/O in the
 * package-private {@code Native} class.
 */
package dev.jvisor.p9;
