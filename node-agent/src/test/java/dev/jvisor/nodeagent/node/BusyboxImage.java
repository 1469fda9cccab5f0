package dev.jvisor.nodeagent.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds a one-layer OCI image of busybox-static whose command blocks forever (it serves as the
 * pod sandbox image), reproducibly and without a registry, and imports it into containerd's
 * {@code k8s.io} namespace where CRI looks for images.
 */
final class BusyboxImage {

    static final Path BUSYBOX = Path.of("/bin/busybox");

    private BusyboxImage() {
    }

    static void importInto(PrivateContainerd containerd) throws IOException, InterruptedException {
        Path work = containerd.dir.resolve("image-build");
        Path rootfs = work.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "sleep", "echo", "cat")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Path layout = work.resolve("layout");
        Path blobs = layout.resolve("blobs/sha256");
        Files.createDirectories(blobs);
        Path layerTar = work.resolve("layer.tar");
        PrivateContainerd.run(List.of("tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner",
                "--mtime=@0", "-C", rootfs.toString(), "-cf", layerTar.toString(), "."), Duration.ofSeconds(60));
        String diffId = sha256(Files.readAllBytes(layerTar));
        PrivateContainerd.run(List.of("gzip", "-n", "-f", layerTar.toString()), Duration.ofSeconds(60));
        byte[] layer = Files.readAllBytes(work.resolve("layer.tar.gz"));
        String layerDigest = blob(blobs, layer);
        byte[] config = """
                {"architecture":"amd64","os":"linux",\
                "config":{"Cmd":["/bin/sleep","2147483647"],"Env":["PATH=/bin"]},\
                "rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}""".formatted(diffId)
                .getBytes(StandardCharsets.UTF_8);
        String configDigest = blob(blobs, config);
        byte[] manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},\
                "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}"""
                .formatted(configDigest, config.length, layerDigest, layer.length).getBytes(StandardCharsets.UTF_8);
        String manifestDigest = blob(blobs, manifest);
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), """
                {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                "digest":"sha256:%s","size":%d,"annotations":{"io.containerd.image.name":"%s",\
                "org.opencontainers.image.ref.name":"latest"}}]}""".formatted(manifestDigest, manifest.length,
                PrivateContainerd.IMAGE));
        Path imageTar = work.resolve("image.tar");
        PrivateContainerd.run(List.of("tar", "-C", layout.toString(), "-cf", imageTar.toString(), "."),
                Duration.ofSeconds(60));
        containerd.ctr(List.of("-n", "k8s.io", "images", "import", imageTar.toString()), Duration.ofSeconds(60), false);
    }

    private static String blob(Path blobs, byte[] content) throws IOException {
        String digest = sha256(content);
        Files.write(blobs.resolve(digest), content);
        return digest;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
