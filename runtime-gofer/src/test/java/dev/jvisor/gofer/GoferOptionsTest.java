package dev.jvisor.gofer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoferOptionsTest {
    @Test
    void parsesGoStyleFlags() throws Exception {
        GoferOptions o = GoferOptions.parse(new String[] {"--fd=7", "--root", "/rootfs", "-root-readonly",
                "--mount", "/host/data:/data:ro", "--mount=/host/cache:/cache", "--confine=false"});
        assertThat(o.fd()).isEqualTo(7);
        assertThat(o.confine()).isFalse();
        assertThat(o.mounts()).containsExactly(
                new MountPoint("/", Path.of("/rootfs"), true),
                new MountPoint("/data", Path.of("/host/data"), true),
                new MountPoint("/cache", Path.of("/host/cache"), false));
    }

    @Test
    void aPreStartedGoferLearnsItsRootLater() throws Exception {
        GoferOptions o = GoferOptions.parse(new String[] {"--handoff-fd", "100", "--parent=4242", "--mount", "/h:/data"});
        assertThat(o.awaitsRoot()).isTrue();
        assertThat(o.parent()).isEqualTo(4242);
        GoferOptions later = o.withRoot(9, new RootHandoff.Root(Path.of("/srv/root"), true));
        assertThat(later.awaitsRoot()).isFalse();
        assertThat(later.fd()).isEqualTo(9);
        assertThat(later.mounts()).containsExactly(new MountPoint("/", Path.of("/srv/root"), true),
                new MountPoint("/data", Path.of("/h"), false));
    }

    @Test
    void rejectsWhatCannotBeRun() {
        for (List<String> args : List.of(
                List.of("--root", "/r"),
                List.of("--fd", "3"),
                List.of("--fd", "-1", "--root", "/r"),
                List.of("--fd", "x", "--root", "/r"),
                List.of("--fd", "3", "--root", "/r", "--mount", "/a"),
                List.of("--fd", "3", "--root", "/r", "--mount", "/a:relative"),
                List.of("--fd", "3", "--root", "/r", "--mount", "/a:/b:rw"),
                List.of("--fd", "3", "--root", "/r", "--mount", "/a:/"),
                List.of("--fd", "3", "--root", "/r", "--confine=maybe"),
                List.of("--fd", "3", "--root", "/r", "--bogus"),
                List.of("--fd", "3", "--root", "/r", "stray"),
                List.of("--handoff-fd", "100"),
                List.of("--handoff-fd", "100", "--parent", "0"),
                List.of("--handoff-fd", "100", "--parent", "12", "--fd", "3"),
                List.of("--handoff-fd", "100", "--parent", "12", "--root", "/r"),
                List.of("--handoff-fd", "-4", "--parent", "12"),
                List.of("--fd"))) {
            assertThatThrownBy(() -> GoferOptions.parse(args.toArray(String[]::new)))
                    .as(args.toString()).isInstanceOf(GoferOptions.UsageException.class);
        }
    }

    @Test
    void exitStatusesSayWhatWentWrong() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(GoferMain.run(new String[] {"--bogus"}, ps)).isEqualTo(GoferMain.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown flag --bogus");
        assertThat(GoferMain.run(new String[] {"--fd", "1000", "--root", "/nonexistent/rootfs"}, ps))
                .isEqualTo(GoferMain.EXIT_FAILURE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ENOENT");
    }
}
