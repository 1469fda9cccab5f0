package dev.jvisor.sentry.kernel;

/**
 * A task's identity inside the sandbox (include/linux/cred.h). Immutable; set*id(2) replace it.
 * Root inside the sandbox holds every capability, but only over sandbox objects.
 */
public record Credentials(int uid, int euid, int suid, int fsuid, int gid, int egid, int sgid, int fsgid,
                          int[] groups, long capEffective) {
    public static final long ALL_CAPS = (1L << 41) - 1;
    public static final int CAP_CHOWN = 0, CAP_DAC_OVERRIDE = 1, CAP_DAC_READ_SEARCH = 2, CAP_FOWNER = 3,
            CAP_KILL = 5, CAP_SETGID = 6, CAP_SETUID = 7, CAP_SYS_ADMIN = 21;

    public static Credentials root() {
        return new Credentials(0, 0, 0, 0, 0, 0, 0, 0, new int[0], ALL_CAPS);
    }

    public static Credentials of(int uid, int gid, int[] groups) {
        long caps = uid == 0 ? ALL_CAPS : 0;
        return new Credentials(uid, uid, uid, uid, gid, gid, gid, gid, groups.clone(), caps);
    }

    public boolean hasCap(int cap) { return (capEffective & (1L << cap)) != 0; }

    public boolean inGroup(int g) {
        if (g == fsgid) return true;
        for (int x : groups) if (x == g) return true;
        return false;
    }

    public Credentials withUids(int ruid, int eu, int su) {
        long caps = eu == 0 ? ALL_CAPS : 0;
        return new Credentials(ruid, eu, su, eu, gid, egid, sgid, fsgid, groups, caps);
    }

    public Credentials withGids(int rgid, int eg, int sg) {
        return new Credentials(uid, euid, suid, fsuid, rgid, eg, sg, eg, groups, capEffective);
    }

    /** setfsuid(2): only the filesystem uid changes. */
    public Credentials withFsuid(int fu) {
        return new Credentials(uid, euid, suid, fu, gid, egid, sgid, fsgid, groups, capEffective);
    }

    /** setfsgid(2): only the filesystem gid changes. */
    public Credentials withFsgid(int fg) {
        return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fg, groups, capEffective);
    }

    public Credentials withGroups(int[] g) {
        return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, g.clone(), capEffective);
    }
}
