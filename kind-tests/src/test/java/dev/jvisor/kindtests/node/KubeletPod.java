package dev.jvisor.kindtests.node;

import dev.jvisor.kindtests.cri.CriCallException;
import dev.jvisor.kindtests.cri.CriClient;
import dev.jvisor.kindtests.cri.CriLogFile;
import dev.jvisor.kindtests.cri.VerboseInfo;
import dev.jvisor.cri.v1.CriApi.ContainerConfig;
import dev.jvisor.cri.v1.CriApi.ContainerFilter;
import dev.jvisor.cri.v1.CriApi.ContainerMetadata;
import dev.jvisor.cri.v1.CriApi.ContainerState;
import dev.jvisor.cri.v1.CriApi.ContainerStatus;
import dev.jvisor.cri.v1.CriApi.ExecSyncResponse;
import dev.jvisor.cri.v1.CriApi.ImageSpec;
import dev.jvisor.cri.v1.CriApi.LinuxContainerConfig;
import dev.jvisor.cri.v1.CriApi.LinuxContainerSecurityContext;
import dev.jvisor.cri.v1.CriApi.LinuxPodSandboxConfig;
import dev.jvisor.cri.v1.CriApi.LinuxSandboxSecurityContext;
import dev.jvisor.cri.v1.CriApi.NamespaceMode;
import dev.jvisor.cri.v1.CriApi.NamespaceOption;
import dev.jvisor.cri.v1.CriApi.PodSandbox;
import dev.jvisor.cri.v1.CriApi.PodSandboxConfig;
import dev.jvisor.cri.v1.CriApi.PodSandboxFilter;
import dev.jvisor.cri.v1.CriApi.PodSandboxMetadata;
import dev.jvisor.cri.v1.CriApi.PodSandboxStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * One host-network pod driven through CRI in kubelet's order, everything seen along the way
 * recorded in a {@link Run} for the tests to judge: RunPodSandbox with a runtime handler →
 * CreateContainer + StartContainer of a container that prints to both streams and exits 7, and
 * of one that runs until stopped → ContainerStatus of both, the first one's log → ExecSync in the
 * running one → which Sentries served the pod → StopContainer → RemoveContainer ×2 →
 * StopPodSandbox → RemovePodSandbox (stops and removals repeated, as kubelet does) → what is
 * left on the host. A step that fails ends the
 * sequence (recorded as {@link Run#failure}); the pod is then removed all the same.
 */
final class KubeletPod {
    /** Both streams, then the kernel that answers (the Sentry names itself in /proc/version; under runc it is the host's). */
    static final String ECHO_SCRIPT = "echo to stdout; echo to stderr >&2; cat /proc/version; exit 7";
    static final List<String> EXEC_COMMAND = List.of("sh", "-c", "echo exec stdout; echo exec stderr >&2; exit 3");
    /** Time for the runtime to stop the long-running container gracefully before SIGKILL. */
    static final Duration STOP_GRACE = Duration.ofSeconds(2);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(60);
    private static final Duration CLEANUP_WAIT = Duration.ofSeconds(20);

    /** What happened; fields stay null/empty past the step that failed. */
    static final class Run {
        final String handler;
        Throwable failure;
        String podId;
        PodSandboxStatus readySandbox;
        List<PodSandbox> listedReady = List.of();
        OptionalLong sandboxPid = OptionalLong.empty();
        int containersListed;
        ContainerStatus echo;
        CriLogFile echoLog;
        ContainerStatus sleeperRunning;
        OptionalLong sleeperPid = OptionalLong.empty();
        List<String> tracesWhileRunning = List.of();
        ExecSyncResponse exec;
        CriCallException execError;
        Set<Long> sentriesSeen = Set.of();
        /** Each Sentry seen → its parent: a confined sandbox's init pid is the namespace launcher whose child is the Sentry. */
        Map<Long, Long> sentryParents = Map.of();

        /** The Sentry a container's init pid stands for: itself, or the Sentry it launched; 0 when none. */
        long sentryOf(long initPid) {
            if (sentriesSeen.contains(initPid)) return initPid;
            return sentryParents.entrySet().stream().filter(e -> e.getValue() == initPid).mapToLong(Map.Entry::getKey).findFirst().orElse(0);
        }
        /** Each process of the long-running container (runtime's ps) → the process tracing it (0: none). */
        Map<Long, Long> sleeperProcessTracers = Map.of();
        ContainerStatus sleeperStopped;
        int containersListedAfterRemoval = -1;
        PodSandboxStatus stoppedSandbox;
        int podsListedAfterRemoval = -1;
        List<String> tracesAfterRemoval = List.of();

        Run(String handler) {
            this.handler = handler;
        }
    }

    private final CriClient cri;
    private final PrivateContainerd containerd;
    private final NodeTraces traces;
    private final Sentries sentries;
    private final String cgroupParent;

    KubeletPod(CriClient cri, PrivateContainerd containerd, NodeTraces traces, Sentries sentries, String cgroupParent) {
        this.cri = cri;
        this.containerd = containerd;
        this.traces = traces;
        this.sentries = sentries;
        this.cgroupParent = cgroupParent;
    }

    Run run(String handler) throws Exception {
        Run run = new Run(handler);
        try (Sentries.Watch watch = sentries.watch()) {
            try {
                steps(run);
            } catch (Exception | AssertionError e) {
                run.failure = new AssertionError(e + "\n" + containerdErrors(), e);
            } finally {
                run.sentriesSeen = watch.seen();
                run.sentryParents = watch.parents();
                if (run.failure != null && run.podId != null) forceRemove(run.podId);
            }
        }
        run.tracesAfterRemoval = awaitNoTraces(run.podId);
        return run;
    }

    /** A host-network pod's config as kubelet writes it, its log directory made (kubelet's /var/log/pods/<ns>_<name>_<uid>). */
    private PodSandboxConfig podConfig(String name) throws IOException {
        String uid = UUID.randomUUID().toString();
        Path logDir = Files.createDirectories(containerd.dir().resolve("pods").resolve("default_" + name + "_" + uid));
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setUid(uid).setNamespace("default"))
                .setLogDirectory(logDir.toString())
                .putLabels("io.kubernetes.pod.name", name)
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent)
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(HOST_NETWORK)))
                .build();
    }

    private void steps(Run run) throws Exception {
        PodSandboxConfig pod = podConfig("pod-" + run.handler);
        Path logDir = Path.of(pod.getLogDirectory());
        // What kubelet checks before it would pull.
        cri.imageStatus(BusyboxImage.NAME).orElseThrow(() -> new AssertionError("CRI does not see the imported " + BusyboxImage.NAME));

        run.podId = cri.runPodSandbox(pod, run.handler);
        var sandbox = cri.podSandboxStatus(run.podId);
        run.readySandbox = sandbox.getStatus();
        run.sandboxPid = VerboseInfo.pid(sandbox.getInfoMap());
        run.listedReady = cri.listPodSandbox(PodSandboxFilter.newBuilder().setId(run.podId).build());

        String echoId = createAndStart(run.podId, pod, logDir, "echo", List.of("sh", "-c", ECHO_SCRIPT));
        String sleeperId = createAndStart(run.podId, pod, logDir, "sleeper", List.of("sleep", "600"));
        run.containersListed = cri.listContainers(ContainerFilter.newBuilder().setPodSandboxId(run.podId).build()).size();

        run.echo = awaitExit(echoId);
        run.echoLog = CriLogFile.read(Path.of(run.echo.getLogPath()));
        var sleeper = cri.containerStatus(sleeperId);
        run.sleeperRunning = sleeper.getStatus();
        run.sleeperPid = VerboseInfo.pid(sleeper.getInfoMap());
        run.tracesWhileRunning = traces.of(List.of(run.podId));

        try {
            run.exec = cri.execSync(sleeperId, Duration.ofSeconds(30), EXEC_COMMAND);
        } catch (CriCallException e) {
            run.execError = e;
        }
        run.sleeperProcessTracers = tracers(runtimePs(sleeperId));

        cri.stopContainer(sleeperId, STOP_GRACE);
        run.sleeperStopped = cri.containerStatus(sleeperId).getStatus();
        // kubelet repeats stops and removals; each must be a no-op the second time, not an error.
        cri.stopContainer(echoId, STOP_GRACE);
        cri.stopContainer(sleeperId, STOP_GRACE);
        cri.removeContainer(echoId);
        cri.removeContainer(sleeperId);
        cri.removeContainer(echoId);
        run.containersListedAfterRemoval = cri.listContainers(ContainerFilter.newBuilder().setPodSandboxId(run.podId).build()).size();

        cri.stopPodSandbox(run.podId);
        run.stoppedSandbox = cri.podSandboxStatus(run.podId).getStatus();
        cri.stopPodSandbox(run.podId);
        cri.removePodSandbox(run.podId);
        cri.removePodSandbox(run.podId);
        run.podsListedAfterRemoval = cri.listPodSandbox(PodSandboxFilter.newBuilder().setId(run.podId).build()).size();
    }

    /** Host network, as a hostNetwork pod: no CNI, no hostname; pid per container, ipc per pod (kubelet's defaults). */
    private static final NamespaceOption HOST_NETWORK = NamespaceOption.newBuilder()
            .setNetwork(NamespaceMode.NODE).setPid(NamespaceMode.CONTAINER).setIpc(NamespaceMode.POD).build();

    /**
     * What kubelet sees of a container whose program is not in the image: StartContainer's error
     * (or none) and the container's status after it, then the pod removed as kubelet would.
     */
    record FailedStart(CriCallException startError, ContainerStatus status, String stderr, List<String> tracesAfterRemoval) {}

    FailedStart startMissingProgram(String handler) throws Exception {
        PodSandboxConfig pod = podConfig("missing-" + handler);
        String podId = cri.runPodSandbox(pod, handler);
        CriCallException startError = null;
        ContainerStatus status;
        String stderr = "";
        try {
            String id = create(podId, pod, Path.of(pod.getLogDirectory()), "missing", List.of("/no/such/program"));
            try {
                cri.startContainer(id);
            } catch (CriCallException e) {
                startError = e;
            }
            status = awaitExit(id);
            Path log = Path.of(status.getLogPath());
            if (Files.exists(log)) stderr = CriLogFile.read(log).output(CriLogFile.Stream.STDERR);
        } finally {
            forceRemove(podId);
        }
        return new FailedStart(startError, status, stderr, awaitNoTraces(podId));
    }

    private String createAndStart(String podId, PodSandboxConfig pod, Path logDir, String name, List<String> command) throws Exception {
        String id = create(podId, pod, logDir, name, command);
        cri.startContainer(id);
        return id;
    }

    private String create(String podId, PodSandboxConfig pod, Path logDir, String name, List<String> command) throws Exception {
        Files.createDirectories(logDir.resolve(name)); // kubelet makes each container's log directory
        ContainerConfig config = ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(BusyboxImage.NAME))
                .addAllCommand(command)
                .setLogPath(name + "/0.log")
                .putLabels("io.kubernetes.container.name", name)
                .setLinux(LinuxContainerConfig.newBuilder()
                        .setSecurityContext(LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(HOST_NETWORK)))
                .build();
        return cri.createContainer(podId, config, pod);
    }

    private ContainerStatus awaitExit(String containerId) throws InterruptedException {
        long deadline = System.nanoTime() + EXIT_WAIT.toNanos();
        while (true) {
            ContainerStatus s = cri.containerStatus(containerId).getStatus();
            if (s.getState() == ContainerState.CONTAINER_EXITED) return s;
            if (System.nanoTime() > deadline) throw new AssertionError("container " + containerId + " still " + s.getState() + " after " + EXIT_WAIT);
            Thread.sleep(100);
        }
    }

    /** The container's host processes as the runtime lists them (the shim's Pids: runc/runsc {@code ps}). */
    private List<Long> runtimePs(String containerId) throws Exception {
        var r = containerd.ctr("task", "ps", containerId).requireSuccess(List.of("ctr task ps " + containerId));
        List<Long> pids = new ArrayList<>();
        for (String line : r.out().lines().skip(1).toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length > 0 && f[0].matches("\\d+")) pids.add(Long.parseLong(f[0]));
        }
        return pids;
    }

    private static Map<Long, Long> tracers(List<Long> pids) {
        Map<Long, Long> m = new LinkedHashMap<>();
        for (long pid : pids) m.put(pid, Sentries.tracerOf(pid).orElse(0));
        return m;
    }

    /** containerd's last error and warning lines: what a failed step looked like from its side (shim exits, runtime errors). */
    private String containerdErrors() {
        try (var lines = Files.lines(containerd.dir().resolve("containerd.log"))) {
            List<String> errors = lines.filter(l -> l.contains("level=error") || l.contains("level=warning")).toList();
            return "containerd's last errors and warnings:\n  " + String.join("\n  ", errors.subList(Math.max(0, errors.size() - 25), errors.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no containerd log: " + e.getMessage() + ")";
        }
    }

    /** After a failed step: what kubelet does to a pod it gives up on, then ctr for whatever CRI could not remove. */
    private void forceRemove(String podId) throws Exception {
        try {
            cri.stopPodSandbox(podId);
            cri.removePodSandbox(podId);
        } catch (CriCallException e) {
            for (String task : containerd.ctr("task", "ls", "-q").out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
                containerd.ctr("task", "rm", "-f", task);
            }
            for (String c : containerd.ctr("containers", "ls", "-q").out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
                containerd.ctr("containers", "rm", c);
            }
        }
    }

    /** Shims and sandboxes exit just after the calls return: wait a little for them, then report what stayed. */
    private List<String> awaitNoTraces(String podId) throws Exception {
        return traces.settled(podId == null ? List.of() : List.of(podId), CLEANUP_WAIT);
    }
}
