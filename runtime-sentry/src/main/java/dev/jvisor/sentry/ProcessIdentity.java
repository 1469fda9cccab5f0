package dev.jvisor.sentry;

import dev.jvisor.abi.linux.Capability;
import dev.jvisor.sentry.kernel.CapabilitySets;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Rlimits;

import java.util.List;

/**
 * Who a process started from outside the sandbox runs as, and within which limits: an OCI
 * {@code process}'s user, capabilities, rlimits, noNewPrivileges and umask, as the Sentry
 * applies them to the new process before its program is exec'd.
 *
 * @param uid             real, effective, saved and filesystem uid
 * @param gid             real, effective, saved and filesystem gid
 * @param additionalGids  the supplementary groups
 * @param capabilities    the five sets as configured; null when the configuration names none,
 *                        and the process then has root's sets as uid 0 and none otherwise
 * @param rlimits         limits that replace the defaults, resource by resource
 * @param noNewPrivileges no_new_privs is set: exec never grants more than the process held
 * @param umask           the file mode creation mask, or -1 for the default (022)
 */
public record ProcessIdentity(int uid, int gid, int[] additionalGids, CapabilitySets capabilities,
                              List<Limit> rlimits, boolean noNewPrivileges, int umask) {
    /** uid 0, gid 0, nothing else configured. */
    public static final ProcessIdentity ROOT = of(0, 0);

    /** One resource's limits; {@code soft} and {@code hard} are unsigned, -1 is RLIM_INFINITY. */
    public record Limit(int resource, long soft, long hard) {
        public Limit {
            if (resource < 0 || resource >= Rlimits.COUNT) throw new IllegalArgumentException("no resource limit number " + resource);
            if (Long.compareUnsigned(soft, hard) > 0) {
                throw new IllegalArgumentException("resource limit " + resource + ": soft limit above the hard limit");
            }
        }
    }

    public ProcessIdentity {
        // uid_t and gid_t -1 mean "unchanged" to set*id(2): no process runs as them.
        if (uid == -1 || gid == -1) throw new IllegalArgumentException("uid and gid 4294967295 are not valid ids");
        additionalGids = additionalGids == null ? new int[0] : additionalGids.clone();
        if (additionalGids.length > Credentials.NGROUPS_MAX) throw new IllegalArgumentException("more than " + Credentials.NGROUPS_MAX + " additional groups");
        rlimits = rlimits == null ? List.of() : List.copyOf(rlimits);
        if (umask < -1 || umask > 0777) throw new IllegalArgumentException("umask must be within 0777");
    }

    /** {@code uid}:{@code gid} with no groups, default capabilities and limits. */
    public static ProcessIdentity of(int uid, int gid) {
        return new ProcessIdentity(uid, gid, new int[0], null, List.of(), false, -1);
    }

    @Override
    public int[] additionalGids() { return additionalGids.clone(); }

    /** The credentials the process starts with (before its program's execve transition). */
    public Credentials credentials() {
        Credentials c = Credentials.of(uid, gid, additionalGids);
        if (capabilities != null) c = c.withCaps(capabilities);
        if (noNewPrivileges) c = c.withNoNewPrivs();
        return c;
    }

    /** Writes the configured limits over {@code limits}. */
    public void applyTo(Rlimits limits) {
        for (Limit l : rlimits) limits.set(l.resource(), l.soft(), l.hard());
    }

    /** A capability set from capability numbers, rejecting numbers this kernel does not know. */
    public static long capabilityMask(Iterable<Integer> numbers) {
        long mask = 0;
        for (int n : numbers) {
            if (!Capability.valid(n)) throw new IllegalArgumentException("no capability number " + n);
            mask |= Capability.bit(n);
        }
        return mask;
    }
}
