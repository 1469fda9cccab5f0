package dev.jvisor.runsc.lifecycle;

import dev.jvisor.oci.Capability;
import dev.jvisor.oci.OciSpec;
import dev.jvisor.sentry.ProcessIdentity;
import dev.jvisor.sentry.kernel.CapabilitySets;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An OCI {@code process} object's user, capabilities, rlimits, noNewPrivileges and umask as the
 * Sentry's {@link ProcessIdentity}: the same for a container's first process (config.json) and
 * for an exec'd one (runsc exec --process).
 */
public final class OciProcessIdentity {
    private OciProcessIdentity() {}

    /**
     * The identity {@code process} asks for; root with default capabilities when it names no user.
     * An identity no process can have (uid or gid 4294967295, too many groups) is a
     * BundleException naming the field.
     */
    public static ProcessIdentity of(OciSpec.Process process) throws BundleSandbox.BundleException {
        try {
            return identity(process);
        } catch (IllegalArgumentException e) {
            throw new BundleSandbox.BundleException("process.user: " + e.getMessage());
        }
    }

    private static ProcessIdentity identity(OciSpec.Process process) {
        OciSpec.User user = process.user();
        int uid = user == null ? 0 : (int) user.uid();
        int gid = user == null ? 0 : (int) user.gid();
        // A group named twice is one membership, as runc sets them up.
        int[] groups = user == null ? new int[0] : user.additionalGids().stream().distinct().mapToInt(Long::intValue).toArray();
        int umask = user == null ? -1 : (int) user.umask();
        List<ProcessIdentity.Limit> limits = new ArrayList<>();
        for (OciSpec.Rlimit r : process.rlimits()) limits.add(new ProcessIdentity.Limit(r.type().number(), r.soft(), r.hard()));
        return new ProcessIdentity(uid, gid, groups, capabilities(process.capabilities()), limits,
                process.noNewPrivileges(), umask);
    }

    /** null (the default for the user) when the process names no capabilities. */
    private static CapabilitySets capabilities(OciSpec.Capabilities c) {
        if (c == null) return null;
        return CapabilitySets.configured(mask(c.bounding()), mask(c.effective()), mask(c.inheritable()),
                mask(c.permitted()), mask(c.ambient()));
    }

    private static long mask(Set<Capability> caps) {
        long m = 0;
        for (Capability c : caps) m |= 1L << c.number();
        return m;
    }
}
