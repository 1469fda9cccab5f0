package dev.jvisor.images;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one image as an OCI image-layout tarball: {@code oci-layout}, {@code index.json} naming
 * the image (the {@code io.containerd.image.name} annotation is what {@code ctr images import}
 * and {@code kind load image-archive} tag it with) and {@code blobs/sha256/} holding the layers,
 * the config and the manifest. The config carries no creation time of the build (the epoch), so
 * the manifest digest is a function of the layers and the config alone.
 */
public final class OciImageWriter {
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
    private static final String EPOCH = "1970-01-01T00:00:00Z";

    /** The written tarball, the image's identity (manifest digest, full name), its config and layer digests. */
    public record Written(Path tarball, String manifestDigest, String name, String configDigest, List<String> layerDigests) {}

    private OciImageWriter() {}

    /**
     * Writes {@code name} ("registry/repository:tag") with these layers, bottom first, and this
     * config to {@code tarball}.
     */
    public static Written write(Path tarball, String name, List<Layer> layers, ImageConfig config) {
        int colon = name.lastIndexOf(':');
        if (colon < 0 || colon < name.lastIndexOf('/') || colon == name.length() - 1) {
            throw new ImageBuildException("image name needs a tag: " + name);
        }
        if (layers.isEmpty()) throw new ImageBuildException("an image needs at least one layer");

        List<Object> diffIds = new ArrayList<>();
        List<Object> history = new ArrayList<>();
        for (Layer l : layers) {
            diffIds.add(l.diffId());
            history.add(ordered("created", EPOCH, "created_by", l.description()));
        }
        Map<String, Object> configJson = ordered(
                "created", EPOCH,
                "architecture", "amd64",
                "os", "linux",
                "config", config.toJson(),
                "rootfs", ordered("type", "layers", "diff_ids", diffIds),
                "history", history);
        byte[] configBytes = Json.write(configJson).getBytes(StandardCharsets.UTF_8);

        List<Object> layerDescriptors = new ArrayList<>();
        for (Layer l : layers) layerDescriptors.add(ordered("mediaType", LAYER_TYPE, "digest", l.digest(), "size", l.size()));
        Map<String, Object> manifestJson = ordered(
                "schemaVersion", 2,
                "mediaType", MANIFEST_TYPE,
                "config", ordered("mediaType", CONFIG_TYPE, "digest", DigestingOutputStream.digestOf(configBytes),
                        "size", (long) configBytes.length),
                "layers", layerDescriptors);
        byte[] manifestBytes = Json.write(manifestJson).getBytes(StandardCharsets.UTF_8);
        String manifestDigest = DigestingOutputStream.digestOf(manifestBytes);

        Map<String, Object> indexJson = ordered(
                "schemaVersion", 2,
                "mediaType", INDEX_TYPE,
                "manifests", List.of(ordered(
                        "mediaType", MANIFEST_TYPE,
                        "digest", manifestDigest,
                        "size", (long) manifestBytes.length,
                        "platform", ordered("architecture", "amd64", "os", "linux"),
                        "annotations", ordered(
                                "io.containerd.image.name", name,
                                "org.opencontainers.image.ref.name", name.substring(colon + 1)))));
        byte[] indexBytes = Json.write(indexJson).getBytes(StandardCharsets.UTF_8);

        // Blobs by digest, each once (two layers may be equal), in digest order.
        TreeMap<String, Object> blobs = new TreeMap<>();
        for (Layer l : layers) blobs.put(l.hex(), l.blob());
        blobs.put(hex(DigestingOutputStream.digestOf(configBytes)), configBytes);
        blobs.put(hex(manifestDigest), manifestBytes);

        try {
            Files.createDirectories(tarball.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(tarball.toAbsolutePath().getParent(), "image", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp); TarWriter tar = new TarWriter(out)) {
                tar.directory("blobs", 0755, 0, 0);
                tar.directory("blobs/sha256", 0755, 0, 0);
                for (Map.Entry<String, Object> b : blobs.entrySet()) {
                    String entry = "blobs/sha256/" + b.getKey();
                    if (b.getValue() instanceof Path p) tar.file(entry, 0444, 0, 0, p);
                    else tar.file(entry, 0444, 0, 0, (byte[]) b.getValue());
                }
                tar.file("index.json", 0444, 0, 0, indexBytes);
                tar.file("oci-layout", 0444, 0, 0, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, tarball, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ImageBuildException("cannot write " + tarball, e);
        }
        return new Written(tarball, manifestDigest, name, DigestingOutputStream.digestOf(configBytes),
                layers.stream().map(Layer::digest).toList());
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    /** A map that keeps the order its keys are given in: key, value, key, value... */
    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }
}
