package dev.jvisor.sentry.vfs;

import dev.jvisor.abi.linux.Errno;

import java.util.ArrayList;
import java.util.List;

/** A process's file descriptors: fd → open file description + close-on-exec flag. */
public final class FdTable {
    private OpenFile[] files = new OpenFile[64];
    private boolean[] cloexec = new boolean[64];
    private int limit = 1024;
    private int users = 1;

    /** Another task shares this table (CLONE_FILES). */
    public synchronized FdTable retainUser() {
        users++;
        return this;
    }

    /** A sharing task is done; the last one closes every fd. */
    public void releaseUser() {
        boolean last;
        synchronized (this) {
            last = --users == 0;
        }
        if (last) closeAll();
    }

    public synchronized OpenFile get(int fd) {
        if (fd < 0 || fd >= files.length || files[fd] == null) throw Errno.EBADF.exception();
        return files[fd];
    }

    /** The file with a reference taken, so a concurrent close cannot free it under a syscall. */
    public synchronized OpenFile acquire(int fd) {
        return get(fd).retain();
    }

    /**
     * The file at {@code fd} for a call that an O_PATH descriptor may not make: EBADF for one, as
     * Linux's fdget (unlike fdget_raw) refuses it.
     */
    public synchronized OpenFile getNotPath(int fd) {
        OpenFile f = get(fd);
        if (f.isPath()) throw Errno.EBADF.exception();
        return f;
    }

    /** {@link #getNotPath} with a reference taken, as {@link #acquire}. */
    public synchronized OpenFile acquireNotPath(int fd) {
        return getNotPath(fd).retain();
    }

    public synchronized boolean cloexec(int fd) {
        get(fd);
        return cloexec[fd];
    }

    public synchronized void setCloexec(int fd, boolean on) {
        get(fd);
        cloexec[fd] = on;
    }

    public synchronized void setLimit(int l) { limit = l; }

    /** Installs {@code f} (taking over the caller's reference) at the lowest free fd ≥ min. */
    public synchronized int install(OpenFile f, int min, boolean closeOnExec) {
        for (int fd = Math.max(0, min); fd < limit; fd++) {
            grow(fd);
            if (files[fd] == null) {
                files[fd] = f;
                cloexec[fd] = closeOnExec;
                return fd;
            }
        }
        f.release();
        throw Errno.EMFILE.exception();
    }

    /** dup2/dup3: puts {@code f} at exactly {@code fd}, closing what was there. */
    public void installAt(int fd, OpenFile f, boolean closeOnExec) {
        OpenFile old;
        synchronized (this) {
            if (fd < 0 || fd >= limit) {
                f.release();
                throw Errno.EBADF.exception();
            }
            grow(fd);
            old = files[fd];
            files[fd] = f;
            cloexec[fd] = closeOnExec;
        }
        if (old != null) drop(old);
    }

    public void close(int fd) {
        OpenFile old;
        synchronized (this) {
            old = get(fd);
            files[fd] = null;
            cloexec[fd] = false;
        }
        drop(old);
    }

    /**
     * Lets go of a file this table held at an fd: the POSIX record locks this table (the
     * process) holds on that file all go, whichever of its fds set them (fs/locks.c
     * locks_remove_posix), then the table's reference.
     */
    private void drop(OpenFile f) {
        Inode i = f.inode();
        FileLocks locks = i == null ? null : i.locksIfAny();
        if (locks != null) locks.releaseRecords(this);
        f.release();
    }

    /** On execve: closes every close-on-exec fd. */
    public void closeOnExec() {
        List<OpenFile> closing = new ArrayList<>();
        synchronized (this) {
            for (int fd = 0; fd < files.length; fd++) {
                if (files[fd] != null && cloexec[fd]) {
                    closing.add(files[fd]);
                    files[fd] = null;
                    cloexec[fd] = false;
                }
            }
        }
        closing.forEach(this::drop);
    }

    /** A copy for fork(2) without CLONE_FILES: the same open files, shared. */
    public synchronized FdTable copy() {
        FdTable t = new FdTable();
        t.files = new OpenFile[files.length];
        t.cloexec = cloexec.clone();
        t.limit = limit;
        for (int i = 0; i < files.length; i++) if (files[i] != null) t.files[i] = files[i].retain();
        return t;
    }

    public void closeAll() {
        List<OpenFile> closing = new ArrayList<>();
        synchronized (this) {
            for (int fd = 0; fd < files.length; fd++) {
                if (files[fd] != null) closing.add(files[fd]);
                files[fd] = null;
            }
        }
        closing.forEach(this::drop);
    }

    /** The open fds in order, for /proc/PID/fd. */
    public synchronized List<Integer> fds() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < files.length; i++) if (files[i] != null) out.add(i);
        return out;
    }

    private void grow(int fd) {
        if (fd < files.length) return;
        int n = Math.max(files.length * 2, fd + 1);
        files = java.util.Arrays.copyOf(files, n);
        cloexec = java.util.Arrays.copyOf(cloexec, n);
    }
}
