"""The listening end of a console socket, as containerd's shim is: receives the pty master
(one message, one SCM_RIGHTS descriptor), answers the container's prompt, and copies what the
terminal shows until the container's side closes. Prints a report for the test to check.

usage: console_receiver.py SOCKET PROMPT KEYS TIMEOUT_SECONDS [--hold]

With --hold, the keys wait for the test's cue: once the prompt shows, SOCKET.prompted is
created and the keys are typed when a line arrives on stdin, so the container stays blocked
reading its terminal for as long as the test needs it alive.
"""
import os
import select
import socket
import sys
import time

path, prompt, keys, timeout = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode(), float(sys.argv[4])
hold = sys.argv[5:] == ["--hold"]
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
prompted = False
cued = not hold
while time.monotonic() < deadline:
    waiting_for_cue = prompted and not cued
    ready, _, _ = select.select([master] + ([sys.stdin] if waiting_for_cue else []), [], [], 0.5)
    if sys.stdin in ready:
        sys.stdin.readline()
        cued = True
    if master in ready:
        try:
            data = os.read(master, 4096)
        except OSError:
            break  # EIO: the container's side of the terminal is closed
        if not data:
            break
        screen += data
        if not prompted and prompt in screen:
            prompted = True
            if hold:
                open(path + ".prompted", "w").close()
            else:
                time.sleep(0.2)
    if prompted and cued and not typed:
        os.write(master, keys)
        typed = True
print("screen=%r" % screen.decode(errors="replace"), flush=True)
