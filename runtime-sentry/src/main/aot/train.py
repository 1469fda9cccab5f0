# The sandbox AOT cache's python3 step: the interpreter's start-up (hundreds of stats, opens and
# mmaps of its modules), threads, and a subprocess (fork/exec through the Sentry). Fails with a
# traceback, and so fails the build, if any of it goes wrong.
import json
import subprocess
import threading

results = []
threads = [threading.Thread(target=lambda i=i: results.append(json.dumps({"thread": i}))) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert len(results) == 4, results
listing = subprocess.run(["/bin/ls", "/"], capture_output=True, check=True)
assert b"bin" in listing.stdout, listing
