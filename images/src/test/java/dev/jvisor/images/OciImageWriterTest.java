package dev.jvisor.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI writer on a small tree with what a real one has (an executable, a symlink, a private
 * file, a name longer than a ustar header holds): the same inputs give the same bytes and digest
 * whatever the files' times; GNU tar reads layers and image back with the fixed metadata; the
 * digests the manifest and config record are those of the blobs.
 */
class OciImageWriterTest {
    private static final String LONG_NAME = "d/" + "x".repeat(120) + "/file-with-a-long-name.txt";

    private static Path tree(Path root) throws IOException {
        Files.createDirectories(root.resolve("bin"));
        Files.writeString(root.resolve("bin/tool"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(root.resolve("bin/tool"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(root.resolve("secret"), "only the owner could read this");
        Files.setPosixFilePermissions(root.resolve("secret"), PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("bin/tool"));
        Files.createDirectories(root.resolve(LONG_NAME).getParent());
        Files.writeString(root.resolve(LONG_NAME), "long");
        return root;
    }

    private static OciImageWriter.Written image(Path src, Path work, String name) {
        Layer base = new LayerBuilder("base").file("/etc/passwd", "root:x:0:0::/:/x\n", 0644).directory("/tmp", 01777, 0, 0)
                .write(work.resolve("blobs"));
        Layer app = new LayerBuilder("app").tree(src, "/opt/app").write(work.resolve("blobs"));
        ImageConfig config = new ImageConfig(List.of("/opt/app/bin/tool"), List.of("--help"), "185:185", "/opt/app",
                List.of("PATH=/usr/bin"), new TreeMap<>(Map.of("a.label", "v")), new TreeSet<>(List.of("8443/tcp")));
        return OciImageWriter.write(work.resolve("out.tar"), name, List.of(base, app), config);
    }

    @Test
    void theSameInputsGiveTheSameBytesWhateverTheFileTimes(@TempDir Path dir) throws Exception {
        Path src = tree(dir.resolve("src"));
        OciImageWriter.Written first = image(src, dir.resolve("one"), "example.org/app:1.0");
        try (var all = Files.walk(src)) {
            for (Path p : all.toList()) Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2031-01-02T03:04:05Z")));
        }
        OciImageWriter.Written second = image(src, dir.resolve("two"), "example.org/app:1.0");
        assertThat(second.manifestDigest()).isEqualTo(first.manifestDigest()).startsWith("sha256:");
        assertThat(Files.mismatch(first.tarball(), second.tarball())).isEqualTo(-1L);

        Files.writeString(src.resolve("bin/tool"), "#!/bin/sh\necho changed\n");
        assertThat(image(src, dir.resolve("three"), "example.org/app:1.0").manifestDigest()).isNotEqualTo(first.manifestDigest());
    }

    @Test
    void tarReadsTheImageAndItsLayersWithFixedOwnersTimesAndModes(@TempDir Path dir) throws Exception {
        OciImageWriter.Written w = image(tree(dir.resolve("src")), dir.resolve("work"), "example.org/app:1.0");
        Path layout = Files.createDirectories(dir.resolve("layout"));
        run(List.of("tar", "-xf", w.tarball().toString(), "-C", layout.toString()));
        assertThat(Files.readString(layout.resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
        String index = Files.readString(layout.resolve("index.json"));
        assertThat(index).contains("\"io.containerd.image.name\":\"example.org/app:1.0\"")
                .contains("\"org.opencontainers.image.ref.name\":\"1.0\"")
                .contains("\"digest\":\"" + w.manifestDigest() + "\"");

        // Every blob is named by the SHA-256 of its content.
        try (var blobs = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path b : blobs.toList()) assertThat(sha256(Files.readAllBytes(b))).isEqualTo(b.getFileName().toString());
        }
        String manifest = Files.readString(blob(layout, w.manifestDigest()));
        assertThat(manifest).contains(OciImageWriter.MANIFEST_TYPE).contains(OciImageWriter.LAYER_TYPE);
        String configDigest = manifest.replaceAll(".*\"config\":\\{[^}]*\"digest\":\"(sha256:[0-9a-f]+)\".*", "$1");
        String config = Files.readString(blob(layout, configDigest));
        assertThat(config).contains("\"User\":\"185:185\"").contains("\"Entrypoint\":[\"/opt/app/bin/tool\"]")
                .contains("\"Cmd\":[\"--help\"]").contains("\"ExposedPorts\":{\"8443/tcp\":{}}")
                .contains("\"Labels\":{\"a.label\":\"v\"}").contains("\"created\":\"1970-01-01T00:00:00Z\"");

        // The app layer: its diff_id is the digest of the uncompressed tar, listed in order.
        String appLayer = manifest.replaceAll(".*\"layers\":\\[.*\"digest\":\"(sha256:[0-9a-f]+)\".*\\].*", "$1");
        byte[] tar;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(blob(layout, appLayer)))) {
            tar = in.readAllBytes();
        }
        assertThat(config).contains("\"sha256:" + sha256(tar) + "\"");
        Path layerTar = dir.resolve("layer.tar");
        Files.write(layerTar, tar);
        String listing = run(List.of("tar", "--numeric-owner", "--full-time", "-tvf", layerTar.toString()));
        assertThat(listing.lines().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList()).containsSubsequence(
                "opt/", "opt/app/", "opt/app/bin/", "opt/app/bin/tool", "opt/app/d/", "opt/app/secret");
        assertThat(listing).contains("opt/app/" + LONG_NAME);
        for (String line : listing.lines().toList()) {
            assertThat(line).as(line).contains(" 0/0 ").contains("1970-01-01 00:00:00");
        }
        assertThat(line(listing, "opt/app/bin/tool")).startsWith("-rwxr-xr-x");
        assertThat(line(listing, "opt/app/secret")).startsWith("-rw-r--r--");
        assertThat(line(listing, "opt/app/link")).startsWith("lrwxrwxrwx").endsWith("opt/app/link -> bin/tool");

        String base = manifest.replaceAll(".*\"layers\":\\[\\{[^}]*\"digest\":\"(sha256:[0-9a-f]+)\".*", "$1");
        Path baseTar = dir.resolve("base.tar.gz");
        Files.copy(blob(layout, base), baseTar);
        assertThat(line(run(List.of("tar", "--numeric-owner", "-tvzf", baseTar.toString())), "tmp/")).startsWith("drwxrwxrwt");
    }

    @Test
    void badInputIsATypedErrorNamingIt(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> new LayerBuilder("x").file("/../etc/passwd", "x", 0644))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("not a path inside the image");
        assertThatThrownBy(() -> new LayerBuilder("x").tree(dir.resolve("missing"), "/opt"))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("not a directory");
        Path withFifo = Files.createDirectories(dir.resolve("fifo"));
        run(List.of("mkfifo", withFifo.resolve("pipe").toString()));
        assertThatThrownBy(() -> new LayerBuilder("x").tree(withFifo, "/opt"))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("neither file, directory nor symlink");
        Layer l = new LayerBuilder("x").file("/a", "a", 0644).write(dir.resolve("blobs"));
        ImageConfig config = new ImageConfig(List.of("/a"), List.of(), "0:0", "/", List.of(), new TreeMap<>(), new TreeSet<>());
        assertThatThrownBy(() -> OciImageWriter.write(dir.resolve("o.tar"), "example.org/app", List.of(l), config))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("needs a tag");
        assertThatThrownBy(() -> new ImageConfig(List.of(), List.of(), "0:0", "/", List.of(), new TreeMap<>(), new TreeSet<>()))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("entrypoint");
        assertThatThrownBy(() -> new ImageConfig(List.of("/a"), List.of(), "0:0", "/", List.of("NOVALUE"), new TreeMap<>(), new TreeSet<>()))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("NAME=value");
    }

    private static String line(String listing, String name) {
        return listing.lines().filter(l -> l.endsWith(" " + name) || l.contains(" " + name + " -> ")).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in\n" + listing));
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(command + ": " + out).isZero();
        return out;
    }
}
