package dev.jvisor.sentry.vfs;

/** A process's root, working directory and umask (shared between tasks with CLONE_FS). */
public final class FsContext {
    private Location root;
    private Location cwd;
    private int umask = 022;

    public FsContext(Location root, Location cwd) {
        this.root = root;
        this.cwd = cwd;
    }

    public synchronized Location root() { return root; }
    public synchronized Location cwd() { return cwd; }
    public synchronized void cwd(Location l) { cwd = l; }
    public synchronized void root(Location l) { root = l; }
    public synchronized int umask() { return umask; }

    public synchronized int umask(int next) {
        int old = umask;
        umask = next & 0777;
        return old;
    }

    public synchronized FsContext copy() {
        FsContext c = new FsContext(root, cwd);
        c.umask = umask;
        return c;
    }
}
