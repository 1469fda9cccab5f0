package dev.jvisor.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The system's own x86-64 system call numbers, from {@code <asm/unistd_64.h>}, to check the
 * numbers a filter is written with. A test that needs them is skipped where the kernel headers
 * are not installed.
 */
public final class SyscallHeaders {
    private static final Path HEADER = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
    private static final Pattern DEFINE = Pattern.compile("#define __NR_(\\w+) (\\d+)");
    /** Headers older than the kernel may lack this many of the newest calls. */
    private static final int MAY_BE_MISSING = 5;

    private SyscallHeaders() {}

    /** Name to number, for every {@code __NR_} the header defines; skips the test without it. */
    public static Map<String, Integer> numbers() {
        assumeTrue(Files.exists(HEADER), "no kernel headers to compare with");
        Map<String, Integer> known = new HashMap<>();
        try {
            Matcher m = DEFINE.matcher(Files.readString(HEADER));
            while (m.find()) known.put(m.group(1), Integer.parseInt(m.group(2)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return known;
    }

    /** Asserts each (name, number) agrees with the header, and that nearly all are in it. */
    public static void assertAgree(Map<String, Integer> numbersByName) {
        Map<String, Integer> known = numbers();
        int checked = 0;
        for (var e : numbersByName.entrySet()) {
            if (known.containsKey(e.getKey())) {   // older headers lack the newest calls
                assertThat(e.getValue()).as(e.getKey()).isEqualTo(known.get(e.getKey()));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(numbersByName.size() - MAY_BE_MISSING);
    }
}
