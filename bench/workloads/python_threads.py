# Threads, json and a hash: 4 threads each round-trip a document through json and hash it.
import hashlib, json, threading

def work(seed, out):
    doc = {"seed": seed, "items": [{"i": i, "name": "item-%d" % i, "tags": ["a", "b"]} for i in range(2000)]}
    h = hashlib.sha256()
    for _ in range(20):
        doc = json.loads(json.dumps(doc))
        h.update(json.dumps(doc, sort_keys=True).encode())
    out[seed] = h.hexdigest()[:16]

out = {}
threads = [threading.Thread(target=work, args=(s, out)) for s in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(sorted(out.items()))
