package dev.jvisor.p9;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fids of one connection. A request takes a reference on each fid it uses, so a concurrent
 * Tclunk removes the fid at once but its node is closed only when the last request lets go: a
 * node (and the host descriptor behind it) is never closed under a request still using it.
 */
final class FidTable {
    private final ConcurrentHashMap<Integer, Entry> fids = new ConcurrentHashMap<>();

    /** One fid: its current node, whether it is open, and the nodes it replaced. */
    static final class Entry {
        private FileNode node;
        private boolean open;
        private int refs = 1;
        private boolean clunked;
        private final List<FileNode> retired = new ArrayList<>();

        private Entry(FileNode node, boolean open) {
            this.node = node;
            this.open = open;
        }

        synchronized FileNode node() {
            return node;
        }

        synchronized boolean isOpen() {
            return open;
        }

        /** Replaces the node (Tlcreate, Txattrcreate); the old one closes with the fid. */
        synchronized void replace(FileNode next, boolean nowOpen) {
            retired.add(node);
            node = next;
            open = nowOpen;
        }

        synchronized void markOpen() {
            open = true;
        }

        private synchronized boolean retain() {
            if (clunked) {
                return false;
            }
            refs++;
            return true;
        }

        void release() {
            List<FileNode> toClose = null;
            synchronized (this) {
                if (--refs == 0) {
                    toClose = new ArrayList<>(retired);
                    toClose.add(node);
                    retired.clear();
                }
            }
            if (toClose != null) {
                for (FileNode n : toClose) {
                    n.close();
                }
            }
        }
    }

    /** The entry for {@code fid}, referenced; the caller must {@link Entry#release()} it. */
    Entry acquire(int fid) throws ErrnoException {
        Entry e = fids.get(fid);
        if (e == null || !e.retain()) {
            throw new ErrnoException(Errno.EBADF, "fid " + Integer.toUnsignedString(fid));
        }
        return e;
    }

    /** Binds a new fid; fails with EBADF (closing {@code node}) when the fid is already in use. */
    void add(int fid, FileNode node, boolean open) throws ErrnoException {
        if (fid == Message.NOFID) {
            node.close();
            throw new ErrnoException(Errno.EBADF, "fid NOFID");
        }
        Entry fresh = new Entry(node, open);
        if (fids.putIfAbsent(fid, fresh) != null) {
            node.close();
            throw new ErrnoException(Errno.EBADF, "fid " + Integer.toUnsignedString(fid) + " in use");
        }
    }

    boolean contains(int fid) {
        return fids.containsKey(fid);
    }

    /** Removes {@code fid}; its node closes once no request holds it. */
    void clunk(int fid) throws ErrnoException {
        Entry e = fids.remove(fid);
        if (e == null) {
            throw new ErrnoException(Errno.EBADF, "fid " + Integer.toUnsignedString(fid));
        }
        synchronized (e) {
            e.clunked = true;
        }
        e.release();
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
