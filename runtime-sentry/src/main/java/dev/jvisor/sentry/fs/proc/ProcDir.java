package dev.jvisor.sentry.fs.proc;

import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A synthetic directory (procfs, sysfs): fixed entries plus entries a supplier lists at each lookup. */
public class ProcDir extends DirInode {
    /** The process whose own threads may always list and search this (its fd directories). */
    private volatile dev.jvisor.sentry.kernel.ThreadGroup openToItsOwn;

    /** Lets {@code g}'s threads list and search this whoever owns it, as proc_fd_permission does. */
    public ProcDir openTo(dev.jvisor.sentry.kernel.ThreadGroup g) {
        this.openToItsOwn = g;
        return this;
    }

    @Override
    public boolean grantsBeyondMode(int may) {
        dev.jvisor.sentry.kernel.ThreadGroup g = openToItsOwn;
        dev.jvisor.sentry.kernel.Task caller = dev.jvisor.sentry.kernel.Task.current();
        return g != null && caller != null && caller.group() == g && (may & dev.jvisor.sentry.vfs.Vfs.MAY_WRITE) == 0;
    }

    private final Map<String, Inode> fixed = new LinkedHashMap<>();
    private final Supplier<Map<String, Inode>> dynamic;

    public ProcDir(FileSystem fs, int perm, Supplier<Map<String, Inode>> dynamic) {
        super(fs, perm, 0, 0);
        this.dynamic = dynamic;
    }

    public ProcDir add(String name, Inode child) {
        fixed.put(name, child);
        if (child instanceof DirInode d) adopt(d, name);
        return this;
    }

    private void adopt(DirInode d, String name) {
        // Synthetic children still need their parent link for "..": borrow DirInode's bookkeeping.
        d.attach(this, name);
    }

    @Override
    public Inode lookup(String name) {
        Inode i = fixed.get(name);
        if (i != null) return i;
        if (dynamic == null) return null;
        Inode d = dynamic.get().get(name);
        if (d instanceof DirInode dir) adopt(dir, name);
        return d;
    }

    @Override
    public List<Map.Entry<String, Inode>> list() {
        List<Map.Entry<String, Inode>> out = new ArrayList<>(fixed.entrySet());
        if (dynamic != null) {
            for (Map.Entry<String, Inode> e : dynamic.get().entrySet()) {
                if (e.getValue() instanceof DirInode dir) adopt(dir, e.getKey());
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public boolean mutable() { return false; }
}
