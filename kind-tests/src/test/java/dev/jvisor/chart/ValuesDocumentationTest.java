package dev.jvisor.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ValuesDocumentationTest {

    private static final Pattern KEY = Pattern.compile("^(\\s*)([A-Za-z][\\w.-]*):(\\s.*)?$");

    @Test
    void everyKeyInValuesYamlIsCommented() throws IOException {
        List<String> lines = Files.readAllLines(Repository.chart().resolve("values.yaml"));
        List<String> undocumented = new ArrayList<>();
        boolean inList = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            var key = KEY.matcher(line);
            if (line.stripLeading().startsWith("- ")) {
                inList = true; // keys inside list items (tolerations, ...) are values, not settings
                continue;
            }
            if (!key.matches()) {
                continue;
            }
            int indent = key.group(1).length();
            if (inList && i > 0 && indent > 0 && !lines.get(i - 1).stripLeading().startsWith("#")
                    && isInsideListItem(lines, i, indent)) {
                continue;
            }
            inList = false;
            if (isInsideValueMap(lines, i, indent)) {
                continue;
            }
            String previous = i == 0 ? "" : lines.get(i - 1).strip();
            if (!previous.startsWith("#")) {
                undocumented.add((i + 1) + ": " + line.strip());
            }
        }
        assertThat(undocumented).as("keys without a comment line above them").isEmpty();
    }

    /** A key nested under a list item ("- operator: Exists" then "  effect: ..."). */
    private static boolean isInsideListItem(List<String> lines, int index, int indent) {
        for (int j = index - 1; j >= 0; j--) {
            String line = lines.get(j);
            int lineIndent = line.length() - line.stripLeading().length();
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            if (line.stripLeading().startsWith("- ")) {
                return lineIndent < indent;
            }
            if (lineIndent < indent) {
                return false;
            }
        }
        return false;
    }

    /**
     * A key inside a default value that is itself Kubernetes data (resources, nodeSelector,
     * namespaceSelector, overhead): documented by the comment on its parent.
     */
    private static boolean isInsideValueMap(List<String> lines, int index, int indent) {
        for (int j = index - 1; j >= 0; j--) {
            String line = lines.get(j);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            int lineIndent = line.length() - line.stripLeading().length();
            if (lineIndent < indent) {
                String parent = line.strip();
                return parent.startsWith("resources:") || parent.startsWith("requests:")
                        || parent.startsWith("limits:") || parent.startsWith("nodeSelector:")
                        || parent.startsWith("namespaceSelector:") || parent.startsWith("matchLabels:")
                        || parent.startsWith("overhead:") || parent.startsWith("podFixed:");
            }
        }
        return false;
    }
}
