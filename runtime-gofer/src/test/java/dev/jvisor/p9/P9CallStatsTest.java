package dev.jvisor.p9;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The 9P wait profile: per message type, with the JVM's first calls apart from the rest. */
class P9CallStatsTest {
    @Test
    void rendersEachTypeWithItsCountTotalAndMaximum() {
        // Counts are JVM-wide and other tests may have called through a client: compare deltas.
        String before = P9CallStats.render();
        long walks = count(before, "TWALK");
        for (int i = 0; i < 3; i++) P9CallStats.record(MessageType.TWALK.code(), 2_000_000);
        P9CallStats.record(MessageType.TWALK.code(), 5_000_000);
        String after = P9CallStats.render();
        assertThat(count(after, "TWALK")).isEqualTo(walks + 4);
        assertThat(after).containsPattern("(?m)^110 TWALK \\d+ us=\\d+ max_us=\\d+$");
        assertThat(after).containsPattern("(?m)^# calls \\d+ us=\\d+; first \\d+ avg_us=\\d+; rest avg_us=\\d+$");
        assertThat(Long.parseLong(line(after, "TWALK").replaceAll(".* max_us=", ""))).isGreaterThanOrEqualTo(5000);
    }

    private static long count(String rendered, String name) {
        String line = line(rendered, name);
        return line.isEmpty() ? 0 : Long.parseLong(line.split(" ")[2]);
    }

    private static String line(String rendered, String name) {
        for (String line : rendered.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[1].equals(name)) return line;
        }
        return "";
    }
}
