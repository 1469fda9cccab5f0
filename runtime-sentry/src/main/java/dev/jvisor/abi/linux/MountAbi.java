package dev.jvisor.abi.linux;

/**
 * Mount flags (include/uapi/linux/mount.h, the MS_* bits of mount(2)) and the statfs(2) f_type
 * of the filesystems a container's mounts can be (include/uapi/linux/magic.h).
 */
public final class MountAbi {
    private MountAbi() {}

    public static final int MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;

    public static final long TMPFS_MAGIC = 0x01021994, PROC_SUPER_MAGIC = 0x9fa0, SYSFS_MAGIC = 0x62656572,
            DEVPTS_SUPER_MAGIC = 0x1cd1, MQUEUE_MAGIC = 0x19800202, CGROUP_SUPER_MAGIC = 0x27e0eb,
            CGROUP2_SUPER_MAGIC = 0x63677270;
}
