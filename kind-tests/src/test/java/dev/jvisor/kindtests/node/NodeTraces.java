package dev.jvisor.kindtests.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the containers or pods of a {@link PrivateContainerd} leave on this host, one description
 * per trace: shims; the Sentries ({@code runsc boot}) and exec waiters of the runsc installation
 * under test; any other process that works in, names or is accounted under the test's directory
 * or cgroup parent (gofers, container processes, a sandbox's stubs); mounts under the directory;
 * cgroups under the parent; each runtime's state entries; the shim sockets of the given ids.
 * Empty after a container is removed means the runtime cleaned up everything it made. The tests
 * that drive tasks through ctr and those that drive pods through CRI share this one check.
 */
final class NodeTraces {
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /** Shims and sandboxes exit just after ctr or a CRI call returns: how long to let them. */
    static final Duration SETTLE = Duration.ofSeconds(15);
    private static final String EXEC_WAITER_CLASS = "dev.jvisor.runsc.control.ExecWaiter";

    /** A runtime's state directory (its {@code --root} plus the containerd namespace): one entry per container. */
    record StateDir(String runtime, Path dir) {}

    private final PrivateContainerd containerd;
    private final List<StateDir> states;
    private final String cgroupParent;
    private final Path jvisorHome;

    /**
     * @param cgroupParent the cgroup the containers are put under, e.g. {@code /jvisor-cri-123}
     * @param jvisorHome   the runsc installation under test (its {@code bin/..})
     */
    NodeTraces(PrivateContainerd containerd, List<StateDir> states, String cgroupParent, Path jvisorHome) {
        this.containerd = containerd;
        this.states = List.copyOf(states);
        this.cgroupParent = cgroupParent;
        this.jvisorHome = jvisorHome;
    }

    /** For pods made through CRI under {@code cgroupParent}, one state directory per runtime handler. */
    static NodeTraces ofCriPods(PrivateContainerd containerd, List<PrivateContainerd.CriHandler> handlers,
                                String cgroupParent, Path jvisorHome) {
        return new NodeTraces(containerd, handlers.stream()
                .map(h -> new StateDir(h.name(), h.root().resolve(PrivateContainerd.CRI_NAMESPACE))).toList(),
                cgroupParent, jvisorHome);
    }

    /**
     * For tasks run with ctr behind the runc shim with {@link PrivateContainerd#runtimeFlags}: ctr
     * puts each container in the cgroup {@code /<namespace>/<id>}, and the runtime (runc or
     * runsc) keeps its state under the shim's runc root.
     */
    static NodeTraces ofCtrTasks(PrivateContainerd containerd, Path jvisorHome) {
        return new NodeTraces(containerd,
                List.of(new StateDir("runsc", containerd.runcRoot().resolve(containerd.namespace()))),
                "/" + containerd.namespace(), jvisorHome);
    }

    /** The traces once the host has settled: polls for up to {@link #SETTLE} until none are left. */
    List<String> settled(Collection<String> ids) throws IOException, InterruptedException {
        return settled(ids, SETTLE);
    }

    /** The traces once the host has settled: polls for up to {@code wait} until none are left. */
    List<String> settled(Collection<String> ids, Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<String> left = of(ids);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
            left = of(ids);
        }
        return left;
    }

    /** The traces now, for containers or pods {@code ids} (whose shim sockets are looked for). */
    List<String> of(Collection<String> ids) throws IOException {
        List<String> left = new ArrayList<>();
        Set<Long> shims = containerd.shims().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        shims.forEach(pid -> left.add("shim process " + pid));
        Set<Long> ours = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        ours.add(ProcessHandle.current().pid());
        ours.add(containerd.pid());
        List<ProcessHandle> others = ProcessHandle.allProcesses().filter(p -> !ours.contains(p.pid()) && !shims.contains(p.pid())).toList();
        // jVisor's own processes by what they run; then any other by where it works or is accounted.
        Map<Long, String> jvisor = new TreeMap<>();
        Map<Long, String> pods = new TreeMap<>();
        for (ProcessHandle p : others) {
            if (isSentry(p)) jvisor.put(p.pid(), "sandbox process");
            else if (isExecWaiter(p)) jvisor.put(p.pid(), "exec waiter");
            else why(p).ifPresent(why -> pods.put(p.pid(), why));
        }
        // Then whatever such a process started or traces (a sandbox's stubs), however it calls itself.
        for (boolean grew = true; grew; ) {
            grew = false;
            for (ProcessHandle p : others) {
                if (pods.containsKey(p.pid()) || jvisor.containsKey(p.pid())) continue;
                long parent = p.parent().map(ProcessHandle::pid).orElse(0L);
                long tracer = Sentries.tracerOf(p.pid()).orElse(0);
                if (pods.containsKey(parent) || jvisor.containsKey(parent)) pods.put(p.pid(), "child of " + parent);
                else if (pods.containsKey(tracer) || jvisor.containsKey(tracer)) pods.put(p.pid(), "traced by " + tracer);
                else continue;
                grew = true;
            }
        }
        jvisor.forEach((pid, what) -> left.add(what + " " + pid));
        pods.forEach((pid, why) -> left.add("process " + pid + " " + ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("?") + ": " + why));
        containerd.mounts().forEach(m -> left.add("mount " + m));
        for (Path cgroup : podCgroups()) left.add("cgroup " + cgroup);
        for (StateDir state : states) {
            if (!Files.isDirectory(state.dir())) continue;
            try (Stream<Path> entries = Files.list(state.dir())) {
                entries.forEach(p -> left.add(state.runtime() + " state " + p));
            }
        }
        for (String id : ids) {
            if (Files.exists(containerd.shimSocket(id))) left.add("shim socket " + containerd.shimSocket(id) + " of " + id);
        }
        return left;
    }

    /** A Sentry of the installation under test: {@code runsc boot}'s JVM, which names its home. */
    private boolean isSentry(ProcessHandle p) {
        List<String> argv = p.info().arguments().map(List::of).orElse(List.of());
        return argv.contains("-Djvisor.home=" + jvisorHome) && argv.contains("boot");
    }

    /** An exec's waiter started from the installation under test (its class path lies in the home). */
    private boolean isExecWaiter(ProcessHandle p) {
        List<String> argv = p.info().arguments().map(List::of).orElse(List.of());
        return argv.contains(EXEC_WAITER_CLASS) && argv.stream().anyMatch(a -> a.contains(jvisorHome + "/lib/"));
    }

    /** Why process {@code p} belongs to the test's pods, if it does. */
    private Optional<String> why(ProcessHandle p) {
        String dir = containerd.dir().toString();
        Path proc = Path.of("/proc", Long.toString(p.pid()));
        try {
            if (p.info().arguments().map(a -> Stream.of(a).anyMatch(s -> s.contains(dir))).orElse(false)) return Optional.of("argv names " + dir);
            if (Files.readSymbolicLink(proc.resolve("cwd")).startsWith(containerd.dir())) return Optional.of("works in " + dir);
            if (Files.readString(proc.resolve("cgroup")).contains(":" + cgroupParent + "/")) return Optional.of("in cgroup " + cgroupParent);
        } catch (IOException | UnsupportedOperationException e) {
            // gone meanwhile, or a kernel thread
        }
        return Optional.empty();
    }

    /** The cgroups under the pods' parent, in every v1 hierarchy (the v2 one here has no controllers, but is looked at too). */
    private List<Path> podCgroups() throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(CGROUP_ROOT)) return found;
        try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(cgroupParent.substring(1));
                if (!Files.isDirectory(parent)) continue;
                try (Stream<Path> children = Files.list(parent)) {
                    children.filter(Files::isDirectory).forEach(found::add);
                }
            }
        }
        return found;
    }

    /**
     * Removes the (empty) cgroup parent from every hierarchy that has it: the runtimes remove each
     * container's cgroup but, as runc does, leave the parent it was created under. Returns the
     * hierarchies where it is still there (in use, or not removable), for the teardown to assert
     * on; empty means nothing of the tests' cgroups stays on the host.
     */
    List<Path> removeCgroupParent() throws IOException {
        List<Path> kept = new ArrayList<>();
        if (!Files.isDirectory(CGROUP_ROOT)) return kept;
        try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(cgroupParent.substring(1));
                if (!Files.isDirectory(parent)) continue;
                try {
                    Files.delete(parent); // rmdir of a cgroup: only an empty one goes
                } catch (IOException e) {
                    kept.add(parent);
                }
            }
        }
        return kept;
    }
}
