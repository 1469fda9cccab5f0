"""The listening end of a console socket, as containerd's shim is: receives the pty master
(one message, one SCM_RIGHTS descriptor), answers the container's prompt, and copies what the
terminal shows until the container's side closes. Prints a report for the test to check.

usage: console_receiver.py SOCKET PROMPT KEYS TIMEOUT_SECONDS
"""
import os
import select
import socket
import sys
import time

path, prompt, keys, timeout = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode(), float(sys.argv[4])
deadline = time.monotonic() + timeout
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
server.settimeout(timeout)
conn, _ = server.accept()
name, fds, flags, _ = socket.recv_fds(conn, 4096, 8)
print("name=%s fds=%d truncated=%d" % (name.decode(), len(fds), flags & socket.MSG_CTRUNC), flush=True)
master = fds[0]
screen = b""
typed = False
while time.monotonic() < deadline:
    ready, _, _ = select.select([master], [], [], 0.5)
    if not ready:
        continue
    try:
        data = os.read(master, 4096)
    except OSError:
        break  # EIO: the container's side of the terminal is closed
    if not data:
        break
    screen += data
    if not typed and prompt in screen:
        time.sleep(0.2)
        os.write(master, keys)
        typed = True
print("screen=%r" % screen.decode(errors="replace"), flush=True)
