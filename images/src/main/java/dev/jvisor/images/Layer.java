package dev.jvisor.images;

import java.nio.file.Path;

/**
 * One written image layer: its gzip blob (digest and size, as the manifest names it), the digest
 * of the uncompressed tar (the config's diff_id) and what it holds, for the image history.
 */
public record Layer(String digest, long size, String diffId, Path blob, String description) {
    /** The blob's file name under blobs/sha256/: the digest without its algorithm. */
    String hex() {
        return digest.substring("sha256:".length());
    }
}
