package dev.jvisor.runsc.state;

import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonSyntaxException;
import dev.jvisor.oci.json.JsonWriter;
import dev.jvisor.runsc.cli.IoErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The containers recorded under one {@code --root} directory. */
public final class StateStore {
    static final String STATE_FILE = "state.json";
    static final String LOCK_FILE = "lock";
    /** A record is a few hundred bytes; anything far larger was not written by runsc. */
    static final int MAX_STATE_BYTES = 1 << 20;

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final String DIR_MODE = "rwx--x--x";

    private final Path root;

    public StateStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Records a new container and returns the lock on it, held. */
    public ContainerLock create(ContainerRecord record) throws InvalidContainerIdException, ContainerExistsException, StateException {
        String id = ContainerId.validate(record.id());
        Path dir = root.resolve(id);
        try {
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(DIR_MODE)));
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(DIR_MODE)));
        } catch (FileAlreadyExistsException e) {
            throw new ContainerExistsException(id);
        } catch (IOException e) {
            throw new StateException("cannot create state directory " + dir + ": " + IoErrors.reason(e), e);
        }
        ContainerLock lock;
        try {
            FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW);
            lock = new ContainerLock(id, ch, ch.lock());
        } catch (IOException e) {
            throw new StateException("cannot create lock for container " + id + ": " + IoErrors.reason(e), e);
        }
        try {
            save(lock, record);
        } catch (StateException e) {
            lock.close();
            throw e;
        }
        return lock;
    }

    /**
     * Waits for and takes the exclusive lock on a recorded container. Fails with
     * {@link ContainerNotFoundException} if it does not exist, or stopped existing while we waited.
     */
    public ContainerLock lock(String id) throws InvalidContainerIdException, ContainerNotFoundException, StateException {
        Path dir = root.resolve(ContainerId.validate(id));
        if (!Files.isDirectory(dir, NOFOLLOW)) throw new ContainerNotFoundException(id);
        FileChannel ch;
        try {
            // Never created here: a lock file that is gone means a delete is under way.
            ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.WRITE, NOFOLLOW);
        } catch (NoSuchFileException e) {
            throw new ContainerNotFoundException(id);
        } catch (IOException e) {
            throw new StateException("cannot open lock of container " + id + ": " + IoErrors.reason(e), e);
        }
        ContainerLock lock;
        try {
            lock = new ContainerLock(id, ch, waitForLock(ch));
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StateException("cannot lock container " + id + ": " + IoErrors.reason(e), e);
        }
        // The holder before us may have deleted the container.
        if (!Files.exists(dir.resolve(STATE_FILE), NOFOLLOW)) {
            lock.close();
            throw new ContainerNotFoundException(id);
        }
        return lock;
    }

    /** Reads a container's record. Safe without the lock: writes replace the file atomically. */
    public ContainerRecord load(String id) throws InvalidContainerIdException, ContainerNotFoundException, StateException {
        Path file = root.resolve(ContainerId.validate(id)).resolve(STATE_FILE);
        if (Files.exists(file, NOFOLLOW) && !Files.isRegularFile(file, NOFOLLOW)) {
            // A FIFO would block the open; a symlink would lead elsewhere. runsc writes neither.
            throw new StateException("state of container " + id + " is not a regular file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, NOFOLLOW)) {
            bytes = in.readNBytes(MAX_STATE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new ContainerNotFoundException(id);
        } catch (IOException e) {
            throw new StateException("cannot read state of container " + id + ": " + IoErrors.reason(e), e);
        }
        if (bytes.length > MAX_STATE_BYTES) throw new StateException("state of container " + id + " is too large");
        ContainerRecord r;
        try {
            r = ContainerRecord.fromJson(JsonParser.parse(new String(bytes, StandardCharsets.UTF_8)));
        } catch (JsonSyntaxException | StateException e) {
            throw new StateException("state of container " + id + " is corrupt: " + e.getMessage(), e);
        }
        if (!r.id().equals(id)) throw new StateException("state of container " + id + " names another container");
        return r;
    }

    /** Replaces a container's record atomically: readers see the old or the new one, whole. */
    public void save(ContainerLock lock, ContainerRecord record) throws StateException {
        if (!lock.id().equals(record.id())) throw new IllegalArgumentException("lock is for another container");
        Path dir = root.resolve(record.id());
        Path tmp = dir.resolve(STATE_FILE + ".tmp");
        byte[] bytes = (JsonWriter.compact(record.toJson()) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE, NOFOLLOW)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(dir);
        } catch (IOException e) {
            throw new StateException("cannot write state of container " + record.id() + ": " + IoErrors.reason(e), e);
        }
    }

    /**
     * Deletes a container's state directory. The state file goes first, so a caller waiting on
     * the lock finds the container gone; the lock file last but one, the directory last.
     * Symlinks inside are removed, never followed.
     */
    public void remove(ContainerLock lock) throws StateException {
        Path dir = root.resolve(lock.id());
        try {
            Files.deleteIfExists(dir.resolve(STATE_FILE));
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (!file.getFileName().toString().equals(LOCK_FILE) || !file.getParent().equals(dir)) Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    if (exc != null) throw exc;
                    if (!d.equals(dir)) Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
            Files.deleteIfExists(dir.resolve(LOCK_FILE));
            Files.delete(dir);
        } catch (IOException e) {
            throw new StateException("cannot remove state of container " + lock.id() + ": " + IoErrors.reason(e), e);
        }
    }

    /** Ids of the recorded containers, sorted; entries that are not container directories are skipped. */
    public List<String> ids() throws StateException {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) return ids;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                try {
                    ContainerId.validate(name);
                } catch (InvalidContainerIdException notOurs) {
                    continue;
                }
                if (Files.isDirectory(p, NOFOLLOW) && Files.exists(p.resolve(STATE_FILE), NOFOLLOW)) ids.add(name);
            }
        } catch (IOException e) {
            throw new StateException("cannot list " + root + ": " + IoErrors.reason(e), e);
        }
        ids.sort(null);
        return ids;
    }

    /**
     * Blocks until the lock is ours. Between processes (the normal case) the kernel queues us;
     * within one JVM (tests, AOT training) Java refuses an overlapping lock at once instead of
     * blocking, so we poll until the other holder releases it.
     */
    private static FileLock waitForLock(FileChannel ch) throws IOException {
        while (true) {
            try {
                return ch.lock();
            } catch (OverlappingFileLockException heldInThisJvm) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for a container lock");
                }
            }
        }
    }

    private static void syncDirectory(Path dir) {
        // Makes the rename durable. Linux allows fsync on a directory opened read-only.
        try (FileChannel ch = FileChannel.open(dir, Set.of(StandardOpenOption.READ))) {
            ch.force(true);
        } catch (IOException ignored) {
            // The rename itself is done; only durability across a host crash is weaker.
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Closing a channel that never held a lock has nothing to undo.
        }
    }
}
