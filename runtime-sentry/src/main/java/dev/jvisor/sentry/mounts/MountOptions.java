package dev.jvisor.sentry.mounts;

import dev.jvisor.abi.linux.MountAbi;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code options} of one OCI mount, split as mount(8) splits them: flags the Sentry enforces
 * (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC), whether it is a bind, and the filesystem's own
 * {@code key=value} options, kept in order for /proc/mounts.
 *
 * @param flags MS_* bits of {@link MountAbi}
 * @param bind  a {@code bind} or {@code rbind} option was given
 * @param data  the filesystem options ({@code size=64k}, {@code mode=1777}, {@code newinstance} …)
 */
public record MountOptions(int flags, boolean bind, List<String> data) {
    public MountOptions {
        data = List.copyOf(data);
    }

    /**
     * Options with no effect inside the Sentry that runc and containerd pass: atime policy,
     * propagation (a sandbox's mounts never propagate to the host), synchronous writes.
     */
    private static final Set<String> ACCEPTED = Set.of(
            "defaults", "sync", "async", "dirsync", "remount", "mand", "nomand", "atime", "noatime", "diratime",
            "nodiratime", "relatime", "norelatime", "strictatime", "nostrictatime", "lazytime", "nolazytime",
            "iversion", "noiversion", "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable",
            "runbindable", "silent", "loud", "tmpcopyup", "ratime", "rnoatime", "rdiratime", "rnodiratime",
            "rrelatime", "rnorelatime", "rstrictatime", "rnostrictatime",
            // fstab words that mount(8) itself consumes
            "auto", "noauto", "nouser", "nofail", "_netdev");

    /** Options without a value that some filesystem takes as its own (devpts's newinstance). */
    private static final Set<String> FILESYSTEM_FLAGS = Set.of("newinstance");

    static MountOptions parse(List<String> options, String destination) throws MountSpecException {
        int flags = 0;
        boolean bind = false;
        List<String> data = new ArrayList<>();
        for (String o : options) {
            if (o == null || o.isEmpty()) continue;
            if (o.indexOf('\0') >= 0 || o.indexOf(',') >= 0) {
                throw new MountSpecException("mount " + destination + ": option \"" + o + "\" holds a NUL or a comma");
            }
            switch (o) {
                case "ro", "rro" -> flags |= MountAbi.MS_RDONLY;
                case "rw", "rrw" -> flags &= ~MountAbi.MS_RDONLY;
                case "nosuid", "rnosuid" -> flags |= MountAbi.MS_NOSUID;
                case "suid", "rsuid" -> flags &= ~MountAbi.MS_NOSUID;
                case "nodev", "rnodev" -> flags |= MountAbi.MS_NODEV;
                case "dev", "rdev" -> flags &= ~MountAbi.MS_NODEV;
                case "noexec", "rnoexec" -> flags |= MountAbi.MS_NOEXEC;
                case "exec", "rexec" -> flags &= ~MountAbi.MS_NOEXEC;
                case "bind", "rbind" -> bind = true;
                default -> {
                    if (o.startsWith("x-")) continue; // user-space options (mount(8)): never reach a filesystem
                    if (o.indexOf('=') > 0 || FILESYSTEM_FLAGS.contains(o)) data.add(o);
                    else if (!ACCEPTED.contains(o)) {
                        throw new MountSpecException("mount " + destination + ": unknown option \"" + o + "\"");
                    }
                }
            }
        }
        return new MountOptions(flags, bind, data);
    }

    public boolean readOnly() { return (flags & MountAbi.MS_RDONLY) != 0; }

    /** The options as words that {@link #parse} turns back into these (for handing a mount to the sandbox). */
    public List<String> asWords() {
        List<String> out = new ArrayList<>();
        if (bind) out.add("rbind");
        out.add(readOnly() ? "ro" : "rw");
        if ((flags & MountAbi.MS_NOSUID) != 0) out.add("nosuid");
        if ((flags & MountAbi.MS_NODEV) != 0) out.add("nodev");
        if ((flags & MountAbi.MS_NOEXEC) != 0) out.add("noexec");
        out.addAll(data);
        return out;
    }

    /** The value of filesystem option {@code key=}, or null. */
    public String value(String key) {
        String prefix = key + "=";
        String found = null;
        for (String d : data) if (d.startsWith(prefix)) found = d.substring(prefix.length());
        return found;
    }

    /** The filesystem options as /proc/mounts shows them after the flags. */
    public String dataText() {
        return String.join(",", data);
    }
}
