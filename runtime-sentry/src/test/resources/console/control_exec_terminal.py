"""Sends exec requests that ask for a terminal, with the wrong descriptors, straight to a
sandbox's control socket, and reports each answer and whether the sandbox closed the
descriptors it was sent (the pipe's read end then sees end of file).

usage: control_exec_terminal.py CONTROL_SOCKET CONTAINER
"""
import json
import os
import select
import socket
import struct
import sys

path, container = sys.argv[1], sys.argv[2]


def ask(request, nfds):
    r, w = os.pipe()
    sent = [os.dup(w) for _ in range(nfds)]
    os.close(w)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    body = json.dumps(request).encode()
    socket.send_fds(s, [struct.pack(">I", len(body)) + body], sent)
    for fd in sent:
        os.close(fd)
    s.settimeout(30)
    head = s.recv(4, socket.MSG_WAITALL)
    answer = s.recv(struct.unpack(">I", head)[0], socket.MSG_WAITALL).decode()
    s.close()
    ready, _, _ = select.select([r], [], [], 10)
    closed = bool(ready) and os.read(r, 1) == b""
    os.close(r)
    print("answer=%s closed=%s" % (answer, closed), flush=True)


base = {"v": 1, "op": "exec", "container": container, "argv": ["/bin/true"], "terminal": True}
ask(base, 3)                                  # three fds where a terminal takes one
ask(base, 1)                                  # one fd that is not a terminal
ask(dict(base, terminal="yes"), 1)            # terminal must be a boolean
ask(dict(base, container="nope"), 1)          # no such container: the fd is still closed
