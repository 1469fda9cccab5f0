package dev.jvisor.behaviour;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locations inside the runtime-sentry module, whether Maven or an IDE runs the tests. */
final class ModulePaths {
    private ModulePaths() {
    }

    /** The module directory: Surefire's {@code basedir}, else the working directory. */
    static Path moduleDir() {
        String basedir = System.getProperty("basedir");
        Path dir = Path.of(basedir != null ? basedir : System.getProperty("user.dir")).toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("src/test/c"))) {
            throw new BehaviourSetupException("cannot find src/test/c under " + dir
                    + "; run the tests from the runtime-sentry module");
        }
        return dir;
    }

    /** The C sources of the behaviour programs. */
    static Path cSources() {
        return moduleDir().resolve("src/test/c");
    }

    /** Where compiled programs are cached between runs. */
    static Path binaries() {
        return moduleDir().resolve("target/behaviour-bin");
    }

    /** The checked-in expectations (source tree, so a recording run can update them). */
    static Path expectations() {
        return moduleDir().resolve("src/test/resources/behaviour");
    }
}
