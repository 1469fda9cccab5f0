package dev.jvisor.nodeagent.containerd;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One file the agent changes: which file, and its new content as a pure function of the content the
 * user had before the agent first touched it ({@code empty} when the file did not exist). Because
 * the new content is always computed from that original, re-running an edit after a crash gives
 * the same bytes, and undoing it is restoring the original.
 *
 * @param file      host-side path of the file (already under the host root mount)
 * @param transform computes the new content from the original
 */
public record FileEdit(Path file, Transform transform) {

    /** New content from original content. */
    @FunctionalInterface
    public interface Transform {
        String apply(Optional<String> original) throws ContainerdConfigException;
    }

    public String newContent(Optional<String> original) throws ContainerdConfigException {
        return transform.apply(original);
    }
}
