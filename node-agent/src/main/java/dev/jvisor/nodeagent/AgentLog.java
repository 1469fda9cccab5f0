package dev.jvisor.nodeagent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Instant;

/** Structured log: one JSON object per line on stdout, as log collectors on a node expect. */
public final class AgentLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static PrintStream out = System.out;

    private AgentLog() {
    }

    /** Logs {@code message} with alternating key/value {@code fields}. */
    public static void info(String message, Object... fields) {
        write("info", message, fields);
    }

    public static void warn(String message, Object... fields) {
        write("warn", message, fields);
    }

    public static void error(String message, Object... fields) {
        write("error", message, fields);
    }

    private static synchronized void write(String level, String message, Object... fields) {
        ObjectNode line = JSON.createObjectNode();
        line.put("ts", Instant.now().toString());
        line.put("level", level);
        line.put("msg", message);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            line.put(String.valueOf(fields[i]), String.valueOf(fields[i + 1]));
        }
        out.println(line);
        out.flush();
    }
}
