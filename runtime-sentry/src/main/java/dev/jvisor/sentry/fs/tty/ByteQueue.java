package dev.jvisor.sentry.fs.tty;

/** A growable FIFO of bytes. Not thread-safe: its owner locks. */
final class ByteQueue {
    private byte[] ring = new byte[256];
    private int head, count;

    int size() { return count; }

    void add(int b) {
        grow(1);
        ring[(head + count) % ring.length] = (byte) b;
        count++;
    }

    void add(byte[] b, int off, int len) {
        grow(len);
        for (int i = 0; i < len; i++) ring[(head + count + i) % ring.length] = b[off + i];
        count += len;
    }

    /** Removes the first {@code n} bytes into {@code buf}. */
    void take(byte[] buf, int off, int n) {
        if (n > count) throw new IllegalArgumentException("only " + count + " bytes queued");
        for (int i = 0; i < n; i++) buf[off + i] = ring[(head + i) % ring.length];
        head = (head + n) % ring.length;
        count -= n;
    }

    byte[] take(int n) {
        byte[] out = new byte[n];
        take(out, 0, n);
        return out;
    }

    void clear() {
        head = count = 0;
    }

    private void grow(int more) {
        if (count + more <= ring.length) return;
        byte[] next = new byte[Math.max(ring.length * 2, count + more)];
        for (int i = 0; i < count; i++) next[i] = ring[(head + i) % ring.length];
        ring = next;
        head = 0;
    }
}
