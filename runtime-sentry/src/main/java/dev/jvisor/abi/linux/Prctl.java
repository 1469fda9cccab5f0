package dev.jvisor.abi.linux;

/** prctl(2) options, from include/uapi/linux/prctl.h, and securebits, from include/uapi/linux/securebits.h. */
public final class Prctl {
    private Prctl() {}

    public static final int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
            PR_GET_KEEPCAPS = 7, PR_SET_KEEPCAPS = 8, PR_SET_NAME = 15, PR_GET_NAME = 16, PR_GET_SECCOMP = 21,
            PR_CAPBSET_READ = 23, PR_CAPBSET_DROP = 24, PR_GET_SECUREBITS = 27, PR_SET_SECUREBITS = 28,
            PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37, PR_SET_NO_NEW_PRIVS = 38,
            PR_GET_NO_NEW_PRIVS = 39, PR_CAP_AMBIENT = 47;

    /** PR_CAP_AMBIENT's second argument. */
    public static final int PR_CAP_AMBIENT_IS_SET = 1, PR_CAP_AMBIENT_RAISE = 2, PR_CAP_AMBIENT_LOWER = 3,
            PR_CAP_AMBIENT_CLEAR_ALL = 4;

    /** Securebits and their locks (each lock bit is the bit above its flag). */
    public static final int SECURE_NOROOT = 0, SECURE_NOROOT_LOCKED = 1, SECURE_NO_SETUID_FIXUP = 2,
            SECURE_NO_SETUID_FIXUP_LOCKED = 3, SECURE_KEEP_CAPS = 4, SECURE_KEEP_CAPS_LOCKED = 5,
            SECURE_NO_CAP_AMBIENT_RAISE = 6, SECURE_NO_CAP_AMBIENT_RAISE_LOCKED = 7;
    public static final int SECBIT_NOROOT = 1 << SECURE_NOROOT, SECBIT_NO_SETUID_FIXUP = 1 << SECURE_NO_SETUID_FIXUP,
            SECBIT_KEEP_CAPS = 1 << SECURE_KEEP_CAPS, SECBIT_NO_CAP_AMBIENT_RAISE = 1 << SECURE_NO_CAP_AMBIENT_RAISE;
    /** SECURE_ALL_BITS and SECURE_ALL_LOCKS. */
    public static final int SECURE_ALL_BITS = 0x55, SECURE_ALL_LOCKS = SECURE_ALL_BITS << 1;
}
