package dev.jvisor.nodeagent.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agent's one setting in an installed version's {@code etc/runsc.toml}: {@code policy-socket},
 * which makes runsc ask this agent for each pod's settings. Other lines (the distribution's
 * defaults and comments) are kept as they are; an earlier policy-socket line is replaced.
 */
public final class RunscNodeConfig {

    static final String FILE = "etc/runsc.toml";
    private static final String KEY = "policy-socket";
    private static final String MARK = "# Set by the jVisor node agent, which serves this socket:";

    private RunscNodeConfig() {
    }

    /** Writes (or, with an empty {@code socket}, removes) the policy-socket line in {@code versionDir}. */
    public static void setPolicySocket(Path versionDir, Optional<String> socket) throws HostException {
        if (socket.isPresent() && !safe(socket.get())) {
            throw new HostException(HostException.Reason.INVALID_DISTRIBUTION,
                    "policy socket path " + socket.get() + " is not an absolute path runsc.toml can quote");
        }
        Path file = versionDir.resolve(FILE);
        try {
            if (Files.isSymbolicLink(file) || (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))) {
                throw new HostException(HostException.Reason.UNEXPECTED_HOST_FILE, file + " is not a regular file");
            }
            List<String> lines = new ArrayList<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.equals(MARK) || isPolicySocketLine(line)) continue;
                    lines.add(line);
                }
            }
            socket.ifPresent(s -> {
                lines.add(MARK);
                lines.add(KEY + " = \"" + s + "\"");
            });
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8),
                    PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new HostException(HostException.Reason.IO_ERROR, "writing " + file + ": " + e, e);
        }
    }

    private static boolean isPolicySocketLine(String line) {
        String s = line.strip();
        return s.startsWith(KEY) && s.substring(KEY.length()).strip().startsWith("=");
    }

    /** Absolute, and nothing runsc.toml's quoted strings would need to escape. */
    private static boolean safe(String path) {
        return path.startsWith("/") && path.chars().noneMatch(c -> c == '"' || c == '\\' || c < 0x20 || c == 0x7f);
    }
}
