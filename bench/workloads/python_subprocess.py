# fork/exec from python: 20 subprocess.run calls of a small program, output captured.
import subprocess
outs = [subprocess.run(["echo", str(i)], capture_output=True, text=True, check=True).stdout.strip() for i in range(20)]
print(" ".join(outs))
