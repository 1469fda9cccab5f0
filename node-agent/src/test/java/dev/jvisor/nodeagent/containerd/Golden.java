package dev.jvisor.nodeagent.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources/golden/<case>/}. Run the tests with
 * {@code -Dgolden.update=true} to rewrite the expected files after an intended change, then review
 * the diff before committing it.
 */
final class Golden {

    private static final Path SOURCE_DIR = Path.of("src/test/resources/golden");

    private Golden() {
    }

    static String read(String caseName, String file) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + caseName + "/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + caseName + "/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertMatches(String actual, String caseName, String file) throws IOException {
        if (Boolean.getBoolean("golden.update")) {
            Path target = SOURCE_DIR.resolve(caseName).resolve(file);
            Files.createDirectories(target.getParent());
            Files.writeString(target, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(actual).as("golden %s/%s", caseName, file).isEqualTo(read(caseName, file));
    }
}
