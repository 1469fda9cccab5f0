package dev.jvisor.runsc.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The distribution's {@code lib/policy/} carries what runsc's plaintext unix-socket gRPC client
 * loads and not the native libraries it never does: no netty-tcnative (TLS) for any platform,
 * no library for another architecture, no rich-error protos, but the Linux x86-64 epoll transport
 * the client needs (PolicyDistributionIT and SandboxEventsIT prove the client still works with
 * what is left).
 */
class PolicyLibrarySizeIT {
    private static final Path POLICY = Path.of(System.getProperty("jvisor.dist.dir", "target/jvisor-runtime"))
            .toAbsolutePath().resolve(PolicyJars.DIRECTORY);
    /** 19.9 MB untrimmed, 11.1 MB trimmed (gRPC 1.79); the margin leaves room for version bumps. */
    private static final long MAX_BYTES = 12L << 20;

    private static List<String> natives(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return Collections.list(zip.entries()).stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("META-INF/native/") && !n.endsWith("/")).toList();
        }
    }

    @Test
    void onlyTheEpollTransportForThisPlatformIsShipped() throws IOException {
        assertThat(natives(POLICY.resolve("grpc-netty-shaded.jar")))
                .containsExactly("META-INF/native/libio_grpc_netty_shaded_netty_transport_native_epoll_x86_64.so");
    }

    @Test
    void richErrorProtosAreLeftOut() {
        assertThat(POLICY.resolve("proto-google-common-protos.jar")).doesNotExist();
        assertThat(POLICY.resolve("grpc-protobuf.jar")).exists();
    }

    @Test
    void theDirectoryStaysSmall() throws IOException {
        long bytes;
        try (Stream<Path> jars = Files.list(POLICY)) {
            bytes = jars.mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(bytes).as("bytes in " + POLICY).isPositive().isLessThan(MAX_BYTES);
    }
}
