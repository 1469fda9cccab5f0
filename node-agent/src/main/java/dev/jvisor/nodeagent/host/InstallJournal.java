package dev.jvisor.nodeagent.host;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What the agent has done to this host, kept on the host so that a crashed or replaced agent can
 * finish or undo it: the phase, the versions installed, and the files whose edits must be undone
 * (in the order they were applied). It is written atomically before each step that changes the
 * host, so it always covers at least what has been done.
 */
public final class InstallJournal {

    /** Where the host is in the install/uninstall cycle. */
    public enum Phase {
        /** Install started and may not have finished (a crash leaves it here). */
        INSTALLING,
        /** Runtime installed, containerd configured and verified. */
        INSTALLED,
        /** Uninstall started and may not have finished. */
        UNINSTALLING
    }

    /** The journal's content. */
    public record State(Phase phase, List<String> versions, List<String> editedFiles) {
        public State {
            versions = List.copyOf(versions);
            editedFiles = List.copyOf(editedFiles);
        }

        public State withPhase(Phase next) {
            return new State(next, versions, editedFiles);
        }

        /** Adds a version and edited files, keeping earlier entries and their order. */
        public State including(String version, List<String> files) {
            LinkedHashSet<String> allVersions = new LinkedHashSet<>(versions);
            allVersions.add(version);
            LinkedHashSet<String> allFiles = new LinkedHashSet<>(editedFiles);
            allFiles.addAll(files);
            return new State(phase, new ArrayList<>(allVersions), new ArrayList<>(allFiles));
        }
    }

    private final Path file;

    public InstallJournal(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public Optional<State> read() throws HostException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            Properties properties = new Properties();
            properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            Phase phase = Phase.valueOf(properties.getProperty("phase", ""));
            return Optional.of(new State(phase, list(properties.getProperty("versions")),
                    list(properties.getProperty("editedFiles"))));
        } catch (IOException | IllegalArgumentException e) {
            throw new HostException(HostException.Reason.CORRUPT_JOURNAL, "cannot read " + file + ": " + e, e);
        }
    }

    public void write(State state) throws HostException {
        Properties properties = new Properties();
        properties.setProperty("phase", state.phase().name());
        properties.setProperty("versions", String.join("\n", state.versions()));
        properties.setProperty("editedFiles", String.join("\n", state.editedFiles()));
        try {
            StringWriter out = new StringWriter();
            properties.store(out, "jVisor node agent journal: what it changed on this host");
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8),
                    PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new HostException(HostException.Reason.IO_ERROR, "cannot write " + file + ": " + e, e);
        }
    }

    public void delete() throws HostException {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new HostException(HostException.Reason.IO_ERROR, "cannot delete " + file + ": " + e, e);
        }
    }

    private static List<String> list(String value) {
        if (value == null || value.isEmpty()) {
            return List.of();
        }
        return Arrays.asList(value.split("\n"));
    }
}
