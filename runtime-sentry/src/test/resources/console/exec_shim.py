"""What containerd's runc shim does around `runsc exec -t`, for a test to check: it becomes a
child subreaper (so the waiter exec leaves behind is reparented to it), listens on a console
socket, runs the exec command with stdout and stderr on one pipe it reads to end of file (as
the shim's cmdOutput does), receives the pty master, copies what the terminal shows until the
process's side closes, and reaps the waiter named in the pid file. Prints a report.

usage: exec_shim.py SOCKET PID_FILE TIMEOUT_SECONDS COMMAND...
"""
import ctypes
import os
import select
import socket
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36  # include/uapi/linux/prctl.h

path, pid_file, timeout, command = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
deadline = time.monotonic() + timeout
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
server.setblocking(False)

exec_proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
output = exec_proc.stdout.fileno()
master = None
screen = b""
exec_output = b""
waiter = None
waiter_status = None
waiter_alive_at_output_end = None
while time.monotonic() < deadline:
    watched = [f for f in (server if master is None else None, master, output) if f is not None and f != -1]
    ready, _, _ = select.select(watched, [], [], 0.2)
    if server in ready:
        conn, _ = server.accept()
        conn.setblocking(True)
        name, fds, flags, _ = socket.recv_fds(conn, 4096, 8)
        print("name=%s fds=%d truncated=%d" % (name.decode(), len(fds), flags & socket.MSG_CTRUNC), flush=True)
        conn.close()
        master = fds[0]
    if master is not None and master in ready:
        try:
            data = os.read(master, 4096)
        except OSError:
            data = b""  # EIO: every slave of the pty is closed
        if not data:
            os.close(master)
            master = -1
            print("master-closed", flush=True)
        screen += data
    if output is not None and output in ready:
        data = os.read(output, 4096)
        exec_output += data
        if not data:
            output = None
            print("exec_rc=%d" % exec_proc.wait(), flush=True)
            waiter = int(open(pid_file).read().strip())
            pid, status = os.waitpid(waiter, os.WNOHANG)
            waiter_alive_at_output_end = pid == 0
            if pid != 0:
                waiter_status = os.waitstatus_to_exitcode(status)
    if master == -1 and output is None:
        break

if waiter is not None and waiter_status is None:
    while time.monotonic() < deadline:
        pid, status = os.waitpid(waiter, os.WNOHANG)
        if pid != 0:
            waiter_status = os.waitstatus_to_exitcode(status)
            break
        time.sleep(0.05)
print("exec_output=%r" % exec_output.decode(errors="replace"), flush=True)
print("waiter_alive_at_output_end=%s" % waiter_alive_at_output_end, flush=True)
print("waiter_status=%s" % waiter_status, flush=True)
print("screen=%r" % screen.decode(errors="replace"), flush=True)
