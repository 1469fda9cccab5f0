package dev.jvisor.sentry.kernel;

import dev.jvisor.abi.linux.Capability;

/**
 * A task's five capability sets (capabilities(7)), each a bit mask by capability number.
 * The sets only say what a task may do to objects inside the sandbox: none of them reaches
 * the host.
 */
public record CapabilitySets(long inheritable, long permitted, long effective, long bounding, long ambient) {
    /** What root starts with: everything permitted and effective, nothing inheritable or ambient. */
    public static final CapabilitySets ROOT = new CapabilitySets(0, Capability.CAP_FULL_SET, Capability.CAP_FULL_SET,
            Capability.CAP_FULL_SET, 0);
    /** What another user starts with: nothing, under a full bounding set. */
    public static final CapabilitySets NONE = new CapabilitySets(0, 0, 0, Capability.CAP_FULL_SET, 0);

    public CapabilitySets {
        inheritable &= Capability.CAP_FULL_SET;
        permitted &= Capability.CAP_FULL_SET;
        effective &= Capability.CAP_FULL_SET;
        bounding &= Capability.CAP_FULL_SET;
        ambient &= Capability.CAP_FULL_SET;
    }

    /**
     * The sets as a process configuration asks for them, made consistent the way a runtime's
     * capset(2) and prctl(2) calls would leave them: effective within permitted, ambient
     * within permitted and inheritable.
     */
    public static CapabilitySets configured(long bounding, long effective, long inheritable, long permitted, long ambient) {
        return new CapabilitySets(inheritable, permitted, effective & permitted, bounding, ambient & permitted & inheritable);
    }

    public CapabilitySets withEffective(long e) { return new CapabilitySets(inheritable, permitted, e, bounding, ambient); }

    public CapabilitySets withPermitted(long p) { return new CapabilitySets(inheritable, p, effective, bounding, ambient); }

    public CapabilitySets withBounding(long b) { return new CapabilitySets(inheritable, permitted, effective, b, ambient); }

    public CapabilitySets withAmbient(long a) { return new CapabilitySets(inheritable, permitted, effective, bounding, a); }

    /** capset(2)'s three sets; an ambient capability that leaves permitted or inheritable goes too. */
    public CapabilitySets withCapset(long e, long p, long i) {
        return new CapabilitySets(i, p, e, bounding, ambient & p & i);
    }
}
