package dev.jvisor.images;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The content of one layer, by absolute path in the image, written as a gzip-compressed tar in
 * path order. Every entry has the epoch as its time and the owner it is given (root unless said
 * otherwise); a file keeps only its permission bits, with write access for others and group
 * removed. Missing parent directories are added (0755, root). The same entries always give the
 * same bytes, whatever the host's clock, umask or directory order. Every file and directory is
 * readable by every user.
 */
public final class LayerBuilder {
    private sealed interface Entry permits Dir, HostFile, Bytes, Symlink {}

    private record Dir(int mode, int uid, int gid) implements Entry {}

    private record HostFile(Path source, int mode, int uid, int gid) implements Entry {}

    private record Bytes(byte[] content, int mode, int uid, int gid) implements Entry {}

    private record Symlink(String target) implements Entry {}

    private final String description;
    private final TreeMap<String, Entry> entries = new TreeMap<>();

    public LayerBuilder(String description) {
        this.description = description;
    }

    public LayerBuilder directory(String path, int mode, int uid, int gid) {
        entries.put(relative(path), new Dir(mode, uid, gid));
        return this;
    }

    public LayerBuilder file(String path, byte[] content, int mode) {
        entries.put(relative(path), new Bytes(content.clone(), mode, 0, 0));
        return this;
    }

    public LayerBuilder file(String path, String content, int mode) {
        return file(path, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    /** A host file's content (symlinks followed) at {@code path}, with its permission bits. */
    public LayerBuilder copy(Path source, String path) {
        if (!Files.isRegularFile(source)) throw new ImageBuildException("not a regular file: " + source);
        entries.put(relative(path), new HostFile(source, permissions(source, false), 0, 0));
        return this;
    }

    /**
     * A host directory tree under {@code path}, owned by root: directories, regular files and
     * symbolic links (kept as links, with their targets as they are). Anything else (a device, a
     * socket) is refused: it cannot have come from a build.
     */
    public LayerBuilder tree(Path sourceRoot, String path) {
        if (!Files.isDirectory(sourceRoot)) throw new ImageBuildException("not a directory: " + sourceRoot);
        String base = relative(path);
        try (Stream<Path> all = Files.walk(sourceRoot)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String rel = sourceRoot.relativize(p).toString();
                String name = rel.isEmpty() ? base : base + "/" + rel;
                if (Files.isSymbolicLink(p)) {
                    entries.put(name, new Symlink(Files.readSymbolicLink(p).toString()));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(name, new Dir(permissions(p, true), 0, 0));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    entries.put(name, new HostFile(p, permissions(p, false), 0, 0));
                } else {
                    throw new ImageBuildException("neither file, directory nor symlink: " + p);
                }
            }
        } catch (IOException e) {
            throw new ImageBuildException("cannot read " + sourceRoot, e);
        }
        return this;
    }

    public LayerBuilder symlink(String path, String target) {
        entries.put(relative(path), new Symlink(target));
        return this;
    }

    /** Paths (absolute, as in the image) this layer holds, directories included. */
    public Set<String> paths() {
        TreeMap<String, Entry> all = withParents();
        return all.keySet().stream().map(p -> "/" + p).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Writes the layer's gzip blob into {@code blobDir} (named by its digest) and describes it. */
    public Layer write(Path blobDir) {
        try {
            Files.createDirectories(blobDir);
            Path tmp = Files.createTempFile(blobDir, "layer", ".tmp");
            String diffId;
            DigestingOutputStream compressed;
            try (OutputStream file = Files.newOutputStream(tmp)) {
                compressed = new DigestingOutputStream(file);
                GZIPOutputStream gzip = new GZIPOutputStream(compressed, 1 << 16);
                DigestingOutputStream tar = new DigestingOutputStream(gzip);
                try (TarWriter w = new TarWriter(tar)) {
                    for (Map.Entry<String, Entry> e : withParents().entrySet()) writeEntry(w, e.getKey(), e.getValue());
                }
                gzip.finish();
                gzip.flush();
                diffId = tar.digest();
            }
            String digest = compressed.digest();
            Path blob = blobDir.resolve(digest.substring("sha256:".length()));
            Files.move(tmp, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Layer(digest, compressed.count(), diffId, blob, description);
        } catch (IOException e) {
            throw new ImageBuildException("cannot write layer '" + description + "'", e);
        }
    }

    private TreeMap<String, Entry> withParents() {
        TreeMap<String, Entry> all = new TreeMap<>(entries);
        for (String name : entries.keySet()) {
            for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
                all.putIfAbsent(name.substring(0, slash), new Dir(0755, 0, 0));
            }
        }
        return all;
    }

    private static void writeEntry(TarWriter w, String name, Entry entry) throws IOException {
        switch (entry) {
            case Dir d -> w.directory(name, d.mode(), d.uid(), d.gid());
            case HostFile f -> w.file(name, f.mode(), f.uid(), f.gid(), f.source());
            case Bytes b -> w.file(name, b.mode(), b.uid(), b.gid(), b.content());
            case Symlink s -> w.symlink(name, s.target(), 0, 0);
        }
    }

    /** "opt/java" for "/opt/java/": tar names are relative and never end in a slash here. */
    private static String relative(String path) {
        String p = path.replaceAll("/+", "/");
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        if (p.isEmpty() || p.equals(".") || p.startsWith("../") || p.contains("/../") || p.endsWith("/..") || p.equals("..")) {
            throw new ImageBuildException("not a path inside the image: '" + path + "'");
        }
        return p;
    }

    private static int permissions(Path p, boolean directory) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            int mode = 0;
            for (PosixFilePermission perm : perms) mode |= 1 << (8 - perm.ordinal());
            // Everyone may read (the operator runs as a non-root user over root-owned files) and
            // run what its owner may run; only the owner may write.
            if (directory || (mode & 0100) != 0) return (mode & 0755) | 0555;
            return (mode & 0644) | 0444;
        } catch (IOException e) {
            throw new ImageBuildException("cannot read the permissions of " + p, e);
        }
    }
}
