/**
 * The control channel of a running sandbox: a unix socket ({@code control.sock}) in the
 * container's state directory on which the boot process serves, from create on, the runsc
 * commands that act on its sandbox (start, then exec, kill, ps, pause, resume, and the
 * containers of a pod joining it),
 * and the small waiter process that stands for an exec'd process on the host.
 *
 * <p>The protocol, version {@value dev.jvisor.runsc.control.ControlProtocol#VERSION}: each
 * message is a frame of a 4-byte big-endian length (1 to {@value
 * dev.jvisor.runsc.control.ControlProtocol#MAX_FRAME} bytes) and that many bytes of one UTF-8
 * JSON object. A request names {@code "v"} and {@code "op"}; members the operation does not
 * define are refused. The answer is {@code {"v":1,"ok":{…}}} or
 * {@code {"v":1,"error":{"code":…,"message":…}}}. Open fds ride with a request frame as
 * SCM_RIGHTS (exec and create pass the process's stdin, stdout and stderr). After an
 * {@code exec} or {@code create}, the connection stays open: the client may send
 * {@code {"v":1,"op":"signal","signal":N}} frames for that process, the server sends
 * {@code {"v":1,"exited":S}} when it ends, and a client that hangs up first has its process
 * killed. Only root or the sandbox's own user may connect (SO_PEERCRED).
 */
package dev.jvisor.runsc.control;
