package dev.jvisor.nodeagent.containerd;

import dev.jvisor.nodeagent.host.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Applies {@link FileEdit}s so that each can be undone to the exact original bytes. Before the first
 * change to a file its original is copied to {@code <file>.jvisor.bak}; a file that did not exist
 * gets a {@code <file>.jvisor.created} marker instead, listing the directories created for it. While
 * the backup or marker exists, the original is read from it, so re-applying after a crash computes
 * the same content, and undoing is restoring the backup or deleting what we created.
 */
public final class ReversibleFiles {

    public static final String BACKUP_SUFFIX = ".jvisor.bak";
    public static final String CREATED_SUFFIX = ".jvisor.created";

    private static final Set<PosixFilePermission> CONFIG_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");

    private ReversibleFiles() {
    }

    public static Path backupOf(Path file) {
        return file.resolveSibling(file.getFileName() + BACKUP_SUFFIX);
    }

    public static Path markerOf(Path file) {
        return file.resolveSibling(file.getFileName() + CREATED_SUFFIX);
    }

    /** Whether this file currently carries an edit of ours (a backup or creation marker exists). */
    public static boolean isEdited(Path file) {
        return Files.exists(backupOf(file), LinkOption.NOFOLLOW_LINKS)
                || Files.exists(markerOf(file), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Applies the edit. The new content is computed before anything is written, so a refused edit
     * (a conflict, a parse error) leaves the host untouched; a file that already has it is not
     * rewritten.
     */
    public static void apply(FileEdit edit) throws ContainerdConfigException {
        Path file = edit.file();
        try {
            Optional<String> original = originalOf(file);
            String content = edit.newContent(original);
            if (!isEdited(file)) {
                recordOriginal(file);
            }
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(file), bytes)) {
                return;
            }
            Set<PosixFilePermission> permissions = Files.exists(backupOf(file))
                    ? Files.getPosixFilePermissions(backupOf(file))
                    : CONFIG_PERMISSIONS;
            AtomicFiles.write(file, bytes, permissions);
        } catch (IOException e) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.IO_ERROR, file, e.toString(), e);
        }
    }

    /** Computes the edit's new content without writing anything: throws what {@link #apply} would. */
    public static void check(FileEdit edit) throws ContainerdConfigException {
        try {
            edit.newContent(originalOf(edit.file()));
        } catch (IOException e) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.IO_ERROR, edit.file(),
                    e.toString(), e);
        }
    }

    /** Undoes {@link #apply}: restores the backup byte for byte, or deletes what we created. Idempotent. */
    public static void restore(Path file) throws ContainerdConfigException {
        try {
            Path backup = backupOf(file);
            Path marker = markerOf(file);
            if (Files.exists(backup, LinkOption.NOFOLLOW_LINKS)) {
                AtomicFiles.replace(backup, file);
            } else if (Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
                List<String> createdDirectories = Files.readAllLines(marker, StandardCharsets.UTF_8);
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + AtomicFiles.TEMP_SUFFIX));
                Files.delete(marker);
                for (String directory : createdDirectories) {
                    deleteIfEmpty(Path.of(directory));
                }
            }
        } catch (IOException e) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.IO_ERROR, file, e.toString(), e);
        }
    }

    /** The content before our first edit: from the backup, nothing if we created the file, else the file. */
    static Optional<String> originalOf(Path file) throws IOException, ContainerdConfigException {
        if (Files.exists(backupOf(file), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(readUtf8(backupOf(file), file));
        }
        if (Files.exists(markerOf(file), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (Files.isSymbolicLink(file)) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.FOREIGN_FILE, file,
                    "is a symbolic link; refusing to replace it with a regular file");
        }
        if (Files.exists(file)) {
            return Optional.of(readUtf8(file, file));
        }
        return Optional.empty();
    }

    private static void recordOriginal(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Path backup = backupOf(file);
            Path temp = backup.resolveSibling(backup.getFileName() + AtomicFiles.TEMP_SUFFIX);
            Files.copy(file, temp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            AtomicFiles.replace(temp, backup);
        } else {
            List<String> created = createParents(file.getParent());
            AtomicFiles.write(markerOf(file), String.join("\n", created).getBytes(StandardCharsets.UTF_8),
                    CONFIG_PERMISSIONS);
        }
    }

    /** Creates missing parent directories; returns them deepest first, so removal can follow the list. */
    private static List<String> createParents(Path directory) throws IOException {
        List<String> created = new ArrayList<>();
        Path current = directory;
        while (current != null && !Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
            created.add(current.toString());
            current = current.getParent();
        }
        Files.createDirectories(directory);
        return created;
    }

    private static void deleteIfEmpty(Path directory) throws IOException {
        try {
            Files.deleteIfExists(directory);
        } catch (DirectoryNotEmptyException someoneElsesFiles) {
            // Another program put files there since; the directory is theirs now.
        }
    }

    /** Reads {@code source} as strict UTF-8 (containerd's TOML must be), reporting errors against {@code file}. */
    static String readUtf8(Path source, Path file) throws IOException, ContainerdConfigException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(source))).toString();
        } catch (CharacterCodingException e) {
            throw new ContainerdConfigException(ContainerdConfigException.Reason.PARSE_ERROR, file,
                    "not UTF-8 text", e);
        }
    }
}
