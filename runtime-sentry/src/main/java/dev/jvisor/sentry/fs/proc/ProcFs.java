package dev.jvisor.sentry.fs.proc;

import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.Kernel;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.kernel.ThreadGroup;
import dev.jvisor.sentry.mm.Vma;
import dev.jvisor.sentry.platform.ptrace.Layout;
import dev.jvisor.sentry.vfs.FileSystem;
import dev.jvisor.sentry.vfs.Inode;
import dev.jvisor.sentry.vfs.MagicLinkInode;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.SymlinkInode;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.IntSupplier;

/** Builds /proc for one kernel. Everything is generated from Sentry state, never read from the host. */
public final class ProcFs {
    /** PROC_SUPER_MAGIC, include/uapi/linux/magic.h. */
    public static final long MAGIC = 0x9fa0;
    private static final long TOTAL_MEM_KB = 2L * 1024 * 1024;

    private final Kernel kernel;
    private final FileSystem fs = new FileSystem("proc", MAGIC, false);
    private final Map<Integer, ProcDir> pidDirs = new ConcurrentHashMap<>();

    private ProcFs(Kernel kernel) {
        this.kernel = kernel;
    }

    public static ProcDir create(Kernel kernel) {
        return new ProcFs(kernel).root();
    }

    public FileSystem fs() { return fs; }

    private ProcDir root() {
        ProcDir root = new ProcDir(fs, 0555, this::pids);
        root.add("self", new SymlinkInode(fs, () -> {
            Task t = Task.current();
            return t == null ? null : Integer.toString(t.tgid());
        }, 0, 0));
        root.add("thread-self", new SymlinkInode(fs, () -> {
            Task t = Task.current();
            return t == null ? null : t.tgid() + "/task/" + t.tid();
        }, 0, 0));
        root.add("version", ProcFile.text(fs, () -> "Linux version " + Kernel.RELEASE + " (jvisor@jvisor) " + Kernel.VERSION + "\n"));
        root.add("uptime", ProcFile.text(fs, () -> {
            double up = kernel.uptimeNanos() / 1e9;
            return String.format(Locale.ROOT, "%.2f %.2f\n", up, up);
        }));
        root.add("loadavg", ProcFile.text(fs, () -> "0.00 0.00 0.00 1/" + kernel.groups().size() + " " + lastPid() + "\n"));
        root.add("meminfo", ProcFile.text(fs, this::meminfo));
        root.add("cpuinfo", ProcFile.text(fs, ProcFs::cpuinfo));
        root.add("stat", ProcFile.text(fs, this::stat));
        // The filesystem types the sandbox can show; "9p" is how the Gofer's files appear.
        root.add("filesystems", ProcFile.text(fs, () -> "nodev\tsysfs\nnodev\ttmpfs\nnodev\tbdev\nnodev\tproc\nnodev\tdevtmpfs\n"
                + "nodev\tpipefs\nnodev\tsockfs\nnodev\tdevpts\nnodev\toverlay\nnodev\t9p\nnodev\tanon_inodefs\n"));
        root.add("mounts", ProcFile.text(fs, this::mounts));
        ProcDir sys = new ProcDir(fs, 0555, null);
        ProcDir sysKernel = new ProcDir(fs, 0555, null);
        sysKernel.add("hostname", ProcFile.text(fs, () -> kernel.hostname() + "\n"));
        sysKernel.add("ostype", ProcFile.text(fs, () -> "Linux\n"));
        sysKernel.add("osrelease", ProcFile.text(fs, () -> Kernel.RELEASE + "\n"));
        sysKernel.add("pid_max", ProcFile.text(fs, () -> "4194304\n"));
        sysKernel.add("ngroups_max", ProcFile.text(fs, () -> "65536\n"));
        ProcDir sysVm = new ProcDir(fs, 0555, null);
        sysVm.add("overcommit_memory", ProcFile.text(fs, () -> "0\n"));
        sysVm.add("max_map_count", ProcFile.text(fs, () -> "65530\n"));
        sys.add("kernel", sysKernel).add("vm", sysVm);
        root.add("sys", sys);
        return root;
    }

    private int lastPid() {
        List<ThreadGroup> gs = kernel.groups();
        return gs.isEmpty() ? 0 : gs.get(gs.size() - 1).tgid();
    }

    private Map<String, Inode> pids() {
        Map<String, Inode> m = new LinkedHashMap<>();
        for (ThreadGroup g : kernel.groups()) {
            m.put(Integer.toString(g.tgid()), pidDirs.computeIfAbsent(g.tgid(), k -> pidDir(g)));
        }
        pidDirs.keySet().removeIf(pid -> kernel.group(pid) == null && !m.containsKey(Integer.toString(pid)));
        return m;
    }

    private ProcDir pidDir(ThreadGroup g) {
        // A process's directory and files belong to its effective ids while it is dumpable, to
        // root once it is not (after a change of ids, as task_dump_owner decides): a process may
        // read its own environ, until it changes ids. Its fd directories stay open to it.
        IntSupplier uid = () -> g.dumpable() ? ownerOf(g).euid() : 0;
        IntSupplier gid = () -> g.dumpable() ? ownerOf(g).egid() : 0;
        ProcDir d = owned(new ProcDir(fs, 0555, null), uid, gid);
        d.add("stat", owned(ProcFile.text(fs, () -> pidStat(g)), uid, gid));
        d.add("status", owned(ProcFile.text(fs, () -> status(g)), uid, gid));
        d.add("cmdline", owned(new ProcFile(fs, 0444, () -> nulJoined(g.argv())), uid, gid));
        d.add("environ", owned(new ProcFile(fs, 0400, () -> nulJoined(g.envp())), uid, gid));
        d.add("comm", owned(ProcFile.text(fs, () -> g.comm() + "\n"), uid, gid));
        d.add("maps", owned(ProcFile.text(fs, () -> maps(g)), uid, gid));
        d.add("exe", new SymlinkInode(fs, g::exePath, 0, 0));
        d.add("cwd", new SymlinkInode(fs, () -> {
            Task t = g.leader();
            return t == null ? null : kernel.vfs().pathOf(t.fs(), t.fs().cwd());
        }, 0, 0));
        d.add("root", new SymlinkInode(fs, () -> "/", 0, 0));
        d.add("fd", owned(new ProcDir(fs, 0500, () -> fds(g)).openTo(g), uid, gid));
        d.add("fdinfo", owned(new ProcDir(fs, 0500, () -> fdinfos(g)).openTo(g), uid, gid));
        d.add("mounts", ProcFile.text(fs, this::mounts));
        d.add("mountinfo", ProcFile.text(fs, this::mountinfo));
        d.add("auxv", owned(new ProcFile(fs, 0400, g::auxv), uid, gid));
        return d;
    }

    private static <T extends Inode> T owned(T inode, IntSupplier uid, IntSupplier gid) {
        inode.ownerFollows(uid, gid);
        return inode;
    }

    /** The credentials a process's /proc files belong to: its leader's (root's once it is gone). */
    private static Credentials ownerOf(ThreadGroup g) {
        Task t = g.leader();
        return t == null ? GONE : t.creds();
    }

    private static final Credentials GONE = Credentials.root();

    /** One entry per descriptor of {@code g}'s leader, made by {@code entry} from the task and the number. */
    private static Map<String, Inode> perDescriptor(ThreadGroup g, BiFunction<Task, Integer, Inode> entry) {
        Map<String, Inode> m = new LinkedHashMap<>();
        Task t = g.leader();
        if (t == null) return m;
        for (int fd : t.fds().fds()) m.put(Integer.toString(fd), entry.apply(t, fd));
        return m;
    }

    /** The open file behind {@code fd} now, or null once it is closed. */
    private static OpenFile openFile(Task t, int fd) {
        try {
            return t.fds().get(fd);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Map<String, Inode> fds(ThreadGroup g) {
        return perDescriptor(g, (t, fd) -> new MagicLinkInode(fs, () -> {
            OpenFile f = openFile(t, fd);
            if (f == null) return null;
            Inode i = f.inode();
            // A file whose last name is gone (fs/d_path.c: d_path of an unlinked dentry).
            boolean deleted = i != null && i.isRegular() && i.nlink() == 0 && f.path().startsWith("/")
                    && !f.path().endsWith(" (deleted)");   // a memfd's name says so already
            return deleted ? f.path() + " (deleted)" : f.path();
        }, () -> {
            OpenFile f = openFile(t, fd);
            return f == null ? null : f.location();
        }));
    }

    /** /proc/PID/fdinfo/N (fs/proc/fd.c seq_show): pos, flags with O_CLOEXEC, mnt_id, ino, then the file's own lines. */
    private Map<String, Inode> fdinfos(ThreadGroup g) {
        return perDescriptor(g, (t, fd) -> ProcFile.text(fs, () -> {
            OpenFile f = openFile(t, fd);
            if (f == null) return "";
            boolean cloexec;
            try {
                cloexec = t.fds().cloexec(fd);
            } catch (RuntimeException e) {
                return "";   // closed since
            }
            int flags = f.reportedFlags() | (cloexec ? FileMode.O_CLOEXEC : 0);
            long ino = f.inode() == null ? 0 : f.inode().ino();
            return "pos:\t" + f.position() + "\nflags:\t0" + Integer.toOctalString(flags) + "\nmnt_id:\t0\nino:\t" + ino + "\n"
                    + f.fdinfoLines();
        }));
    }

    private static byte[] nulJoined(List<String> parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) sb.append(p).append('\0');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String pidStat(ThreadGroup g) {
        Task self = Task.current();
        char state = switch (g.state()) {
            case ZOMBIE -> 'Z';
            case REAPED -> 'X';
            default -> g.isStopped() ? 'T' : (self != null && self.group() == g ? 'R' : 'S');
        };
        long startTicks = (g.startNanos() - kernel.bootNanos()) / 10_000_000L;
        int threads = Math.max(1, g.tasks().size());
        return g.tgid() + " (" + g.comm() + ") " + state + " " + g.ppid() + " " + g.pgid() + " " + g.sid()
                + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 " + threads + " 0 " + startTicks + " 0 0 18446744073709551615"
                + " 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    }

    private String status(ThreadGroup g) {
        var c = g.creds();
        Task leader = g.leader();
        char state = g.state() == ThreadGroup.State.ZOMBIE ? 'Z' : g.isStopped() ? 'T' : 'S';
        String stateName = switch (state) { case 'Z' -> "Z (zombie)"; case 'T' -> "T (stopped)"; default -> "S (sleeping)"; };
        int umask = leader == null ? 022 : leader.fs().umask();
        StringBuilder groups = new StringBuilder();
        for (int gid : c.groups()) groups.append(groups.isEmpty() ? "" : " ").append(Integer.toUnsignedString(gid));
        groups.append(' '); // Linux ends the list with a space, even an empty one
        int cpus = Runtime.getRuntime().availableProcessors();
        return "Name:\t" + g.comm() + String.format("\nUmask:\t%04o", umask) + "\nState:\t" + stateName + "\nTgid:\t" + g.tgid()
                + "\nNgid:\t0\nPid:\t" + g.tgid() + "\nPPid:\t" + g.ppid() + "\nTracerPid:\t0\nUid:\t" + c.uid() + "\t" + c.euid()
                + "\t" + c.suid() + "\t" + c.fsuid() + "\nGid:\t" + c.gid() + "\t" + c.egid() + "\t" + c.sgid() + "\t" + c.fsgid()
                + "\nFDSize:\t64\nGroups:\t" + groups + "\nNStgid:\t" + g.tgid() + "\nNSpid:\t" + g.tgid()
                + "\nNSpgid:\t" + g.pgid() + "\nNSsid:\t" + g.sid() + "\nKthread:\t0\n" + memoryLines(leader)
                + "Threads:\t" + Math.max(1, g.tasks().size()) + "\nSigQ:\t0/0\n" + signalLines(g)
                + String.format("CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\n",
                        c.caps().inheritable(), c.caps().permitted(), c.caps().effective(), c.caps().bounding(), c.caps().ambient())
                + "NoNewPrivs:\t" + (c.noNewPrivs() ? 1 : 0) + "\nSeccomp:\t0\nSeccomp_filters:\t0\n"
                + "Cpus_allowed:\t" + Long.toHexString(cpus >= 64 ? -1L : (1L << cpus) - 1) + "\nCpus_allowed_list:\t0-" + (cpus - 1)
                + "\nMems_allowed:\t1\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n";
    }

    /**
     * The Vm* and Rss* lines memory-aware runtimes read (Go, the JVM, psutil): sizes from the
     * VMAs, resident pages from the memory actually populated.
     */
    private static String memoryLines(Task t) {
        if (t == null) return "";
        long size = 0, data = 0, stack = 0, exec = 0;
        var mm = t.mm();
        long rss = mm.residentBytes();
        for (Vma v : mm.vmas()) {
            size += v.length();
            if (v.name().equals("[stack]")) stack += v.length();
            else if ((v.prot() & 4) != 0) exec += v.length();
            else if ((v.prot() & 2) != 0 && !v.shared()) data += v.length();
        }
        return String.format("VmPeak:\t%8d kB\nVmSize:\t%8d kB\nVmLck:\t%8d kB\nVmPin:\t%8d kB\nVmHWM:\t%8d kB\nVmRSS:\t%8d kB\n"
                        + "RssAnon:\t%8d kB\nRssFile:\t%8d kB\nRssShmem:\t%8d kB\nVmData:\t%8d kB\nVmStk:\t%8d kB\n"
                        + "VmExe:\t%8d kB\nVmLib:\t%8d kB\nVmPTE:\t%8d kB\nVmSwap:\t%8d kB\n",
                size / 1024, size / 1024, 0, 0, rss / 1024, rss / 1024, rss / 1024, 0, 0, data / 1024, stack / 1024,
                exec / 1024, 0, 0, 0);
    }

    /** SigPnd, ShdPnd, SigBlk, SigIgn and SigCgt, as /proc/PID/status shows them. */
    private static String signalLines(ThreadGroup g) {
        Task t = g.leader();
        long blocked = t == null ? 0 : t.signalMask(), pending = t == null ? 0 : t.pendingMask();
        long ignored = 0, caught = 0;
        for (int sig = 1; sig <= dev.jvisor.abi.linux.Signal.NSIG; sig++) {
            var a = g.handlers().get(sig);
            if (a.isIgnore()) ignored |= dev.jvisor.abi.linux.Signal.bit(sig);
            else if (!a.isDefault()) caught |= dev.jvisor.abi.linux.Signal.bit(sig);
        }
        return String.format("SigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
                pending, pending, blocked, ignored, caught);
    }

    private String maps(ThreadGroup g) {
        Task t = g.leader();
        if (t == null) return "";
        StringBuilder sb = new StringBuilder();
        java.util.Iterator<Layout.SpecialMapping> special = Layout.specialMappings().iterator();
        Layout.SpecialMapping next = special.hasNext() ? special.next() : null;
        for (Vma v : t.mm().vmas()) {
            while (next != null && next.start() < v.start()) {
                mapsLine(sb, next.start(), next.end(), next.perms(), next.name());
                next = special.hasNext() ? special.next() : null;
            }
            int p = v.prot();
            String perms = new String(new char[] {(p & 1) != 0 ? 'r' : '-', (p & 2) != 0 ? 'w' : '-', (p & 4) != 0 ? 'x' : '-',
                    v.shared() ? 's' : 'p'});
            mapsLine(sb, v.start(), v.end(), perms, v.name());
        }
        for (; next != null; next = special.hasNext() ? special.next() : null) {
            mapsLine(sb, next.start(), next.end(), next.perms(), next.name());
        }
        return sb.toString();
    }

    private static void mapsLine(StringBuilder sb, long start, long end, String perms, String name) {
        sb.append(String.format("%08x-%08x %s %08x 00:00 0", start, end, perms, 0));
        if (!name.isEmpty()) sb.append(" ".repeat(26)).append(name);
        sb.append('\n');
    }

    private String meminfo() {
        long used = dev.jvisor.sentry.mm.MemoryFile.get().allocatedBytes() / 1024;
        long free = Math.max(0, TOTAL_MEM_KB - used);
        return "MemTotal:       " + TOTAL_MEM_KB + " kB\nMemFree:        " + free + " kB\nMemAvailable:   " + free
                + " kB\nBuffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
                + "SwapTotal:             0 kB\nSwapFree:              0 kB\nShmem:                 0 kB\n";
    }

    private static String cpuinfo() {
        StringBuilder sb = new StringBuilder();
        int n = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < n; i++) {
            sb.append("processor\t: ").append(i).append("\nvendor_id\t: GenuineIntel\nmodel name\t: jVisor virtual CPU\n")
              .append("cpu MHz\t\t: 2000.000\ncache size\t: 8192 KB\nphysical id\t: 0\nsiblings\t: ").append(n)
              .append("\ncore id\t\t: ").append(i).append("\ncpu cores\t: ").append(n)
              .append("\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2\nbogomips\t: 4000.00\n\n");
        }
        return sb.toString();
    }

    private String stat() {
        int n = Runtime.getRuntime().availableProcessors();
        StringBuilder sb = new StringBuilder("cpu  0 0 0 0 0 0 0 0 0 0\n");
        for (int i = 0; i < n; i++) sb.append("cpu").append(i).append(" 0 0 0 0 0 0 0 0 0 0\n");
        sb.append("intr 0\nctxt 0\nbtime ").append(kernel.bootEpochNanos() / 1_000_000_000L)
          .append("\nprocesses ").append(lastPid()).append("\nprocs_running 1\nprocs_blocked 0\nsoftirq 0\n");
        return sb.toString();
    }

    private String mountinfo() {
        Task t = Task.current();
        return t == null ? "" : kernel.vfs().mountinfoText(t.fs());
    }

    private String mounts() {
        Task t = Task.current();
        if (t == null) return "";
        return kernel.vfs().mountsText(t.fs());
    }
}
