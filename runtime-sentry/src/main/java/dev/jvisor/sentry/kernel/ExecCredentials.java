package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.Location;

/** Applies execve(2)'s credential transition ({@link Credentials#afterExec}) to a process. */
public final class ExecCredentials {
    private ExecCredentials() {}

    /**
     * Replaces the process's credentials with those it has after executing {@code path} (the
     * file the loader mapped, resolved as it was). Called once the new image is loaded and
     * before it runs, for a program exec'd inside the sandbox and for one started from outside
     * alike, so that a configured capability set goes through the same transition it would
     * under a runtime that sets it and then calls execve.
     */
    public static void apply(Task t, String path) {
        Credentials next = after(t, path);
        t.group().creds(next);
        // The new image is dumpable unless it runs with ids other than the real ones (set-id).
        t.group().dumpable(next.euid() == next.uid() && next.egid() == next.gid());
    }

    /** The credentials executing {@code path} gives the task, without giving them yet. */
    public static Credentials after(Task t, String path) {
        Credentials c = t.creds();
        Inode file;
        boolean noSuid;
        try {
            Location l = t.kernel().vfs().resolve(t.fs(), t.fs().cwd(), path, true, c);
            file = l.inode();
            noSuid = l.mount() != null && l.mount().noSuid();
        } catch (ErrnoException e) {
            // The file was just loaded; if it has gone since, exec it as one without set-id bits.
            return c.afterExec(0, 0, 0, false);
        }
        // A nosuid mount (a bundle's mount option) makes set-id bits count for nothing, as on Linux.
        return c.afterExec(file.mode(), file.uid(), file.gid(), noSuid);
    }
}
