package dev.jvisor.runsc.dist;

import static dev.jvisor.runsc.dist.HostPids.alive;
import static dev.jvisor.runsc.dist.HostPids.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.oci.Capability;
import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.sentry.host.confine.SandboxLaunch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's confinement on the host, looked at from the host while it runs, through the
 * packaged bin/runsc: the Sentry and its Gofers in mount, pid, ipc, uts and net namespaces that
 * are not the host's, the Sentry under its seccomp filter on every thread, both with only the
 * capabilities they need, the Sentry in the container's cgroup; ps still answers host pids; a
 * stub started after the filter (exec) and a Gofer started after it (a pod's second container,
 * whose root the host mounted after the Sentry's mount namespace was made) still work; and when
 * it ends nothing is left: no process, no mount, no cgroup, no state.
 */
class ConfinementIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime")).toAbsolutePath();
    private static final Path ROOTFS = Path.of(System.getProperty("jvisor.rootfs.busybox", "target/rootfs-busybox")).toAbsolutePath();
    private static final List<String> NAMESPACES = List.of("mnt", "pid", "ipc", "uts", "net");

    @TempDir Path work;
    private final List<Long> launchers = new ArrayList<>();

    @BeforeEach
    void busybox() {
        assumeTrue(Files.isDirectory(ROOTFS), "no busybox rootfs (busybox-static missing)");
    }

    private String cgroup;

    @AfterEach
    void nothingOutlivesATest() throws Exception {
        for (long pid : launchers) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        // A failed test leaves its cgroup behind: removed once the killed sandbox has left it.
        if (cgroup == null) return;
        within(10, () -> launchers.stream().allMatch(pid -> !alive(pid)));
        try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path c : controllers.toList()) {
                try {
                    Files.deleteIfExists(c.resolve(cgroup));
                } catch (IOException e) {
                    // not empty yet or not a controller: nothing more a test can do
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private Path bundle(String name, String annotations, String linux, String script) throws Exception {
        Path b = Files.createDirectories(work.resolve(name));
        Path rootfs = b.resolve("rootfs");
        assertThat(new ProcessBuilder("cp", "-a", ROOTFS.toString(), rootfs.toString()).start().waitFor()).isZero();
        Files.writeString(rootfs.resolve(name + "-marker"), name + "\n");
        Files.writeString(b.resolve("config.json"), """
                {"ociVersion":"1.0.2","hostname":"box",
                 "process":{"user":{"uid":0,"gid":0},"args":["/bin/sh","-c",%s],"env":["PATH=/bin"],"cwd":"/"},
                 "root":{"path":"rootfs"},"annotations":{%s}%s}""".formatted(
                dev.jvisor.oci.json.JsonWriter.quote(script), annotations, linux));
        return b;
    }

    private List<String> runscCommand(List<String> global, String... args) {
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toString(), "--root", work.resolve("root").toString(),
                "--log", work.resolve("log.json").toString(), "--log-format", "json"));
        cmd.addAll(global);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private DistributionIT.Result runsc(Path bundle, String... args) throws Exception {
        return DistributionIT.exec(bundle, Map.of(), runscCommand(List.of(), args).toArray(String[]::new));
    }

    /** create + start; returns the pid create wrote, the sandbox's launcher. */
    private long run(Path bundle, String id, List<String> global) throws Exception {
        Path out = work.resolve(id + ".out");
        Path pidFile = bundle.resolve("init.pid");
        Process p = new ProcessBuilder(runscCommand(global, "create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id))
                .directory(bundle.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(read(out) + lastError()).isZero();
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        launchers.add(pid);
        var start = runsc(bundle, "start", id);
        assertThat(start.status()).as(start.err() + lastError()).isZero();
        assertThat(within(30, () -> read(out).contains("ready"))).as(read(out) + lastError()).isTrue();
        return pid;
    }

    private String lastError() {
        List<String> lines = read(work.resolve("log.json")).lines().toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static String ns(long pid, String ns) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", ns)).toString();
    }

    /** A {@code Name:} line of /proc/PID/status (or of one of its threads), without the name. */
    private static String status(Path statusFile, String name) throws IOException {
        return Files.readAllLines(statusFile).stream().filter(l -> l.startsWith(name + ":"))
                .map(l -> l.substring(name.length() + 1).strip()).findFirst().orElseThrow();
    }

    private static String status(long pid, String name) throws IOException {
        return status(Path.of("/proc", Long.toString(pid), "status"), name);
    }

    /** The host's proc mounts, from this process's mountinfo. */
    private static List<String> procMounts() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(" - proc ")).toList();
    }

    private static long mask(Set<Capability> caps) {
        return caps.stream().mapToLong(Capability::bit).reduce(0, (a, b) -> a | b);
    }

    private static long onlyChild(long pid) {
        List<ProcessHandle> children = ProcessHandle.of(pid).orElseThrow().children().toList();
        assertThat(children).hasSize(1);
        return children.getFirst().pid();
    }

    private static List<Long> gofers(long sentry) {
        return ProcessHandle.of(sentry).orElseThrow().children()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains("dev.jvisor.gofer.GoferMain")).orElse(false))
                .map(ProcessHandle::pid).toList();
    }



    // ---------------------------------------------------------------- tests

    @Test
    void theSentryAndItsGoferRunConfinedAndNothingIsLeftAfterwards() throws Exception {
        cgroup = "jvisor-confinement-it-" + ProcessHandle.current().pid();
        Path memoryCgroup = Path.of("/sys/fs/cgroup/memory", cgroup);
        assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")), "no cgroup v1 memory controller");
        List<String> hostProcMounts = procMounts();
        // One process that stays, so that the set of stubs holds still while it is looked at.
        Path bundle = bundle("c1", "", ",\"linux\":{\"cgroupsPath\":\"/" + cgroup + "\"}", "echo ready; exec sleep 100000");
        long launcher = run(bundle, "c1", List.of());
        long sentry = onlyChild(launcher);

        // Namespaces: none of the five is the host's; the Sentry is pid 1 of its own.
        for (String n : NAMESPACES) assertThat(ns(sentry, n)).as(n).isNotEqualTo(ns(ProcessHandle.current().pid(), n));
        assertThat(status(sentry, "NSpid")).isEqualTo(sentry + "\t1");
        // Seccomp on every thread, no_new_privs, and only the Gofer's capabilities (no CAP_SYS_ADMIN).
        try (var tasks = Files.list(Path.of("/proc", Long.toString(sentry), "task"))) {
            List<Path> threads = tasks.toList();
            assertThat(threads).hasSizeGreaterThan(5);
            for (Path t : threads) assertThat(status(t.resolve("status"), "Seccomp")).as(t.toString()).isEqualTo("2");
        }
        assertThat(status(sentry, "NoNewPrivs")).isEqualTo("1");
        long sentryCaps = mask(SandboxLaunch.sentryCapabilities(false));
        assertThat(Long.parseUnsignedLong(status(sentry, "CapBnd"), 16)).isEqualTo(sentryCaps);
        assertThat(Long.parseUnsignedLong(status(sentry, "CapEff"), 16)).isEqualTo(sentryCaps);
        assertThat(sentryCaps & (Capability.CAP_SYS_ADMIN.bit() | Capability.CAP_SYS_PTRACE.bit() | Capability.CAP_NET_ADMIN.bit())).isZero();
        // In the container's cgroup, although the launcher forked it before create made the cgroup.
        assertThat(Files.readAllLines(Path.of("/proc", Long.toString(sentry), "cgroup"))).anyMatch(l -> l.endsWith(":memory:/" + cgroup));

        // The Gofer: the sandbox's namespaces, its own narrower capabilities, chrooted.
        List<Long> gofers = gofers(sentry);
        assertThat(gofers).hasSize(1);
        long gofer = gofers.getFirst();
        for (String n : NAMESPACES) assertThat(ns(gofer, n)).as(n).isEqualTo(ns(sentry, n));
        long goferCaps = mask(SandboxLaunch.goferCapabilities());
        assertThat(Long.parseUnsignedLong(status(gofer, "CapBnd"), 16)).isEqualTo(goferCaps);
        assertThat(Long.parseUnsignedLong(status(gofer, "CapEff"), 16)).isEqualTo(goferCaps);
        assertThat(status(gofer, "Seccomp")).isEqualTo("2");

        // ps: host pids, all of them the sandbox's, each also known by a pid in the sandbox's namespace.
        var ps = runsc(bundle, "ps", "--format", "json", "c1");
        List<Long> pids = ((JsonArray) JsonParser.parse(ps.out())).elements().stream()
                .map(v -> ((JsonNumber) v).longValueExact().getAsLong()).toList();
        assertThat(pids.getFirst()).isEqualTo(launcher);
        List<Long> sandbox = ProcessHandle.of(launcher).orElseThrow().descendants().map(ProcessHandle::pid).toList();
        assertThat(pids.subList(1, pids.size())).isNotEmpty().allMatch(sandbox::contains);
        for (long stub : pids.subList(1, pids.size())) assertThat(status(stub, "NSpid").split("\t")).hasSize(2);

        // A stub spawned after the filter runs; the application's own calls are the Sentry's to serve.
        var exec = runsc(bundle, "exec", "c1", "/bin/sh", "-c", "echo $((6*7)) $(hostname)");
        assertThat(exec.status()).as(exec.err() + lastError()).isZero();
        assertThat(exec.out()).isEqualTo("42 box\n");
        // The sandbox's own /proc stays in its mount namespace. (Only proc mounts are compared:
        // other containers on this host come and go meanwhile.)
        assertThat(procMounts()).isEqualTo(hostProcMounts);

        assertThat(runsc(bundle, "kill", "c1", "9").status()).as(lastError()).isZero();
        assertThat(within(30, () -> !alive(launcher) && !alive(sentry) && !alive(gofer))).isTrue();
        assertThat(runsc(bundle, "wait", "c1").out().strip()).isEqualTo("{\"id\":\"c1\",\"exitStatus\":137}");
        assertThat(runsc(bundle, "delete", "c1").status()).as(lastError()).isZero();
        for (long pid : sandbox) assertThat(alive(pid)).as("process %d", pid).isFalse();
        assertThat(memoryCgroup).doesNotExist();
        try (var left = Files.list(work.resolve("root"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aPodsLaterContainerWhoseRootWasMountedAfterTheSentryStartedIsServedByAGoferUnderTheFilter() throws Exception {
        Path pause = bundle("pause", "\"io.kubernetes.cri.container-type\":\"sandbox\"", "", "echo ready; while :; do sleep 1; done");
        long launcher = run(pause, "pause", List.of());
        long sentry = onlyChild(launcher);
        assertThat(gofers(sentry)).hasSize(1);
        // As containerd does for a pod's next container: its root is mounted on the host now,
        // after the Sentry's mount namespace was made, and this host propagates no mounts into it.
        Path app = bundle("app", "\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-id\":\"pause\"", "",
                "echo ready $(cat /app-marker); while :; do sleep 1; done");
        Path appRoot = app.resolve("rootfs");
        Path staged = Files.move(appRoot, app.resolve("staged"));
        Files.createDirectory(appRoot);
        assertThat(new ProcessBuilder("mount", "-t", "tmpfs", "jvisor-confinement-it", appRoot.toString()).inheritIO().start().waitFor()).isZero();
        try {
            assertThat(new ProcessBuilder("cp", "-a", staged + "/.", appRoot.toString()).start().waitFor()).isZero();
            run(app, "app", List.of());
            assertThat(read(work.resolve("app.out"))).isEqualTo("ready app\n");
            List<Long> gofers = gofers(sentry);
            assertThat(gofers).hasSize(2);
            // The later Gofer carries the Sentry's filter under its own, and is chrooted all the same.
            assertThat(gofers.stream().map(g -> {
                try {
                    return status(g, "Seccomp_filters");
                } catch (IOException e) {
                    return "gone";
                }
            })).containsExactlyInAnyOrder("1", "2");
            assertThat(runsc(app, "delete", "--force", "app").status()).as(lastError()).isZero();
            assertThat(runsc(pause, "delete", "--force", "pause").status()).as(lastError()).isZero();
            assertThat(within(30, () -> !alive(launcher) && !alive(sentry))).isTrue();
            try (var left = Files.list(work.resolve("root"))) {
                assertThat(left).isEmpty();
            }
        } finally {
            for (long pid : launchers) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            within(10, () -> launchers.stream().allMatch(pid -> !alive(pid)));
            new ProcessBuilder("umount", appRoot.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void aCreatedContainerStillDiesOfSigtermAlthoughItsLauncherIgnoresIt() throws Exception {
        Path bundle = bundle("created", "", "", "echo never started");
        Path pidFile = bundle.resolve("init.pid");
        Process p = new ProcessBuilder(runscCommand(List.of(), "create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "created"))
                .directory(bundle.toFile()).redirectOutput(work.resolve("created.out").toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(read(work.resolve("created.out")) + lastError()).isZero();
        long launcher = Long.parseLong(Files.readString(pidFile).strip());
        launchers.add(launcher);
        long sentry = onlyChild(launcher);
        assertThat(runsc(bundle, "kill", "created", "15").status()).as(lastError()).isZero();
        assertThat(within(30, () -> !alive(launcher) && !alive(sentry))).as("the sandbox ends of SIGTERM").isTrue();
        assertThat(runsc(bundle, "delete", "created").status()).as(lastError()).isZero();
    }

    @Test
    void onTheHostNetworkTheSentryKeepsTheHostsNetworkNamespaceAndPortCapabilities() throws Exception {
        Path bundle = bundle("hostnet", "", "", "echo ready; while :; do sleep 1; done");
        long launcher = run(bundle, "hostnet", List.of("--network=host"));
        long sentry = onlyChild(launcher);
        assertThat(ns(sentry, "net")).isEqualTo(ns(ProcessHandle.current().pid(), "net"));
        assertThat(ns(sentry, "mnt")).isNotEqualTo(ns(ProcessHandle.current().pid(), "mnt"));
        assertThat(Long.parseUnsignedLong(status(sentry, "CapBnd"), 16)).isEqualTo(mask(SandboxLaunch.sentryCapabilities(true)));
        assertThat(runsc(bundle, "delete", "--force", "hostnet").status()).as(lastError()).isZero();
        assertThat(within(30, () -> !alive(launcher) && !alive(sentry))).isTrue();
    }
}
