package dev.jvisor.kindtests.node;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * A one-layer OCI image of the host's busybox-static, built without a registry (OCI
 * image-layout: {@code oci-layout}, {@code index.json}, {@code blobs/sha256/…}) and tarred
 * for {@code ctr images import}. The layer tar is reproducible (sorted, root-owned, mtime 0),
 * so its diff_id is stable between builds.
 */
final class BusyboxImage {
    static final String NAME = "localhost/busybox:latest";
    /** The same layer, named for a pod's sandbox container: its default command blocks until killed. */
    static final String PAUSE_NAME = "localhost/busybox-pause:latest";
    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final Duration TAR_TIMEOUT = Duration.ofSeconds(60);

    /** An image name and the command its config runs when the container names none. */
    record Tag(String name, List<String> cmd) {}

    static final Tag SHELL = new Tag(NAME, List.of("/bin/sh"));
    /** busybox sleep for as long as a timespec allows: a pause container that only a signal ends. */
    static final Tag PAUSE = new Tag(PAUSE_NAME, List.of("sleep", "2147483647"));

    private BusyboxImage() {}

    /** Builds the image {@link #NAME} under {@code work} and returns the path of the importable tar. */
    static Path build(Path work) throws IOException, InterruptedException {
        return build(work, List.of(SHELL));
    }

    /** Builds one image per tag, all on the same busybox layer, into one importable tar under {@code work}. */
    static Path build(Path work, List<Tag> tags) throws IOException, InterruptedException {
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "proc", "dev", "sys", "root")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        rootfs.resolve("bin/busybox").toFile().setExecutable(true, false);
        // One symlink per applet where busybox itself would install it.
        String applets = Commands.run(work, TAR_TIMEOUT, List.of(BUSYBOX.toString(), "--list-full"))
                .requireSuccess(List.of("busybox", "--list-full")).out();
        for (String applet : applets.split("\n")) {
            if (applet.isBlank() || applet.equals("bin/busybox")) continue;
            Path link = rootfs.resolve(applet);
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of("/bin/busybox"));
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");

        Path layout = Files.createDirectories(work.resolve("layout"));
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path layerTar = work.resolve("layer.tar");
        List<String> tar = List.of("tar", "-C", rootfs.toString(), "--sort=name", "--owner=0", "--group=0", "--numeric-owner",
                "--mtime=@0", "-cf", layerTar.toString(), ".");
        Commands.run(work, TAR_TIMEOUT, tar).requireSuccess(tar);
        String diffId = sha256(Files.readAllBytes(layerTar));
        Path layerGz = work.resolve("layer.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(layerGz))) {
            Files.copy(layerTar, out); // Java's gzip header carries no name and mtime 0, as gzip -n
        }
        Blob layer = store(blobs, Files.readAllBytes(layerGz));
        StringBuilder manifests = new StringBuilder();
        for (Tag tag : tags) {
            Blob config = store(blobs, ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\"],"
                    + "\"Cmd\":" + jsonArray(tag.cmd()) + "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + diffId + "\"]}}")
                    .getBytes(StandardCharsets.UTF_8));
            Blob manifest = store(blobs, ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + config.digest()
                    + "\",\"size\":" + config.size() + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                    + "\"digest\":\"sha256:" + layer.digest() + "\",\"size\":" + layer.size() + "}]}").getBytes(StandardCharsets.UTF_8));
            if (!manifests.isEmpty()) manifests.append(',');
            manifests.append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:").append(manifest.digest())
                    .append("\",\"size\":").append(manifest.size()).append(",\"annotations\":{\"io.containerd.image.name\":")
                    .append(jsonString(tag.name())).append("}}");
        }
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + manifests + "]}");
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path image = work.resolve("busybox-image.tar");
        List<String> pack = List.of("tar", "-C", layout.toString(), "-cf", image.toString(), ".");
        Commands.run(work, TAR_TIMEOUT, pack).requireSuccess(pack);
        return image;
    }

    private record Blob(String digest, long size) {}

    private static String jsonArray(List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (String item : items) sb.append(sb.length() > 1 ? "," : "").append(jsonString(item));
        return sb.append(']').toString();
    }

    /** Names and busybox commands are plain ASCII; a quote, backslash or control character is refused rather than escaped. */
    private static String jsonString(String s) {
        if (s.chars().anyMatch(c -> c == '"' || c == '\\' || c < 0x20)) throw new IllegalArgumentException("not a plain JSON string: " + s);
        return "\"" + s + "\"";
    }

    private static Blob store(Path blobs, byte[] content) throws IOException {
        String digest = sha256(content);
        Files.write(blobs.resolve(digest), content);
        return new Blob(digest, content.length);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
