package dev.jvisor.kindtests.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * An OCI image-layout tarball read back independently of the code that wrote it: index, manifest,
 * config, and every layer's entries (path, type, mode, owner, link target), with each blob's
 * digest checked against its content on the way.
 */
public final class ImageArchive {
    /** One entry of a layer: type '0' file, '5' directory, '2' symlink. */
    public record Entry(String path, char type, int mode, int uid, int gid, long size, String link) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, byte[]> files;
    public final JsonNode index;
    public final JsonNode manifest;
    public final JsonNode config;
    public final String manifestDigest;
    /** Layers bottom first; in each, entries in archive order. */
    public final List<List<Entry>> layers = new ArrayList<>();

    private ImageArchive(Map<String, byte[]> files) throws IOException {
        this.files = files;
        index = JSON.readTree(file("index.json"));
        manifestDigest = index.path("manifests").path(0).path("digest").asText();
        manifest = JSON.readTree(blob(manifestDigest));
        config = JSON.readTree(blob(manifest.path("config").path("digest").asText()));
        for (JsonNode layer : manifest.path("layers")) {
            byte[] tar;
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(blob(layer.path("digest").asText())))) {
                tar = in.readAllBytes();
            }
            List<Entry> entries = new ArrayList<>();
            read(tar, (e, content) -> entries.add(e));
            layers.add(entries);
        }
    }

    public static ImageArchive open(Path tarball) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        read(Files.readAllBytes(tarball), (e, content) -> {
            if (e.type() == '0') files.put(e.path(), content);
        });
        return new ImageArchive(files);
    }

    public String name() {
        return index.path("manifests").path(0).path("annotations").path("io.containerd.image.name").asText();
    }

    public JsonNode containerConfig() {
        return config.path("config");
    }

    public String label(String key) {
        return containerConfig().path("Labels").path(key).asText(null);
    }

    /** The entry at an absolute path as the container sees it (upper layers win). */
    public Entry find(String absolutePath) {
        Map<String, Entry> merged = new LinkedHashMap<>();
        for (List<Entry> layer : layers) for (Entry e : layer) merged.put(e.path(), e);
        return merged.get(absolutePath.substring(1));
    }

    public List<Entry> allEntries() {
        List<Entry> all = new ArrayList<>();
        layers.forEach(all::addAll);
        return all;
    }

    private byte[] file(String name) {
        byte[] b = files.get(name);
        if (b == null) throw new AssertionError("no " + name + " in the image archive");
        return b;
    }

    /** A blob, after checking that its content has the digest it is named by. */
    byte[] blob(String digest) {
        byte[] b = file("blobs/sha256/" + digest.substring("sha256:".length()));
        try {
            String actual = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
            if (!actual.equals(digest)) throw new AssertionError("blob " + digest + " has content " + actual);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return b;
    }

    private interface EntryConsumer {
        void accept(Entry e, byte[] content);
    }

    /** A POSIX tar reader: ustar headers, pax "path"/"linkpath" records. */
    private static void read(byte[] tar, EntryConsumer consumer) {
        int at = 0;
        String paxPath = null;
        String paxLink = null;
        while (at + 512 <= tar.length) {
            if (isZero(tar, at)) break;
            String name = text(tar, at, 100);
            int mode = (int) octal(tar, at + 100, 8);
            int uid = (int) octal(tar, at + 108, 8);
            int gid = (int) octal(tar, at + 116, 8);
            long size = octal(tar, at + 124, 12);
            char type = (char) tar[at + 156];
            String link = text(tar, at + 157, 100);
            String prefix = text(tar, at + 345, 155);
            if (!prefix.isEmpty()) name = prefix + "/" + name;
            int data = at + 512;
            byte[] content = java.util.Arrays.copyOfRange(tar, data, (int) (data + size));
            at = data + (int) ((size + 511) / 512 * 512);
            if (type == 'x') {
                for (String record : new String(content, StandardCharsets.UTF_8).split("\n")) {
                    String kv = record.substring(record.indexOf(' ') + 1);
                    if (kv.startsWith("path=")) paxPath = kv.substring(5);
                    if (kv.startsWith("linkpath=")) paxLink = kv.substring(9);
                }
                continue;
            }
            if (paxPath != null) name = paxPath;
            if (paxLink != null) link = paxLink;
            paxPath = null;
            paxLink = null;
            if (name.endsWith("/")) name = name.substring(0, name.length() - 1);
            consumer.accept(new Entry(name, type == '\0' ? '0' : type, mode, uid, gid, size, link), content);
        }
    }

    private static boolean isZero(byte[] b, int at) {
        for (int i = at; i < at + 512; i++) if (b[i] != 0) return false;
        return true;
    }

    private static String text(byte[] b, int at, int len) {
        int end = at;
        while (end < at + len && b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int at, int len) {
        String s = text(b, at, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }
}
