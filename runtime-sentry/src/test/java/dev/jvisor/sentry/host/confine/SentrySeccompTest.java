package dev.jvisor.sentry.host.confine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Sentry's seccomp filter installed in a real JVM (a child, since it cannot be removed): a
 * JVM with threads running takes it on every thread, forbidden calls fail with EPERM from any
 * thread (even as root, where they would otherwise be allowed or fail differently), threads and
 * processes started later still start and inherit it, and the worst calls kill the process.
 */
class SentrySeccompTest {
    @TempDir Path work;

    private record Run(int status, Map<String, String> values, String output) {}

    private Run probe(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), SentrySeccompProbe.class.getName()));
        cmd.addAll(List.of(args));
        Path log = work.resolve("probe.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("probe hung: " + Files.readString(log));
        }
        Map<String, String> values = new HashMap<>();
        String out = Files.readString(log);
        for (String line : out.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) values.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return new Run(p.exitValue(), values, out);
    }

    @Test
    void forbiddenCallsFailWithEpermOnEveryThreadAndSpawnsStillWork() throws Exception {
        Run r = probe();
        assertThat(r.status()).as(r.output()).isZero();
        Map<String, String> v = r.values();
        String eperm = "-1";
        // Before the filter the probe's mount reaches the kernel, which finds no such target.
        assertThat(v.get("mount.before")).as(r.output()).isEqualTo("-2");
        assertThat(v.get("mount.after")).isEqualTo(eperm);
        assertThat(v.get("unshare.main")).isEqualTo(eperm);
        assertThat(v.get("unshare.olderThread")).isEqualTo(eperm);
        assertThat(v.get("setns.main")).isEqualTo(eperm);
        assertThat(v.get("bpf.main")).isEqualTo(eperm);
        assertThat(v.get("mount.newerThread")).isEqualTo(eperm);
        assertThat(Long.parseLong(v.get("getpid.main"))).isPositive();
        assertThat(v.get("child.status")).isEqualTo("Seccomp: 2 exit 0");
        String[] threads = v.get("threads.filtered").split("/");
        assertThat(threads[0]).as("threads with the filter / all threads").isEqualTo(threads[1]);
        assertThat(Integer.parseInt(threads[1])).isGreaterThan(5);
    }

    @Test
    void kexecLoadKillsTheProcess() throws Exception {
        Run r = probe("kexec");
        assertThat(r.output()).doesNotContain("survived");
        // SECCOMP_RET_KILL_PROCESS: death by SIGSYS, 128 + 31 as Java reports it.
        assertThat(r.status()).as(r.output()).isEqualTo(128 + 31);
    }
}
