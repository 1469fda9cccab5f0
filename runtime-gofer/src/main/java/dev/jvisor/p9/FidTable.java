package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fids of one connection. A request pins the node a fid names while it uses it: a concurrent
 * Tclunk, or a Twalk/Tlcreate that rebinds the fid, takes the node out of the table at once, but
 * the node is closed only when the last request pinning it is done. So a node (and the host
 * descriptor behind it) is never closed under a request still using it, and a rebound fid does
 * not keep its old node alive any longer than that.
 */
final class FidTable {
    private final ConcurrentHashMap<Integer, Entry> fids = new ConcurrentHashMap<>();
    private final int maxFids;

    FidTable(int maxFids) {
        this.maxFids = maxFids;
    }

    /** One node as bound to a fid, with the requests using it. Guarded by its entry. */
    private static final class Pin {
        final FileNode node;
        int users;
        boolean unbound;

        Pin(FileNode node) {
            this.node = node;
        }
    }

    /** One fid: its current node and whether it is open. */
    private static final class Entry {
        private Pin current;
        private boolean open;
        private boolean clunked;

        Entry(FileNode node, boolean open) {
            this.current = new Pin(node);
            this.open = open;
        }
    }

    /** A request's hold on a fid: the node it pinned, usable until {@link #release()}. */
    static final class Ref {
        private final Entry entry;
        private final Pin pin;

        private Ref(Entry entry, Pin pin) {
            this.entry = entry;
            this.pin = pin;
        }

        FileNode node() {
            return pin.node;
        }

        boolean isOpen() {
            synchronized (entry) {
                return entry.open;
            }
        }

        void markOpen() {
            synchronized (entry) {
                entry.open = true;
            }
        }

        /** Rebinds the fid to {@code next} (Twalk to itself, Tlcreate, Txattrcreate). */
        void replace(FileNode next, boolean nowOpen) {
            Pin old;
            synchronized (entry) {
                old = entry.current;
                entry.current = new Pin(next);
                entry.open = nowOpen;
                old.unbound = true;
                if (old.users > 0) {
                    old = null;   // the last user closes it
                }
            }
            if (old != null) {
                old.node.close();
            }
        }

        void release() {
            boolean close;
            synchronized (entry) {
                close = --pin.users == 0 && pin.unbound;
            }
            if (close) {
                pin.node.close();
            }
        }
    }

    /** Pins the node {@code fid} names; the caller must {@link Ref#release()} it. */
    Ref acquire(int fid) throws ErrnoException {
        Entry e = fids.get(fid);
        if (e != null) {
            synchronized (e) {
                if (!e.clunked) {
                    e.current.users++;
                    return new Ref(e, e.current);
                }
            }
        }
        throw new ErrnoException(Errno.EBADF, "fid " + Integer.toUnsignedString(fid));
    }

    /**
     * Binds a new fid. Fails (closing {@code node}) with EBADF when the fid is NOFID or in use,
     * and with EMFILE when the connection already holds the most fids it may.
     */
    void add(int fid, FileNode node, boolean open) throws ErrnoException {
        if (fid == Message.NOFID) {
            node.close();
            throw new ErrnoException(Errno.EBADF, "fid NOFID");
        }
        if (fids.size() >= maxFids) {
            node.close();
            throw new ErrnoException(Errno.EMFILE, "fid table full");
        }
        if (fids.putIfAbsent(fid, new Entry(node, open)) != null) {
            node.close();
            throw new ErrnoException(Errno.EBADF, "fid " + Integer.toUnsignedString(fid) + " in use");
        }
    }

    boolean contains(int fid) {
        return fids.containsKey(fid);
    }

    /** Removes {@code fid}; its node closes once no request pins it. */
    void clunk(int fid) throws ErrnoException {
        Entry e = fids.remove(fid);
        if (e == null) {
            throw new ErrnoException(Errno.EBADF, "fid " + Integer.toUnsignedString(fid));
        }
        Pin toClose;
        synchronized (e) {
            e.clunked = true;
            e.current.unbound = true;
            toClose = e.current.users == 0 ? e.current : null;
        }
        if (toClose != null) {
            toClose.node.close();
        }
    }

    /** Clunks every fid (Tversion, connection end). */
    void clunkAll() {
        for (Integer fid : List.copyOf(fids.keySet())) {
            try {
                clunk(fid);
            } catch (ErrnoException ignored) {
                // Clunked concurrently: nothing left to do.
            }
        }
    }

    int size() {
        return fids.size();
    }
}
