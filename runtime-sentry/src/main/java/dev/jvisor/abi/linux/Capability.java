package dev.jvisor.abi.linux;

/**
 * Capability numbers and capget(2)/capset(2) versions, from include/uapi/linux/capability.h,
 * and the filesystem subset from include/linux/capability.h (CAP_FS_SET).
 */
public final class Capability {
    private Capability() {}

    public static final int CAP_CHOWN = 0, CAP_DAC_OVERRIDE = 1, CAP_DAC_READ_SEARCH = 2, CAP_FOWNER = 3,
            CAP_FSETID = 4, CAP_KILL = 5, CAP_SETGID = 6, CAP_SETUID = 7, CAP_SETPCAP = 8,
            CAP_LINUX_IMMUTABLE = 9, CAP_NET_BIND_SERVICE = 10, CAP_NET_BROADCAST = 11, CAP_NET_ADMIN = 12,
            CAP_NET_RAW = 13, CAP_IPC_LOCK = 14, CAP_IPC_OWNER = 15, CAP_SYS_MODULE = 16, CAP_SYS_RAWIO = 17,
            CAP_SYS_CHROOT = 18, CAP_SYS_PTRACE = 19, CAP_SYS_PACCT = 20, CAP_SYS_ADMIN = 21, CAP_SYS_BOOT = 22,
            CAP_SYS_NICE = 23, CAP_SYS_RESOURCE = 24, CAP_SYS_TIME = 25, CAP_SYS_TTY_CONFIG = 26, CAP_MKNOD = 27,
            CAP_LEASE = 28, CAP_AUDIT_WRITE = 29, CAP_AUDIT_CONTROL = 30, CAP_SETFCAP = 31, CAP_MAC_OVERRIDE = 32,
            CAP_MAC_ADMIN = 33, CAP_SYSLOG = 34, CAP_WAKE_ALARM = 35, CAP_BLOCK_SUSPEND = 36, CAP_AUDIT_READ = 37,
            CAP_PERFMON = 38, CAP_BPF = 39, CAP_CHECKPOINT_RESTORE = 40;
    /** CAP_LAST_CAP. */
    public static final int CAP_LAST_CAP = CAP_CHECKPOINT_RESTORE;
    /** Every capability this kernel knows (CAP_FULL_SET). */
    public static final long CAP_FULL_SET = (1L << (CAP_LAST_CAP + 1)) - 1;

    /**
     * CAP_FS_SET: the capabilities that follow the filesystem uid (dropped when it leaves 0,
     * raised from the permitted set when it returns).
     */
    public static final long CAP_FS_SET = bit(CAP_CHOWN) | bit(CAP_MKNOD) | bit(CAP_DAC_OVERRIDE)
            | bit(CAP_DAC_READ_SEARCH) | bit(CAP_FOWNER) | bit(CAP_FSETID) | bit(CAP_LINUX_IMMUTABLE)
            | bit(CAP_MAC_OVERRIDE);

    /** struct __user_cap_header_struct versions: one 32-bit word per set, then two (v2 is v3 with a flaw). */
    public static final int _LINUX_CAPABILITY_VERSION_1 = 0x19980330, _LINUX_CAPABILITY_VERSION_2 = 0x20071026,
            _LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    /** struct __user_cap_data_struct: effective, permitted, inheritable (u32 each). */
    public static final int CAP_DATA_SIZE = 12;

    public static long bit(int cap) { return 1L << cap; }

    public static boolean valid(long cap) { return cap >= 0 && cap <= CAP_LAST_CAP; }
}
