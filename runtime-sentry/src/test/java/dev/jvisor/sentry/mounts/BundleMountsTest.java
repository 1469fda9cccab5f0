package dev.jvisor.sentry.mounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bundle's mounts, read-only root, masked and read-only paths, as a pod's config.json carries
 * them, honoured by a real sandbox: busybox in the Sentry through runsc create/start/wait/delete
 * checks each from inside, and the test checks the host side afterwards — what a rw bind wrote
 * is there, nothing escaped the rootfs, no Gofer is left.
 */
class BundleMountsTest {
    @TempDir Path work;

    private static final String SCRIPT = String.join("\n",
            "echo \"ro-read: $(cat /data/ro/f)\"",
            "echo \"ro-write: $( (echo x > /data/ro/new) 2>&1 )\"",
            "echo fromsandbox > /data/rw/written; echo \"rw-write: $?\"",
            "echo \"rodir-write: $( (echo x > /data/rw/rodir/f) 2>&1 )\"",
            "echo \"hosts: $(cat /etc/hosts)\"",
            "echo ended > /dev/termination-log; echo \"termlog: $?\"",
            "echo \"root-write: $( (echo x > /newfile) 2>&1 )\"",
            "echo \"root-mkdir: $( (mkdir /newdir) 2>&1 )\"",
            "echo x > /tmp/f; echo \"tmp-write: $?\"",
            "dd if=/dev/zero of=/dev/shm/small bs=1024 count=512 2>/dev/null; echo \"shm-small: $?\"",
            "echo \"shm-big: $( (dd if=/dev/zero of=/dev/shm/big bs=1024 count=2048) 2>&1 | grep -o 'No space left on device' | head -n 1)\"",
            "rm /dev/shm/big; dd if=/dev/zero of=/dev/shm/again bs=1024 count=256 2>/dev/null; echo \"shm-after-rm: $?\"",
            "cp /bin/busybox /dev/shm/true; /dev/shm/true 2>/dev/null; echo \"noexec: $?\"",
            "cp /bin/busybox /tmp/true; /tmp/true; echo \"exec-tmp: $?\"",
            "echo \"masked-file: [$(cat /etc/secret)]\"",
            "echo \"masked-file-write: $( (echo x > /etc/secret) 2>&1 )\"",
            "echo \"masked-dir: [$(ls -A /secretdir)]\"",
            "echo \"escape: $(cat /etc/jvisor-escape-test/marker)\"",
            "echo \"dotdot: $(cat /jvisor-dotdot/marker)\"",
            "echo \"up: $(cat /etc/jvisor-up/marker)\"",
            "echo \"nested: $(cat /data/rw/nested/marker)\"",
            "echo \"mqueue: $(ls -d /dev/mqueue)\"",
            "echo \"cgroup: $( (mkdir /sys/fs/cgroup/x) 2>&1 )\"",
            "echo \"devnull: $(echo gone > /dev/null; echo $?)\"",
            "grep -E ' /data/ro ' /proc/self/mountinfo | sed 's/^/mountinfo: /'",
            "grep -E ' (/|/data/ro|/data/rw|/dev/shm|/etc/hosts|/dev/termination-log|/sys/fs/cgroup) ' /proc/mounts | sed 's/^/mounts: /'");

    /** The host side of the pod-like bundle: its rootfs and the sources of its binds. */
    private record PodBundle(Path bundle, Path rootfs, Path ro, Path rw, Path termLog) {}

    private PodBundle podBundle(String name) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        Path rootfs = BundleRun.busyboxRootfs(dir.resolve("rootfs"));
        Files.writeString(rootfs.resolve("etc/secret"), "topsecret\n");
        Files.createDirectories(rootfs.resolve("secretdir"));
        Files.writeString(rootfs.resolve("secretdir/hidden"), "hidden\n");
        // A mount placed through it must still land inside the container: an absolute symlink to the host's /etc.
        Files.createSymbolicLink(rootfs.resolve("escape"), Path.of("/etc"));
        // And a relative one that climbs far above the rootfs before coming down to etc.
        Files.createSymbolicLink(rootfs.resolve("up"), Path.of("../../../../../../../../etc"));

        Path ro = Files.createDirectories(dir.resolve("host-ro"));
        Files.writeString(ro.resolve("f"), "read only data\n");
        Path rw = Files.createDirectories(dir.resolve("host-rw"));
        Files.createDirectories(rw.resolve("rodir"));
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
        Path termLog = Files.writeString(dir.resolve("termination-log"), "");
        Path escapeSource = Files.createDirectories(dir.resolve("host-escape"));
        Files.writeString(escapeSource.resolve("marker"), "inside\n");

        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","hostname":"mounts",
                 "process":{"user":{"uid":0,"gid":0},"args":["/bin/sh","-c",%s],"env":["PATH=/bin"],"cwd":"/"},
                 "root":{"path":%s,"readonly":true},
                 "mounts":[
                  {"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
                  {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
                  {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
                  {"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=1m"]},
                  {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
                  {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
                  {"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["nosuid","noexec","nodev","relatime","ro"]},
                  {"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","mode=1777"]},
                  {"destination":"/data/ro","type":"bind","source":%s,"options":["rbind","rprivate","ro"]},
                  {"destination":"/data/rw","type":"bind","source":%s,"options":["rbind","rprivate","rw"]},
                  {"destination":"/etc/hosts","type":"bind","source":%s,"options":["rbind","rprivate","rw"]},
                  {"destination":"/dev/termination-log","type":"bind","source":%s,"options":["rbind","rprivate","rw"]},
                  {"destination":"/escape/jvisor-escape-test","type":"bind","source":%s,"options":["rbind","ro"]},
                  {"destination":"/../../../jvisor-dotdot","type":"bind","source":%s,"options":["bind","ro"]},
                  {"destination":"/up/jvisor-up","type":"bind","source":%s,"options":["bind","ro"]},
                  {"destination":"/data/rw/nested","type":"bind","source":%s,"options":["rbind","ro"]}],
                 "linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],
                          "maskedPaths":["/proc/acpi","/proc/kcore","/proc/keys","/proc/timer_list","/sys/firmware","/etc/secret","/secretdir"],
                          "readonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger","/data/rw/rodir"]}}
                """.formatted(json(SCRIPT), json(rootfs.toString()), json(ro.toString()), json(rw.toString()), json(hosts.toString()),
                json(termLog.toString()), json(escapeSource.toString()), json(escapeSource.toString()), json(escapeSource.toString()),
                json(escapeSource.toString())));
        return new PodBundle(bundle, rootfs, ro, rw, termLog);
    }

    /** What Linux (runc) and jVisor must both show from inside, and leave on the host. */
    private static void checkSameAsLinux(PodBundle b, String out) throws Exception {
        assertThat(out)
                .contains("ro-read: read only data")
                .containsPattern("ro-write: .*Read-only file system")
                .contains("rw-write: 0")
                .containsPattern("rodir-write: .*Read-only file system")
                .contains("hosts: 127.0.0.1 localhost")
                .contains("termlog: 0")
                .containsPattern("root-write: .*Read-only file system")
                .containsPattern("root-mkdir: .*Read-only file system")
                .contains("tmp-write: 0")
                .contains("shm-small: 0")
                .contains("shm-big: No space left on device")
                .contains("shm-after-rm: 0")
                .contains("noexec: 126")
                .contains("exec-tmp: 0")
                .contains("masked-file: []")
                .contains("masked-dir: []")
                .contains("escape: inside")
                .contains("dotdot: inside")
                .contains("up: inside")
                .contains("nested: inside")
                .contains("mqueue: /dev/mqueue")
                // Refused either way: runc's /sys/fs/cgroup is a tmpfs only root with capabilities may change.
                .contains("cgroup: mkdir: can't create directory '/sys/fs/cgroup/x'")
                .contains("devnull: 0");
        // A rw bind's writes are on the host, a ro one's are not, and nothing reached the host's /etc or /.
        assertThat(Files.readString(b.rw().resolve("written"))).isEqualTo("fromsandbox\n");
        assertThat(Files.readString(b.termLog())).isEqualTo("ended\n");
        assertThat(b.ro().resolve("new")).doesNotExist();
        assertThat(b.rw().resolve("rodir/f")).doesNotExist();
        assertThat(Path.of("/etc/jvisor-escape-test")).doesNotExist();
        assertThat(Path.of("/jvisor-dotdot")).doesNotExist();
        assertThat(Path.of("/etc/jvisor-up")).doesNotExist();
        assertThat(b.rootfs().resolve("newfile")).doesNotExist();
        assertThat(Files.readString(b.rootfs().resolve("etc/secret"))).isEqualTo("topsecret\n");
    }

    @Test
    void aPodsMountsReadOnlyRootMaskedAndReadOnlyPaths() throws Exception {
        assumeTrue(Files.isExecutable(BundleRun.HOST_BUSYBOX), "busybox-static is not installed");
        PodBundle b = podBundle("jvisor");
        BundleRun runs = new BundleRun(work);
        long started = System.nanoTime();
        BundleRun.Result r = runs.run(b.bundle(), "mounts1");
        String out = r.output();
        System.out.println("BundleMountsTest: create..delete took " + (System.nanoTime() - started) / 1_000_000 + " ms\n" + out);
        assertThat(r.status()).as(out).isZero();
        checkSameAsLinux(b, out);
        assertThat(out)
                // runc covers a masked file with /dev/null, which takes writes; jVisor's empty file refuses them.
                .containsPattern("masked-file-write: .*Read-only file system")
                .containsPattern("cgroup: .*Read-only file system")
                .containsPattern("mounts: rootfs / \\S+ ro,")
                .containsPattern("mounts: none /data/ro 9p ro,")
                .containsPattern("mounts: none /data/rw 9p rw,")
                .containsPattern("mounts: none /etc/hosts 9p rw,")
                .containsPattern("mounts: none /dev/termination-log 9p rw,")
                .containsPattern("mounts: shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,mode=1777,size=1m")
                .containsPattern("mounts: cgroup /sys/fs/cgroup cgroup ro,nosuid,nodev,noexec")
                .containsPattern("mountinfo: \\d+ \\d+ 0:\\d+ / /data/ro ro,relatime - 9p none ro")
                .doesNotContain(b.ro().toString());
        // The Sentry made every missing mount point in the root's memory overlay, none in the rootfs.
        assertThat(b.rootfs().resolve("data")).doesNotExist();
        assertThat(b.rootfs().resolve("etc/hosts")).doesNotExist();
        // Every Gofer (one per bind and the root's) went with the container.
        assertThat(BundleRun.processesMentioning(work.toString())).isEmpty();
    }

    /** The same bundle under runc: the checks jVisor must pass are what Linux does. */
    @Test
    void theSameChecksPassUnderRunc() throws Exception {
        assumeTrue(Files.isExecutable(BundleRun.HOST_BUSYBOX), "busybox-static is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")), "runc is not installed");
        assumeTrue(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0, "runc needs root");
        PodBundle b = podBundle("runc");
        Path out = work.resolve("runc.out");
        Process p = new ProcessBuilder("runc", "--root", work.resolve("runc-state").toString(), "run", "--bundle", b.bundle().toString(), "runcmounts")
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        boolean ended = p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly();
        assertThat(ended).isTrue();
        String output = Files.readString(out);
        assertThat(p.exitValue()).as(output).isZero();
        checkSameAsLinux(b, output);
    }

    @Test
    void aPodsSecondContainerGetsItsOwnBundlesMounts() throws Exception {
        assumeTrue(Files.isExecutable(BundleRun.HOST_BUSYBOX), "busybox-static is not installed");
        Path rootfs = BundleRun.busyboxRootfs(work.resolve("rootfs"));
        Path pauseOnly = Files.createDirectories(work.resolve("host-pause"));
        Path appData = Files.createDirectories(work.resolve("host-app"));
        Path pause = Files.createDirectories(work.resolve("pause"));
        Files.writeString(pause.resolve("config.json"), """
                {"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["/bin/sleep","600"],"cwd":"/"},
                 "root":{"path":%s},"annotations":{"io.kubernetes.cri.container-type":"sandbox"},
                 "mounts":[{"destination":"/pause-only","type":"bind","source":%s,"options":["rbind","ro"]}]}
                """.formatted(json(rootfs.toString()), json(pauseOnly.toString())));
        Path app = Files.createDirectories(work.resolve("app"));
        String script = String.join("\n",
                "echo app > /data/app-wrote; echo \"rw-write: $?\"",
                "echo \"root-write: $( (echo x > /newfile) 2>&1 )\"",
                "echo \"shm-big: $( (dd if=/dev/zero of=/scratch/big bs=1024 count=512) 2>&1 | grep -o 'No space left on device' | head -n 1)\"",
                "echo \"pause-mount-seen: $(grep -c pause-only /proc/mounts)\"",
                "grep -E ' (/|/data|/scratch) ' /proc/mounts | sed 's/^/mounts: /'");
        Files.writeString(app.resolve("config.json"), """
                {"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["/bin/sh","-c",%s],"env":["PATH=/bin"],"cwd":"/"},
                 "root":{"path":%s,"readonly":true},
                 "annotations":{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.sandbox-id":"pod1"},
                 "mounts":[{"destination":"/data","type":"bind","source":%s,"options":["rbind","rw"]},
                           {"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["size=256k","nodev"]}]}
                """.formatted(json(script), json(rootfs.toString()), json(appData.toString())));

        BundleRun runs = new BundleRun(work);
        BundleRun.Result created = runs.create(pause, "pod1", work.resolve("pod1.out"));
        assertThat(created.status()).as(created.output() + runs.lastLog()).isZero();
        long pauseBoot = Long.parseLong(Files.readString(pause.resolve("init.pid")).strip());
        try {
            assertThat(runs.call("start", "pod1").status()).isZero();
            BundleRun.Result r = runs.run(app, "app1");
            assertThat(r.status()).as(r.output()).isZero();
            assertThat(r.output())
                    .contains("rw-write: 0")
                    .containsPattern("root-write: .*Read-only file system")
                    .contains("shm-big: No space left on device")
                    .contains("pause-mount-seen: 0")
                    .containsPattern("mounts: rootfs / \\S+ ro,")
                    .containsPattern("mounts: none /data 9p rw,")
                    .containsPattern("mounts: tmpfs /scratch tmpfs rw,nodev,relatime,size=256k");
            assertThat(Files.readString(appData.resolve("app-wrote"))).isEqualTo("app\n");
            // The app container's bind Gofer went with it; the pod's own still serves the pause container.
            assertThat(BundleRun.processesMentioning(appData.toString())).isEmpty();
            assertThat(BundleRun.processesMentioning(pauseOnly.toString())).isNotEmpty();
        } finally {
            runs.call("kill", "pod1", "9");
            runs.call("delete", "--force", "pod1");
            ProcessHandle.of(pauseBoot).ifPresent(ProcessHandle::destroyForcibly);
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!BundleRun.processesMentioning(work.toString()).isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(BundleRun.processesMentioning(work.toString())).isEmpty();
    }

    @Test
    void aMountTheSentryCannotBuildFailsStartNamingItAndLeavesNothing() throws Exception {
        assumeTrue(Files.isExecutable(BundleRun.HOST_BUSYBOX), "busybox-static is not installed");
        Path rootfs = BundleRun.busyboxRootfs(work.resolve("rootfs"));
        Files.createSymbolicLink(rootfs.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(rootfs.resolve("loop2"), Path.of("/loop1"));
        Path file = Files.writeString(work.resolve("a-file"), "x\n");
        Path dir = Files.createDirectories(work.resolve("a-dir"));
        String[][] cases = {
                {"/etc", file.toString(), "a file cannot be mounted on a directory"},
                {"/loop1/x", dir.toString(), "Too many symbolic links encountered"}};
        BundleRun runs = new BundleRun(work);
        for (int i = 0; i < cases.length; i++) {
            Path bundle = Files.createDirectories(work.resolve("bundle" + i));
            Files.writeString(bundle.resolve("config.json"), """
                    {"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"},"root":{"path":%s},
                     "mounts":[{"destination":%s,"type":"bind","source":%s,"options":["rbind","ro"]}]}
                    """.formatted(json(rootfs.toString()), json(cases[i][0]), json(cases[i][1])));
            String id = "unbuildable" + i;
            BundleRun.Result created = runs.create(bundle, id, work.resolve(id + ".out"));
            assertThat(created.status()).as(created.output() + runs.lastLog()).isZero();
            long boot = Long.parseLong(Files.readString(bundle.resolve("init.pid")).strip());
            BundleRun.Result start = runs.call("start", id);
            assertThat(start.status()).isNotZero();
            // The boot process logs why as it exits, which may be just after start has returned.
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (ProcessHandle.of(boot).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(start.output() + Files.readString(runs.log())).contains("mount " + cases[i][0]).contains(cases[i][2]);
            runs.call("delete", "--force", id);
            assertThat(runs.stateRoot().resolve(id)).doesNotExist();
        }
        assertThat(BundleRun.processesMentioning(work.toString())).isEmpty();
    }

    @Test
    void anUnknownMountTypeFailsCreateNamingTheMountAndLeavesNothing() throws Exception {
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"},"root":{"path":%s},
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
                           {"destination":"/mnt/remote","type":"nfs","source":"server:/export","options":["ro"]}]}
                """.formatted(json(rootfs.toString())));
        BundleRun runs = new BundleRun(work);
        BundleRun.Result r = runs.create(bundle, "bad1", work.resolve("bad1.out"));
        assertThat(r.status()).isNotZero();
        assertThat(runs.lastLog()).contains("mounts[1]").contains("/mnt/remote").contains("nfs").contains("\"level\":\"error\"");
        assertThat(runs.stateRoot().resolve("bad1")).doesNotExist();
        assertThat(BundleRun.processesMentioning(work.toString())).isEmpty();
    }

    @Test
    void aMissingBindSourceOrARelativeDestinationFailsCreate() throws Exception {
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        BundleRun runs = new BundleRun(work);
        List<String[]> cases = List.of(
                new String[] {"{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/nonexistent/jvisor-source\",\"options\":[\"rbind\"]}",
                        "/nonexistent/jvisor-source does not exist"},
                new String[] {"{\"destination\":\"data\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}", "must be an absolute path"},
                new String[] {"{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"size=lots\"]}", "size=lots"},
                new String[] {"{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"frobnicate\"]}", "unknown option \\\"frobnicate\\\""});
        int n = 0;
        for (String[] c : cases) {
            Path bundle = Files.createDirectories(work.resolve("bundle" + n));
            Files.writeString(bundle.resolve("config.json"), """
                    {"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["/bin/true"],"cwd":"/"},"root":{"path":%s},"mounts":[%s]}
                    """.formatted(json(rootfs.toString()), c[0]));
            BundleRun.Result r = runs.create(bundle, "bad" + n, work.resolve("bad" + n + ".out"));
            assertThat(r.status()).as(c[0]).isNotZero();
            assertThat(runs.lastLog()).as(c[0]).contains("mounts[0]").contains(c[1]);
            assertThat(runs.stateRoot().resolve("bad" + n)).doesNotExist();
            n++;
        }
        assertThat(BundleRun.processesMentioning(work.toString())).isEmpty();
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
