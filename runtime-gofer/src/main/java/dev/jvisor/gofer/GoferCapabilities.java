package dev.jvisor.gofer;

import java.util.List;

/**
 * The capabilities a Gofer running as root keeps; its launcher removes every other one from its
 * bounding set before the JVM starts (capabilities are per thread, and a JVM has threads before
 * its main method runs). Names as setpriv(1) spells them, {@code CAP_*} of
 * include/uapi/linux/capability.h without the prefix.
 */
public final class GoferCapabilities {
    /**
     * chown: fchownat for the Sentry's chown and for new files owned by the creating task's ids;
     * dac_override, dac_read_search: open, search and write files of any owner, as the
     * container's root may; fowner: chmod, utimensat and xattrs on files root does not own;
     * fsetid: keep set-user/group-id bits across chmod and writes; sys_chroot: the Gofer
     * chroots into its mount root before it serves a request. Nothing else: no mknod of
     * devices, no mounts, no network, no ptrace, no setuid.
     */
    public static final List<String> KEPT = List.of(
            "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "sys_chroot");

    private GoferCapabilities() {}
}
