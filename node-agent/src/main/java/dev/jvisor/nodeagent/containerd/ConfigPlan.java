package dev.jvisor.nodeagent.containerd;

import java.nio.file.Path;
import java.util.List;

/**
 * The file edits that add the jVisor runtime to one node's containerd, in the order they must be
 * applied (undo runs in reverse). For schema 3 that is the drop-in first, then the import.
 *
 * @param flavour the containerd installation the plan is for
 * @param schema  the config schema the entry is written in
 * @param edits   the edits, in apply order
 */
public record ConfigPlan(ContainerdFlavour flavour, CriPlugin schema, List<FileEdit> edits) {

    public ConfigPlan {
        edits = List.copyOf(edits);
    }

    /** The files the plan changes, in apply order. */
    public List<Path> files() {
        return edits.stream().map(FileEdit::file).toList();
    }

    /**
     * Applies every edit; each is individually atomic and re-applying converges. All new contents
     * are computed first, so a refusal of any edit leaves every file untouched.
     */
    public void apply() throws ContainerdConfigException {
        for (FileEdit edit : edits) {
            ReversibleFiles.check(edit);
        }
        for (FileEdit edit : edits) {
            ReversibleFiles.apply(edit);
        }
    }

    /** Undoes the edits to {@code files}, last applied first (so an import never outlives its drop-in). */
    public static void revert(List<Path> files) throws ContainerdConfigException {
        for (int i = files.size() - 1; i >= 0; i--) {
            ReversibleFiles.restore(files.get(i));
        }
    }
}
