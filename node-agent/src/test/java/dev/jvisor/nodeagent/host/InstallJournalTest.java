package dev.jvisor.nodeagent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallJournalTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripsAndAccumulatesInOrder() throws Exception {
        InstallJournal journal = new InstallJournal(tmp.resolve("opt/jvisor/.journal"));
        assertThat(journal.read()).isEmpty();
        var state = new InstallJournal.State(InstallJournal.Phase.INSTALLING, List.of(), List.of())
                .including("1.0", List.of("/etc/containerd/conf.d/jvisor.toml", "/etc/containerd/config.toml"))
                .including("1.1", List.of("/etc/containerd/config.toml"));
        journal.write(state);
        var read = journal.read().orElseThrow();
        assertThat(read.versions()).containsExactly("1.0", "1.1");
        assertThat(read.editedFiles()).containsExactly("/etc/containerd/conf.d/jvisor.toml",
                "/etc/containerd/config.toml");
        assertThat(Files.getPosixFilePermissions(journal.file())).hasSize(2);
        journal.delete();
        assertThat(journal.read()).isEmpty();
    }

    @Test
    void unreadableJournalIsATypedError() throws Exception {
        Path file = tmp.resolve(".journal");
        Files.writeString(file, "phase=SOMETHING_ELSE\n");
        assertThatThrownBy(() -> new InstallJournal(file).read())
                .isInstanceOfSatisfying(HostException.class,
                        e -> assertThat(e.reason()).isEqualTo(HostException.Reason.CORRUPT_JOURNAL));
    }
}
