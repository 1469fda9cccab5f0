package dev.jvisor.nodeagent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock excludes another process, and the kernel frees it when its holder is killed. */
class HostLockTest {

    @TempDir
    Path tmp;

    /** Holds the lock in a separate JVM until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            HostLock lock = HostLock.acquire(Path.of(args[0]), Duration.ofSeconds(10));
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(60_000);
            lock.close();
        }
    }

    @Test
    void anotherProcessWaitsUntilTheHolderDies() throws Exception {
        Path lockFile = tmp.resolve("run/jvisor/agent.lock");
        Process holder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), lockFile.toString()))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> HostLock.acquire(lockFile, Duration.ofMillis(300)))
                    .isInstanceOfSatisfying(HostException.class,
                            e -> assertThat(e.reason()).isEqualTo(HostException.Reason.LOCK_TIMEOUT));
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
            try (HostLock lock = HostLock.acquire(lockFile, Duration.ofSeconds(5))) {
                assertThat(lock).isNotNull();
            }
        } finally {
            holder.destroyForcibly();
        }
        assertThat(lockFile).exists();
    }
}
