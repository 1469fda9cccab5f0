package dev.jvisor.nodeagent.policy;

import dev.jvisor.nodeagent.AgentLog;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Serves gRPC services on a host unix socket. Connecting to a unix socket needs write permission
 * on it, so the socket's mode is its access control: 0600 (root only), or 0660 with a group.
 * The socket is bound inside a fresh private (0700) directory, given its owner and mode there, and
 * only then renamed onto its path, so no one ever sees it with looser permissions, and a stale
 * socket from an earlier agent is replaced in one step. Anything other than a socket at the path
 * is left alone and refused, as is a directory that others could write to.
 */
public final class PolicySocketServer implements AutoCloseable {

    /** Requests and events are small; larger messages are refused before they are parsed. */
    public static final int MAX_MESSAGE_BYTES = 64 << 10;
    static final int MAX_METADATA_BYTES = 8 << 10;
    static final int MAX_CALLS_PER_CONNECTION = 16;
    static final int WORKER_THREADS = 4;

    private final Path socket;
    private final Object socketKey;
    private final Server server;
    private final EpollEventLoopGroup loop;
    private final ExecutorService workers;

    private PolicySocketServer(Path socket, Object socketKey, Server server, EpollEventLoopGroup loop,
                               ExecutorService workers) {
        this.socket = socket;
        this.socketKey = socketKey;
        this.server = server;
        this.loop = loop;
        this.workers = workers;
    }

    /**
     * @param group when present, the socket's group, and its mode 0660; otherwise 0600
     */
    public static PolicySocketServer start(Path socket, OptionalInt group, BindableService... services)
            throws PolicySocketException {
        Path dir = socket.toAbsolutePath().getParent();
        prepareDirectory(dir);
        refuseNonSocket(socket);
        Path staging;
        try {
            staging = Files.createTempDirectory(dir, ".policy-sock-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new PolicySocketException("cannot create a staging directory in " + dir + ": " + e.getMessage(), e);
        }
        EpollEventLoopGroup loop = new EpollEventLoopGroup(1);
        ExecutorService workers = Executors.newFixedThreadPool(WORKER_THREADS, r -> {
            Thread t = new Thread(r, "policy-service");
            t.setDaemon(true);
            return t;
        });
        Server server = null;
        try {
            Path bound = staging.resolve("s");
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(bound.toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(loop).workerEventLoopGroup(loop)
                    .executor(workers)
                    .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                    .maxInboundMetadataSize(MAX_METADATA_BYTES)
                    .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                    .handshakeTimeout(10, TimeUnit.SECONDS);
            for (BindableService s : services) builder.addService(s);
            server = builder.build().start();
            Files.setPosixFilePermissions(bound, group.isPresent()
                    ? PosixFilePermissions.fromString("rw-rw----") : PosixFilePermissions.fromString("rw-------"));
            if (group.isPresent()) Files.setAttribute(bound, "unix:gid", group.getAsInt(), LinkOption.NOFOLLOW_LINKS);
            Object key = Files.readAttributes(bound, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
            // Checked again just before the rename: a regular file put there meanwhile is not ours to replace.
            refuseNonSocket(socket);
            Files.move(bound, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            AgentLog.info("serving the policy service", "socket", socket, "mode", group.isPresent() ? "0660" : "0600");
            return new PolicySocketServer(socket, key, server, loop, workers);
        } catch (IOException | RuntimeException e) {
            if (server != null) server.shutdownNow();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownNow();
            throw new PolicySocketException("cannot serve the policy socket " + socket + ": " + e.getMessage(), e);
        } finally {
            deleteTree(staging);
        }
    }

    /** The directory must exist (created 0755 if not), be a real directory, root's, and not writable by others. */
    private static void prepareDirectory(Path dir) throws PolicySocketException {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwxr-xr-x")));
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new PolicySocketException(dir + " is not a directory (or is a symbolic link)", null);
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (owner != self) {
                throw new PolicySocketException(dir + " belongs to uid " + owner + ", not to the agent (" + self + ")",
                        null);
            }
            if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new PolicySocketException(dir + " is writable by others ("
                        + PosixFilePermissions.toString(mode) + "): they could replace the socket", null);
            }
        } catch (IOException e) {
            throw new PolicySocketException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void refuseNonSocket(Path socket) throws PolicySocketException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            var attrs = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isOther()) {
                throw new PolicySocketException(socket + " exists and is not a socket; not replacing it", null);
            }
            int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0170000) != 0140000) {
                throw new PolicySocketException(socket + " exists and is not a socket; not replacing it", null);
            }
        } catch (IOException e) {
            throw new PolicySocketException("cannot inspect " + socket + ": " + e.getMessage(), e);
        }
    }

    public Path socket() {
        return socket;
    }

    /** Stops serving and removes the socket, unless another agent has already put its own there. */
    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
        try {
            Object key = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
            if (socketKey != null && socketKey.equals(key)) Files.deleteIfExists(socket);
        } catch (IOException e) {
            // Already gone.
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // A leftover empty staging directory is harmless.
                }
            });
        } catch (IOException e) {
            // Nothing to clean.
        }
    }

}
