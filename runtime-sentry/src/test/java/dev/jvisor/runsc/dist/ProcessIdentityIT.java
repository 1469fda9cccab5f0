package dev.jvisor.runsc.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle's process identity — user, additionalGids, capabilities, rlimits, noNewPrivileges,
 * umask — as the container sees it through the packaged bin/runsc, compared line for line with
 * what runc gives the same bundle: {@code id}, the identity lines of /proc/self/status and
 * {@code ulimit -n}, for the container's first process, for a pod's container that joins its
 * sandbox's Sentry, and for one started by exec --process.
 * A small static program then tries to win privilege back (set*id to root, capset, ambient and
 * bounding changes, an owner-only file, chroot, a set-user-ID root program with and without
 * no_new_privs); each attempt must end as it does under runc.
 */
class ProcessIdentityIT {
    private static final Path DIST = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime")).toAbsolutePath();
    private static final Path BUSYBOX = Path.of(System.getProperty("jvisor.rootfs.busybox", "target/rootfs-busybox")).toAbsolutePath();
    private static final Path RUNC = Path.of("/usr/sbin/runc");
    private static final String IDENTITY_SCRIPT = "id; grep -E '^(Umask|Uid|Gid|Groups|Cap|NoNewPrivs)' /proc/self/status; "
            + "ulimit -n; cat /secret; echo cat $?";
    private static final String ONE_CAP = "[\"CAP_NET_BIND_SERVICE\"]";

    @TempDir Path work;
    private Path rootfs;
    private final List<Runnable> cleanups = new ArrayList<>();

    @BeforeEach
    void rootfsWithAnOwnerOnlyFileAndTheEscapeProgram() throws Exception {
        assumeTrue(Files.isDirectory(BUSYBOX), "no busybox rootfs (busybox-static missing)");
        assumeTrue(Files.isExecutable(RUNC), "runc is not installed");
        rootfs = work.resolve("rootfs");
        assertThat(new ProcessBuilder("cp", "-a", BUSYBOX.toString(), rootfs.toString()).inheritIO().start().waitFor()).isZero();
        Files.createDirectories(rootfs.resolve("tmp"));
        // Readable by its owner, another user, alone: only CAP_DAC_OVERRIDE/READ_SEARCH lets anyone else in.
        Path secret = Files.writeString(rootfs.resolve("secret"), "top secret\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.setAttribute(secret, "unix:uid", 4321);
        Path source = work.resolve("escape.c");
        try (InputStream in = ProcessIdentityIT.class.getResourceAsStream("/identity/escape.c")) {
            Files.copy(in, source);
        }
        Path escape = rootfs.resolve("escape");
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-Wall", "-Werror", "-o", escape.toString(), source.toString())
                .redirectErrorStream(true).start();
        String gccOut = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor()).as(gccOut).isZero();
        Path suid = rootfs.resolve("escape-suid");
        Files.copy(escape, suid);
        Files.setPosixFilePermissions(suid, PosixFilePermissions.fromString("rwxr-xr-x"));
        // Set-user-ID root: java.nio has no name for the bit.
        assertThat(new ProcessBuilder("chmod", "4755", suid.toString()).start().waitFor()).isZero();
    }

    @AfterEach
    void nothingOutlivesATest() {
        cleanups.reversed().forEach(Runnable::run);
    }

    // ---------------------------------------------------------------- the cases

    @Test
    void aUserWithGroupsOneCapabilityAndLimitsSeesWhatRuncGives() throws Exception {
        String process = process(IDENTITY_SCRIPT, "{\"uid\":1000,\"gid\":1000,\"additionalGids\":[2000,1001,1001],\"umask\":23}",
                caps(ONE_CAP, ONE_CAP, ONE_CAP, ONE_CAP, ONE_CAP), "[{\"type\":\"RLIMIT_NOFILE\",\"soft\":64,\"hard\":64}]", true);
        Output runc = runcRun(bundle("runc", process));
        Output jvisor = runscRun(bundle("jvisor", process));
        assertThat(runc.out()).contains("groups=1001,2000", "CapEff:\t0000000000000400", "NoNewPrivs:\t1", "\n64\n", "cat 1");
        assertThat(jvisor).isEqualTo(runc);
    }

    @Test
    void rootWithAReducedSetCannotReadAnotherUsersFileAndSeesWhatRuncGives() throws Exception {
        String process = process(IDENTITY_SCRIPT, "{\"uid\":0,\"gid\":0}",
                caps(ONE_CAP, ONE_CAP, "[]", ONE_CAP, "[]"), "[{\"type\":\"RLIMIT_NOFILE\",\"soft\":100,\"hard\":200}]", false);
        Output runc = runcRun(bundle("runc", process));
        Output jvisor = runscRun(bundle("jvisor", process));
        assertThat(runc.out()).contains("uid=0(root)", "CapPrm:\t0000000000000400", "cat 1");
        assertThat(jvisor).isEqualTo(runc);
    }

    @Test
    void anUnprivilegedProcessCannotWinPrivilegeBackAsUnderRunc() throws Exception {
        String process = process("/escape exec-suid /escape-suid", "{\"uid\":1000,\"gid\":1000}",
                caps(ONE_CAP, "[]", "[]", "[]", "[]"), "[]", true);
        Output runc = runcRun(bundle("runc", process));
        Output jvisor = runscRun(bundle("jvisor", process));
        assertThat(runc.out()).contains("setuid 0: EPERM", "capset everything: EPERM", "open the owner-only file: EACCES",
                "after exec: uid 1000/1000/1000 eff 0 prm 0");
        assertThat(jvisor).isEqualTo(runc);
    }

    @Test
    void aSetUserIdRootProgramElevatesWithoutNoNewPrivilegesAsUnderRunc() throws Exception {
        String process = process("/escape exec-suid /escape-suid", "{\"uid\":1000,\"gid\":1000}",
                caps(ONE_CAP, "[]", "[]", "[]", "[]"), "[]", false);
        Output runc = runcRun(bundle("runc", process));
        Output jvisor = runscRun(bundle("jvisor", process));
        // Root by the set-user-ID bit, with no more than the bounding set allows.
        assertThat(runc.out()).contains("after exec: uid 1000/0/0 eff 0x400 prm 0x400");
        assertThat(jvisor).isEqualTo(runc);
    }

    @Test
    void aSetUserIdRootProgramOnANosuidMountDoesNotElevateAsUnderRunc() throws Exception {
        String process = process("/nosuid/escape exec-suid /nosuid/escape-suid", "{\"uid\":1000,\"gid\":1000}",
                caps(ONE_CAP, "[]", "[]", "[]", "[]"), "[]", false);
        String nosuid = ",{\"destination\":\"/nosuid\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"rbind\",\"ro\",\"nosuid\"]}"
                .formatted(rootfs);
        Output runc = runcRun(bundle("runc", process, "", nosuid));
        Output jvisor = runscRun(bundle("jvisor", process, "", nosuid));
        // The same program that elevates from the root mount gains nothing from a nosuid one.
        assertThat(runc.out()).contains("after exec: uid 1000/1000/1000 eff 0 prm 0");
        assertThat(jvisor).isEqualTo(runc);
    }

    @Test
    void anExecdProcessCarriesItsOwnIdentityAsUnderRunc() throws Exception {
        String first = process("sleep 60", "{\"uid\":0,\"gid\":0}", null, "[]", false);
        String exec = process(IDENTITY_SCRIPT, "{\"uid\":1000,\"gid\":1001,\"additionalGids\":[3000]}",
                caps(ONE_CAP, ONE_CAP, ONE_CAP, ONE_CAP, ONE_CAP), "[{\"type\":\"RLIMIT_NOFILE\",\"soft\":32,\"hard\":32}]", true);
        Output runc = runcExec(bundle("runc", first), exec);
        Output jvisor = runscExec(bundle("jvisor", first), exec);
        assertThat(runc.out()).contains("uid=1000 gid=1001 groups=3000", "CapAmb:\t0000000000000400", "\n32\n");
        assertThat(jvisor).isEqualTo(runc);
    }

    @Test
    void aPodsContainerJoiningItsSandboxCarriesItsOwnIdentityAsUnderRunc() throws Exception {
        String process = process(IDENTITY_SCRIPT, "{\"uid\":1000,\"gid\":1000,\"additionalGids\":[44]}",
                caps(ONE_CAP, ONE_CAP, ONE_CAP, ONE_CAP, ONE_CAP), "[{\"type\":\"RLIMIT_NOFILE\",\"soft\":48,\"hard\":48}]", true);
        Output runc = runcRun(bundle("runc", process));

        Path pause = bundle("pause", process("while :; do sleep 1; done", "{\"uid\":0,\"gid\":0}", null, "[]", false),
                "\"io.kubernetes.cri.container-type\":\"sandbox\"");
        String pauseId = "identity-pause-" + ProcessHandle.current().pid();
        cleanups.add(() -> quietly(runsc("delete", "--force", pauseId), pause));
        Output created = run(pause, runsc("create", "--bundle", pause.toString(), "--pid-file", pause.resolve("pid").toString(), pauseId));
        assertThat(created.status()).as(created.err() + lastError()).isZero();
        long sentry = Long.parseLong(Files.readString(pause.resolve("pid")).strip());
        cleanups.add(() -> ProcessHandle.of(sentry).ifPresent(ProcessHandle::destroyForcibly));
        Output started = run(pause, runsc("start", pauseId));
        assertThat(started.status()).as(started.err() + lastError()).isZero();

        Path app = bundle("app", process, "\"io.kubernetes.cri.container-type\":\"container\","
                + "\"io.kubernetes.cri.sandbox-id\":\"" + pauseId + "\"");
        Output jvisor = runscRun(app);
        assertThat(runc.out()).contains("groups=44", "CapEff:\t0000000000000400", "\n48\n");
        assertThat(jvisor).isEqualTo(runc);
    }

    // ---------------------------------------------------------------- bundles

    private static String caps(String bounding, String effective, String inheritable, String permitted, String ambient) {
        return "{\"bounding\":%s,\"effective\":%s,\"inheritable\":%s,\"permitted\":%s,\"ambient\":%s}"
                .formatted(bounding, effective, inheritable, permitted, ambient);
    }

    /** An OCI process object running {@code script} with busybox sh. */
    private static String process(String script, String user, String capabilities, String rlimits, boolean noNewPrivileges) {
        return "{\"args\":[\"/bin/sh\",\"-c\",%s],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"user\":%s,%s\"rlimits\":%s,\"noNewPrivileges\":%s}"
                .formatted(JsonWriter.quote(script), user, capabilities == null ? "" : "\"capabilities\":" + capabilities + ",",
                        rlimits, noNewPrivileges);
    }

    private Path bundle(String name, String process) throws IOException {
        return bundle(name, process, "");
    }

    private Path bundle(String name, String process, String annotations) throws IOException {
        return bundle(name, process, annotations, "");
    }

    /** @param moreMounts further entries of {@code mounts}, each with a leading comma */
    private Path bundle(String name, String process, String annotations, String moreMounts) throws IOException {
        Path bundle = Files.createDirectories(work.resolve(name));
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","hostname":"box","process":%s,
                 "root":{"path":"%s","readonly":true},
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc"}%s],
                 "linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"ipc"},{"type":"uts"}]},
                 "annotations":{%s}}"""
                .formatted(process, rootfs, moreMounts, annotations));
        return bundle;
    }

    // ---------------------------------------------------------------- the two runtimes

    record Output(int status, String out, String err) {}

    private Output runcRun(Path bundle) throws Exception {
        String id = "identity-runc-" + ProcessHandle.current().pid();
        Path root = work.resolve("runc-root");
        cleanups.add(() -> quietly(List.of(RUNC.toString(), "--root", root.toString(), "delete", "--force", id), bundle));
        return run(bundle, List.of(RUNC.toString(), "--root", root.toString(), "run", "--bundle", bundle.toString(), id));
    }

    private Output runscRun(Path bundle) throws Exception {
        String id = "identity-jvisor-" + ProcessHandle.current().pid();
        Path pidFile = bundle.resolve("pid");
        cleanups.add(() -> quietly(runsc("delete", "--force", id), bundle));
        Path out = bundle.resolve("out.txt"), err = bundle.resolve("err.txt");
        Process create = new ProcessBuilder(runsc("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id))
                .directory(bundle.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(create.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(create.exitValue()).as(Files.readString(err) + lastError()).isZero();
        ProcessHandle container = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
        Output start = run(bundle, runsc("start", id));
        assertThat(start.status()).as(start.err() + lastError()).isZero();
        container.onExit().get(60, TimeUnit.SECONDS);
        Output waited = run(bundle, runsc("wait", id));
        assertThat(waited.status()).as(waited.err() + lastError()).isZero();
        var status = (JsonNumber) ((JsonObject) JsonParser.parse(waited.out())).get("exitStatus");
        return new Output((int) status.longValueExact().orElseThrow(), Files.readString(out), Files.readString(err));
    }

    private Output runcExec(Path bundle, String process) throws Exception {
        String id = "identity-runc-exec-" + ProcessHandle.current().pid();
        Path root = work.resolve("runc-root");
        cleanups.add(() -> quietly(List.of(RUNC.toString(), "--root", root.toString(), "delete", "--force", id), bundle));
        Output started = run(bundle, List.of(RUNC.toString(), "--root", root.toString(), "run", "--detach", "--bundle", bundle.toString(), id));
        assertThat(started.status()).as(started.err()).isZero();
        Path p = Files.writeString(bundle.resolve("process.json"), process);
        return run(bundle, List.of(RUNC.toString(), "--root", root.toString(), "exec", "--process", p.toString(), id));
    }

    private Output runscExec(Path bundle, String process) throws Exception {
        String id = "identity-jvisor-exec-" + ProcessHandle.current().pid();
        Path pidFile = bundle.resolve("pid");
        cleanups.add(() -> quietly(runsc("delete", "--force", id), bundle));
        Output created = run(bundle, runsc("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id));
        assertThat(created.status()).as(created.err() + lastError()).isZero();
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        cleanups.add(() -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        Output start = run(bundle, runsc("start", id));
        assertThat(start.status()).as(start.err() + lastError()).isZero();
        Path p = Files.writeString(bundle.resolve("process.json"), process);
        return run(bundle, runsc("exec", "--process", p.toString(), id));
    }

    private List<String> runsc(String... args) {
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/runsc").toString(), "--root", work.resolve("runsc-root").toString(),
                "--log", work.resolve("log.json").toString(), "--log-format", "json"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private String lastError() throws IOException {
        Path log = work.resolve("log.json");
        return Files.exists(log) ? Files.readAllLines(log).getLast() : "";
    }

    private static Output run(Path cwd, List<String> command) throws Exception {
        DistributionIT.Result r = DistributionIT.exec(cwd, Map.of(), command.toArray(String[]::new));
        return new Output(r.status(), r.out(), r.err());
    }

    private static void quietly(List<String> command, Path cwd) {
        try {
            new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("cleanup failed: " + command, e);
        }
    }
}
