package dev.jvisor.sentry.fs.sys;

import dev.jvisor.sentry.fs.proc.ProcDir;
import dev.jvisor.sentry.fs.proc.ProcFile;
import dev.jvisor.sentry.vfs.FileSystem;

/**
 * Builds a minimal read-only /sys:
 * <pre>
 * devices/system/cpu/{online,possible,present}   "0-N": the CPUs a sandboxed program may use
 * devices/system/cpu/cpuK/                        one directory per CPU (glibc counts them)
 * kernel/mm/transparent_hugepage/enabled          "always [madvise] never"
 * </pre>
 * The CPU count is the Sentry's, so /sys agrees with sched_getaffinity(2) and /proc/cpuinfo.
 */
public final class SysFs {
    /** SYSFS_MAGIC, include/uapi/linux/magic.h. */
    public static final long MAGIC = 0x62656572;

    private SysFs() {}

    public static ProcDir create() {
        FileSystem fs = new FileSystem("sysfs", MAGIC, false);
        int cpus = Runtime.getRuntime().availableProcessors();
        String range = (cpus == 1 ? "0" : "0-" + (cpus - 1)) + "\n";

        ProcDir cpu = new ProcDir(fs, 0755, null);
        cpu.add("online", ProcFile.text(fs, () -> range));
        cpu.add("possible", ProcFile.text(fs, () -> range));
        cpu.add("present", ProcFile.text(fs, () -> range));
        cpu.add("offline", ProcFile.text(fs, () -> "\n"));
        cpu.add("kernel_max", ProcFile.text(fs, () -> "8191\n"));
        for (int i = 0; i < cpus; i++) {
            ProcDir one = new ProcDir(fs, 0755, null);
            // cpu0 has no online switch on Linux: it cannot be taken offline.
            if (i > 0) one.add("online", ProcFile.text(fs, () -> "1\n"));
            cpu.add("cpu" + i, one);
        }
        ProcDir system = new ProcDir(fs, 0755, null).add("cpu", cpu);
        ProcDir devices = new ProcDir(fs, 0755, null).add("system", system);

        ProcDir thp = new ProcDir(fs, 0755, null);
        // The Sentry backs memory with ordinary pages; madvise is Linux's usual default.
        thp.add("enabled", ProcFile.text(fs, () -> "always [madvise] never\n"));
        thp.add("defrag", ProcFile.text(fs, () -> "always defer defer+madvise [madvise] never\n"));
        ProcDir mm = new ProcDir(fs, 0755, null).add("transparent_hugepage", thp);
        ProcDir kernel = new ProcDir(fs, 0755, null).add("mm", mm);

        return new ProcDir(fs, 0555, null).add("devices", devices).add("kernel", kernel);
    }
}
