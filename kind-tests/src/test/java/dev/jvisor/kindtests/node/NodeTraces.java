package dev.jvisor.kindtests.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the pods of a {@link PrivateContainerd} with CRI leave on this host, one description per
 * trace: shims; any other process that works in, names or is accounted under the test's
 * directory or pod cgroup parent (sandbox JVMs, gofers, container processes); mounts under the
 * directory; the pods' cgroups; each runtime handler's state entries; the pods' shim sockets.
 * Empty after a pod is removed means the runtime cleaned up everything it made.
 */
final class NodeTraces {
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private final PrivateContainerd containerd;
    private final List<PrivateContainerd.CriHandler> handlers;
    private final String cgroupParent;

    /** {@code cgroupParent}: the pods' {@code cgroup_parent}, e.g. {@code /jvisor-cri-123}. */
    NodeTraces(PrivateContainerd containerd, List<PrivateContainerd.CriHandler> handlers, String cgroupParent) {
        this.containerd = containerd;
        this.handlers = handlers;
        this.cgroupParent = cgroupParent;
    }

    /** The traces now, for pods {@code podIds} (whose shim sockets are looked for). */
    List<String> of(Collection<String> podIds) throws IOException {
        List<String> left = new ArrayList<>();
        Set<Long> shims = containerd.shims().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        shims.forEach(pid -> left.add("shim process " + pid));
        Set<Long> ours = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        ours.add(ProcessHandle.current().pid());
        ours.add(containerd.pid());
        List<ProcessHandle> others = ProcessHandle.allProcesses().filter(p -> !ours.contains(p.pid()) && !shims.contains(p.pid())).toList();
        Map<Long, String> pods = new TreeMap<>();
        for (ProcessHandle p : others) why(p).ifPresent(why -> pods.put(p.pid(), why));
        // Then whatever such a process started or traces (a sandbox's stubs), however it calls itself.
        for (boolean grew = true; grew; ) {
            grew = false;
            for (ProcessHandle p : others) {
                if (pods.containsKey(p.pid())) continue;
                long parent = p.parent().map(ProcessHandle::pid).orElse(0L);
                long tracer = Sentries.tracerOf(p.pid()).orElse(0);
                if (pods.containsKey(parent)) pods.put(p.pid(), "child of " + parent);
                else if (pods.containsKey(tracer)) pods.put(p.pid(), "traced by " + tracer);
                else continue;
                grew = true;
            }
        }
        pods.forEach((pid, why) -> left.add("process " + pid + " " + ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("?") + ": " + why));
        containerd.mounts().forEach(m -> left.add("mount " + m));
        for (Path cgroup : podCgroups()) left.add("cgroup " + cgroup);
        for (PrivateContainerd.CriHandler h : handlers) {
            Path state = h.root().resolve(PrivateContainerd.CRI_NAMESPACE);
            if (!Files.isDirectory(state)) continue;
            try (Stream<Path> entries = Files.list(state)) {
                entries.forEach(p -> left.add(h.name() + " state " + p));
            }
        }
        for (String pod : podIds) {
            if (Files.exists(containerd.shimSocket(pod))) left.add("shim socket " + containerd.shimSocket(pod) + " of pod " + pod);
        }
        return left;
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

    /** Removes the (empty) pod cgroup parent from every hierarchy that has it. */
    void removeCgroupParent() throws IOException {
        if (!Files.isDirectory(CGROUP_ROOT)) return;
        try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
            for (Path h : hierarchies.toList()) {
                Path parent = h.resolve(cgroupParent.substring(1));
                if (Files.isDirectory(parent)) {
                    try {
                        Files.delete(parent); // rmdir of a cgroup: only an empty one goes
                    } catch (IOException e) {
                        // still in use: the leftover check reports why
                    }
                }
            }
        }
    }
}
