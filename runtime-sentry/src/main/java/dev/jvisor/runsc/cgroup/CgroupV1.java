package dev.jvisor.runsc.cgroup;

import dev.jvisor.oci.OciSpec;
import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One container's cgroup in the v1 hierarchies of the controllers jVisor uses. Only
 * controllers mounted on this host are touched; a controller mounted together with another
 * (cpu,cpuacct) is one directory reached by both names.
 */
public final class CgroupV1 {
    public static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");
    static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct");
    /** USER_HZ, the unit of cpuacct.stat (include/asm-generic/param.h). */
    private static final long USER_HZ = 100;
    /** How long delete waits for the last processes to leave before the cgroup can go. */
    private static final long REMOVE_WAIT_MILLIS = 5_000;

    private final Path root;
    private final String relative;

    private CgroupV1(Path root, String relative) {
        this.root = root;
        this.relative = relative;
    }

    /** The cgroup at {@code relative} (from {@link CgroupPath#resolve}) under the mounts in {@code root}. */
    public static CgroupV1 at(Path root, String relative) {
        return new CgroupV1(root, relative);
    }

    public String relative() { return relative; }

    /** The cgroup's directories that exist or can exist: one per mounted controller, deduplicated. */
    private List<Path> dirs() {
        Set<Path> out = new LinkedHashSet<>();
        for (String c : CONTROLLERS) {
            Path mount = root.resolve(c);
            if (Files.isDirectory(mount) && Files.exists(mount.resolve("cgroup.procs"))) {
                try {
                    out.add(mount.toRealPath().resolve(relative));
                } catch (IOException e) {
                    // not a usable mount
                }
            }
        }
        return new ArrayList<>(out);
    }

    private Path dir(String controller) {
        return root.resolve(controller).resolve(relative);
    }

    /** Makes the cgroup's directories; fails if no controller is mounted. */
    public void create() throws CgroupException {
        List<Path> dirs = dirs();
        if (dirs.isEmpty()) throw new CgroupException("no cgroup v1 controller (memory, pids, cpu) is mounted under " + root);
        for (Path d : dirs) {
            try {
                Files.createDirectories(d);
            } catch (IOException e) {
                throw new CgroupException("cannot make cgroup " + d + ": " + e.getMessage(), e);
            }
        }
    }

    /** Moves process {@code pid} (and the threads and children it makes from now on) into the cgroup. */
    public void join(long pid) throws CgroupException {
        for (Path d : dirs()) write(d.resolve("cgroup.procs"), Long.toString(pid));
    }

    /**
     * Joins a process that may exit meanwhile (a short-lived helper listed among a sandbox's
     * processes): one that is gone has nothing left to limit, so the write's ESRCH is no error.
     * Returns whether the process joined.
     */
    public boolean joinIfAlive(long pid) throws CgroupException {
        try {
            join(pid);
            return true;
        } catch (CgroupException e) {
            if (ProcessHandle.of(pid).isPresent()) throw e;
            return false;
        }
    }

    /** Applies the limits that are set; absent ones stay as they are. -1 means no limit. */
    public void apply(OciSpec.Resources r) throws CgroupException {
        if (r == null) return;
        if (r.memoryLimit() != null) write(dir("memory").resolve("memory.limit_in_bytes"), Long.toString(r.memoryLimit()));
        if (r.memoryReservation() != null) write(dir("memory").resolve("memory.soft_limit_in_bytes"), Long.toString(r.memoryReservation()));
        if (r.memorySwap() != null && Files.exists(dir("memory").resolve("memory.memsw.limit_in_bytes"))) {
            write(dir("memory").resolve("memory.memsw.limit_in_bytes"), Long.toString(r.memorySwap()));
        }
        if (r.cpuShares() != null) write(dir("cpu").resolve("cpu.shares"), Long.toString(r.cpuShares()));
        if (r.cpuPeriod() != null) write(dir("cpu").resolve("cpu.cfs_period_us"), Long.toString(r.cpuPeriod()));
        if (r.cpuQuota() != null) write(dir("cpu").resolve("cpu.cfs_quota_us"), Long.toString(r.cpuQuota()));
        if (r.pidsLimit() != null) write(dir("pids").resolve("pids.max"), r.pidsLimit() < 0 ? "max" : Long.toString(r.pidsLimit()));
    }

    /** Host pids in the cgroup (from its memory hierarchy, or the first one mounted). */
    public List<Long> pids() throws CgroupException {
        List<Long> out = new ArrayList<>();
        List<Path> dirs = dirs();
        if (dirs.isEmpty()) return out;
        for (String line : lines(dirs.getFirst().resolve("cgroup.procs"))) out.add(Long.parseLong(line.strip()));
        return out;
    }

    /** The cgroup's statistics as runc's {@code events --stats} prints them in {@code data}. */
    public JsonObject stats() throws CgroupException {
        JsonObject.Builder data = JsonObject.builder();
        Path cpuacct = dir("cpuacct");
        if (Files.exists(cpuacct.resolve("cpuacct.usage"))) {
            List<JsonValue> percpu = new ArrayList<>();
            for (String v : read(cpuacct.resolve("cpuacct.usage_percpu")).strip().split("\\s+")) {
                if (!v.isEmpty()) percpu.add(JsonNumber.of(Long.parseLong(v)));
            }
            long user = 0, system = 0;
            for (String line : lines(cpuacct.resolve("cpuacct.stat"))) {
                String[] f = line.split(" ");
                if (f[0].equals("user")) user = Long.parseLong(f[1]) * (1_000_000_000L / USER_HZ);
                if (f[0].equals("system")) system = Long.parseLong(f[1]) * (1_000_000_000L / USER_HZ);
            }
            data.put("cpu", JsonObject.builder().put("usage", JsonObject.builder()
                    .put("total", number(cpuacct.resolve("cpuacct.usage"))).put("percpu", new JsonArray(percpu))
                    .put("kernel", system).put("user", user).build())
                    .put("throttling", JsonObject.builder().build()).build());
        }
        Path memory = dir("memory");
        if (Files.exists(memory.resolve("memory.usage_in_bytes"))) {
            JsonObject.Builder raw = JsonObject.builder();
            for (String line : lines(memory.resolve("memory.stat"))) {
                String[] f = line.split(" ");
                if (f.length == 2) raw.put(f[0], Long.parseLong(f[1]));
            }
            data.put("memory", JsonObject.builder().put("usage", JsonObject.builder()
                    .put("limit", number(memory.resolve("memory.limit_in_bytes")))
                    .put("usage", number(memory.resolve("memory.usage_in_bytes")))
                    .put("max", number(memory.resolve("memory.max_usage_in_bytes")))
                    .put("failcnt", number(memory.resolve("memory.failcnt"))).build())
                    .put("raw", raw.build()).build());
        }
        Path pids = dir("pids");
        if (Files.exists(pids.resolve("pids.current"))) {
            String max = read(pids.resolve("pids.max")).strip();
            data.put("pids", JsonObject.builder().put("current", number(pids.resolve("pids.current")))
                    .put("limit", max.equals("max") ? 0 : Long.parseLong(max)).build());
        }
        return data.put("blkio", JsonObject.builder().build()).put("hugetlb", JsonObject.builder().build()).build();
    }

    /** Removes the cgroup once its processes are gone (a killed sandbox's last stubs may take a moment). */
    public void remove() throws CgroupException {
        long deadline = System.nanoTime() + REMOVE_WAIT_MILLIS * 1_000_000;
        for (Path d : dirs()) {
            while (true) {
                try {
                    Files.deleteIfExists(d);
                    break;
                } catch (NoSuchFileException gone) {
                    break;
                } catch (IOException busy) {
                    if (System.nanoTime() > deadline) throw new CgroupException("cannot remove cgroup " + d + ": " + busy.getMessage(), busy);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CgroupException("interrupted while removing cgroup " + d);
                    }
                }
            }
        }
    }

    private static void write(Path file, String value) throws CgroupException {
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new CgroupException("cannot write " + value + " to " + file + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) throws CgroupException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new CgroupException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> lines(Path file) throws CgroupException {
        return read(file).lines().filter(l -> !l.isBlank()).toList();
    }

    private static long number(Path file) throws CgroupException {
        try {
            return Long.parseLong(read(file).strip());
        } catch (NumberFormatException e) {
            throw new CgroupException(file + " does not hold a number", e);
        }
    }
}
