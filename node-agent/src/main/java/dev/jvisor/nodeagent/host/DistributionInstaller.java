package dev.jvisor.nodeagent.host;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Installs a runtime distribution (any directory tree with an executable {@code bin/runsc}) into
 * {@code <installDir>/<version>/} on the host and points {@code <installDir>/current} at it.
 *
 * <p>Every file is written to a temporary sibling and renamed into place, which unlinks the old
 * file instead of overwriting it: a sandbox still running the old binary keeps its inode, and no
 * reader ever sees half a file. The {@code current} link is replaced by renaming a new link over
 * it, so it always names a complete version. Nothing outside the install directory is touched.
 */
public final class DistributionInstaller {

    /** The link containerd's BinaryName goes through, so an upgrade needs no config change. */
    public static final String CURRENT = "current";
    /** The runtime binary a distribution must contain. */
    public static final String RUNSC = "bin/runsc";

    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

    private final Path installDir;

    /** @param installDir the install directory as the agent reaches it (under the host root mount) */
    public DistributionInstaller(Path installDir) {
        this.installDir = installDir;
    }

    public Path installDir() {
        return installDir;
    }

    /** Refuses versions that could not be a single, ordinary directory name. */
    public static String checkVersion(String version) throws HostException {
        if (version == null || !VERSION.matcher(version).matches() || version.equals(CURRENT)
                || version.contains("..")) {
            throw new HostException(HostException.Reason.INVALID_VERSION, "not a usable version: " + version);
        }
        return version;
    }

    /** Copies {@code distribution} into the version's directory; re-running converges to the same tree. */
    public Path install(Path distribution, String version) throws HostException {
        checkVersion(version);
        checkDistribution(distribution);
        Path target = installDir.resolve(version);
        try {
            refuseSymlink(installDir);
            Files.createDirectories(target);
            refuseSymlink(target);
            Set<Path> copied = copyTree(distribution, target);
            removeExtras(target, copied);
            return target;
        } catch (IOException e) {
            throw new HostException(HostException.Reason.IO_ERROR, "installing " + version + ": " + e, e);
        }
    }

    /** Points {@code current} at {@code version} with one atomic rename. */
    public void activate(String version) throws HostException {
        checkVersion(version);
        Path current = installDir.resolve(CURRENT);
        Path temp = installDir.resolve(CURRENT + AtomicFiles.TEMP_SUFFIX);
        try {
            if (!Files.isRegularFile(installDir.resolve(version).resolve(RUNSC), LinkOption.NOFOLLOW_LINKS)) {
                throw new HostException(HostException.Reason.INVALID_DISTRIBUTION, version + " is not installed");
            }
            if (Files.exists(current, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(current)) {
                throw new HostException(HostException.Reason.UNEXPECTED_HOST_FILE, current + " is not a symlink");
            }
            Files.deleteIfExists(temp);
            // Relative, so the link is right both on the host and under the agent's host-root mount.
            Files.createSymbolicLink(temp, Path.of(version));
            AtomicFiles.replace(temp, current);
        } catch (IOException e) {
            throw new HostException(HostException.Reason.IO_ERROR, "switching current to " + version + ": " + e, e);
        }
    }

    /** The version {@code current} names, if any. */
    public Optional<String> currentVersion() {
        try {
            return Optional.of(Files.readSymbolicLink(installDir.resolve(CURRENT)).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes {@code current}, the given versions and, if it is then empty, the install directory.
     * Idempotent: what is already gone is skipped.
     */
    public void remove(List<String> versions) throws HostException {
        try {
            Files.deleteIfExists(installDir.resolve(CURRENT));
            Files.deleteIfExists(installDir.resolve(CURRENT + AtomicFiles.TEMP_SUFFIX));
            for (String version : versions) {
                deleteTree(installDir.resolve(checkVersion(version)));
            }
            try {
                Files.deleteIfExists(installDir);
            } catch (DirectoryNotEmptyException othersLeftFiles) {
                // Files we did not install stay, and so does their directory.
            }
        } catch (IOException e) {
            throw new HostException(HostException.Reason.IO_ERROR, "removing " + installDir + ": " + e, e);
        }
    }

    private static void checkDistribution(Path distribution) throws HostException {
        Path runsc = distribution.resolve(RUNSC);
        if (!Files.isRegularFile(runsc, LinkOption.NOFOLLOW_LINKS) || !Files.isExecutable(runsc)) {
            throw new HostException(HostException.Reason.INVALID_DISTRIBUTION,
                    distribution + " has no executable " + RUNSC);
        }
    }

    private static void refuseSymlink(Path path) throws HostException {
        if (Files.isSymbolicLink(path)) {
            throw new HostException(HostException.Reason.UNEXPECTED_HOST_FILE,
                    path + " is a symlink; refusing to install through it");
        }
    }

    /** Copies the tree; returns the relative paths written. */
    private static Set<Path> copyTree(Path source, Path target) throws IOException, HostException {
        Set<Path> written = new HashSet<>();
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(source)) {
            entries = walk.sorted().toList();
        }
        for (Path entry : entries) {
            Path relative = source.relativize(entry);
            if (relative.toString().isEmpty()) {
                continue;
            }
            Path destination = target.resolve(relative.toString());
            written.add(relative);
            if (Files.isSymbolicLink(entry)) {
                copySymlink(source, entry, destination);
            } else if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.isSymbolicLink(destination) || Files.isRegularFile(destination, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(destination);
                }
                Files.createDirectories(destination);
            } else if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                copyFile(entry, destination);
            } else {
                throw new HostException(HostException.Reason.INVALID_DISTRIBUTION,
                        "only files, directories and symlinks can be installed: " + relative);
            }
        }
        return written;
    }

    private static void copyFile(Path from, Path to) throws IOException {
        // Only the rwx bits travel: a POSIX permission set has no set-id bits to carry onto the host.
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(from);
        if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(to);
        }
        AtomicFiles.write(to, Files.readAllBytes(from), permissions);
    }

    /** Symlinks are kept only when they point inside the distribution. */
    private static void copySymlink(Path root, Path link, Path to) throws IOException, HostException {
        Path linkTarget = Files.readSymbolicLink(link);
        Path resolved = link.getParent().resolve(linkTarget).normalize();
        if (linkTarget.isAbsolute() || !resolved.startsWith(root.normalize())) {
            throw new HostException(HostException.Reason.INVALID_DISTRIBUTION,
                    "symlink leaves the distribution: " + root.relativize(link) + " -> " + linkTarget);
        }
        Path temp = to.resolveSibling(to.getFileName() + AtomicFiles.TEMP_SUFFIX);
        Files.deleteIfExists(temp);
        Files.createSymbolicLink(temp, linkTarget);
        if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(to);
        }
        AtomicFiles.replace(temp, to);
    }

    /** Drops what an earlier, different copy of this version left (and temporaries of a crashed run). */
    private static void removeExtras(Path target, Set<Path> copied) throws IOException {
        List<Path> extras;
        try (Stream<Path> walk = Files.walk(target)) {
            extras = walk.filter(p -> !p.equals(target))
                    .filter(p -> !copied.contains(target.relativize(p)))
                    .sorted(Comparator.reverseOrder())
                    .toList();
        }
        for (Path extra : extras) {
            deleteTree(extra);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
