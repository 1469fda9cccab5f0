package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Capability;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Prctl;

/**
 * A task's identity inside the sandbox (include/linux/cred.h): user and group ids, supplementary
 * groups, the five capability sets, securebits and no_new_privs. Immutable; set*id(2), capset(2),
 * prctl(2) and execve(2) replace it with the transitions Linux makes (capabilities(7)). Every
 * privilege check asks for a capability in the effective set, never for uid 0: a root process
 * started with a reduced set is as limited as its set says.
 */
public record Credentials(int uid, int euid, int suid, int fsuid, int gid, int egid, int sgid, int fsgid,
                          int[] groups, CapabilitySets caps, int securebits, boolean noNewPrivs) {
    public static final long ALL_CAPS = Capability.CAP_FULL_SET;
    public static final int CAP_CHOWN = Capability.CAP_CHOWN, CAP_DAC_OVERRIDE = Capability.CAP_DAC_OVERRIDE,
            CAP_DAC_READ_SEARCH = Capability.CAP_DAC_READ_SEARCH, CAP_FOWNER = Capability.CAP_FOWNER,
            CAP_KILL = Capability.CAP_KILL, CAP_SETGID = Capability.CAP_SETGID, CAP_SETUID = Capability.CAP_SETUID,
            CAP_SYS_ADMIN = Capability.CAP_SYS_ADMIN;
    /** NGROUPS_MAX (include/uapi/linux/limits.h). */
    public static final int NGROUPS_MAX = 65536;

    public Credentials {
        // Kept sorted (unsigned), as setgroups(2) leaves the list: getgroups(2) and /proc show it so.
        groups = java.util.stream.IntStream.of(groups).boxed().sorted(Integer::compareUnsigned).mapToInt(Integer::intValue).toArray();
        java.util.Objects.requireNonNull(caps, "caps");
    }

    public static Credentials root() {
        return new Credentials(0, 0, 0, 0, 0, 0, 0, 0, new int[0], CapabilitySets.ROOT, 0, false);
    }

    /** A fresh login of {@code uid}: root's capabilities for uid 0, none for anyone else. */
    public static Credentials of(int uid, int gid, int[] groups) {
        return new Credentials(uid, uid, uid, uid, gid, gid, gid, gid, groups, uid == 0 ? CapabilitySets.ROOT : CapabilitySets.NONE, 0, false);
    }

    @Override
    public int[] groups() { return groups.clone(); }

    public long capEffective() { return caps.effective(); }

    public boolean hasCap(int cap) { return (caps.effective() & (1L << cap)) != 0; }

    public boolean inGroup(int g) {
        if (g == fsgid) return true;
        for (int x : groups) if (x == g) return true;
        return false;
    }

    private boolean secure(int bit) { return (securebits & (1 << bit)) != 0; }

    /**
     * setresuid(2) and its relatives: the new real, effective and saved uids (the filesystem uid
     * follows the effective one), with the capability fix-ups of capabilities(7) "Effect of user
     * ID changes on capabilities" unless SECBIT_NO_SETUID_FIXUP is set.
     */
    public Credentials withUids(int ruid, int eu, int su) {
        CapabilitySets c = caps;
        if (!secure(Prctl.SECURE_NO_SETUID_FIXUP)) {
            boolean hadRoot = uid == 0 || euid == 0 || suid == 0;
            boolean hasRoot = ruid == 0 || eu == 0 || su == 0;
            if (hadRoot && !hasRoot) {
                if (!secure(Prctl.SECURE_KEEP_CAPS)) c = c.withPermitted(0).withEffective(0);
                c = c.withAmbient(0);
            }
            if (euid == 0 && eu != 0) c = c.withEffective(0);
            if (euid != 0 && eu == 0) c = c.withEffective(c.permitted());
        }
        return new Credentials(ruid, eu, su, eu, gid, egid, sgid, fsgid, groups, c, securebits, noNewPrivs);
    }

    public Credentials withGids(int rgid, int eg, int sg) {
        return new Credentials(uid, euid, suid, fsuid, rgid, eg, sg, eg, groups, caps, securebits, noNewPrivs);
    }

    /** setfsuid(2): the filesystem capabilities leave with fsuid 0 and come back (from permitted) with it. */
    public Credentials withFsuid(int fu) {
        CapabilitySets c = caps;
        if (!secure(Prctl.SECURE_NO_SETUID_FIXUP)) {
            if (fsuid == 0 && fu != 0) c = c.withEffective(c.effective() & ~Capability.CAP_FS_SET);
            if (fsuid != 0 && fu == 0) c = c.withEffective(c.effective() | (c.permitted() & Capability.CAP_FS_SET));
        }
        return new Credentials(uid, euid, suid, fu, gid, egid, sgid, fsgid, groups, c, securebits, noNewPrivs);
    }

    /** setfsgid(2): only the filesystem gid changes. */
    public Credentials withFsgid(int fg) {
        return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fg, groups, caps, securebits, noNewPrivs);
    }

    public Credentials withGroups(int[] g) {
        return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, g, caps, securebits, noNewPrivs);
    }

    public Credentials withCaps(CapabilitySets c) {
        return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, groups, c, securebits, noNewPrivs);
    }

    public Credentials withSecurebits(int bits) {
        return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, groups, caps, bits, noNewPrivs);
    }

    /** PR_SET_NO_NEW_PRIVS: once set it stays set, for this task and everything it starts. */
    public Credentials withNoNewPrivs() {
        return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, groups, caps, securebits, true);
    }

    /**
     * The identity access(2) checks with: the real ids as filesystem ids, and the effective set
     * as the real uid would have it (all of permitted for real root, nothing otherwise).
     */
    public Credentials forAccessCheck() {
        CapabilitySets c = caps;
        if (!secure(Prctl.SECURE_NO_SETUID_FIXUP)) c = c.withEffective(uid == 0 ? c.permitted() : 0);
        return new Credentials(uid, euid, suid, uid, gid, egid, sgid, gid, groups, c, securebits, noNewPrivs);
    }

    /**
     * The identity after execve(2) of a file with {@code mode}, owned by {@code fileUid}:{@code fileGid}
     * (capabilities(7) "Transformation of capabilities during execve()", with no file
     * capabilities): set-user-ID and set-group-ID bits change the effective ids unless the mount
     * is nosuid or no_new_privs is set; root (real or effective) gets its bounding and
     * inheritable sets as permitted unless SECBIT_NOROOT; everyone else keeps only the ambient
     * set, which a set-id program clears. With no_new_privs nothing beyond what the task held is
     * gained. SECBIT_KEEP_CAPS does not survive.
     */
    public Credentials afterExec(int mode, int fileUid, int fileGid, boolean nosuidMount) {
        int newEuid = euid, newEgid = egid;
        if (!nosuidMount && !noNewPrivs) {
            if ((mode & FileMode.S_ISUID) != 0) newEuid = fileUid;
            if ((mode & (FileMode.S_ISGID | 0010)) == (FileMode.S_ISGID | 0010)) newEgid = fileGid;
        }
        long permitted = 0;
        boolean effectiveBit = false;
        if (!secure(Prctl.SECURE_NOROOT)) {
            if (newEuid == 0 || uid == 0) permitted = caps.bounding() | caps.inheritable();
            if (newEuid == 0) effectiveBit = true;
        }
        boolean setid = newEuid != uid || newEgid != gid;
        boolean gained = (permitted & ~caps.permitted()) != 0;
        if ((setid || gained) && noNewPrivs) {
            // A no_new_privs task may not come out of exec with more than it went in with.
            newEuid = uid;
            newEgid = gid;
            permitted &= caps.permitted();
        }
        long ambient = setid ? 0 : caps.ambient();
        permitted |= ambient;
        long effective = effectiveBit ? permitted : ambient;
        CapabilitySets c = new CapabilitySets(caps.inheritable(), permitted, effective, caps.bounding(), ambient);
        return new Credentials(uid, newEuid, newEuid, newEuid, gid, newEgid, newEgid, newEgid, groups, c,
                securebits & ~Prctl.SECBIT_KEEP_CAPS, noNewPrivs);
    }

    /**
     * AT_SECURE for an exec that turned {@code before} into {@code after}: the program changed
     * ids, or a non-root user came out of it with capabilities it did not just carry in its
     * ambient set (the C library then ignores the environment it would otherwise trust).
     */
    public static boolean secureExec(Credentials before, Credentials after) {
        boolean setid = after.euid != before.uid || after.egid != before.gid;
        boolean grew = (after.caps.permitted() & ~after.caps.ambient()) != 0;
        boolean raisedEffective = after.caps.effective() != after.caps.ambient();
        return setid || (after.uid != 0 && (raisedEffective || grew));
    }
}
