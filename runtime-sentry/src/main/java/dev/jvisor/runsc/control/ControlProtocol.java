package dev.jvisor.runsc.control;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonBoolean;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.oci.json.JsonValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Names, limits and typed access to the members of control messages (the format is described
 * in {@link dev.jvisor.runsc.control package-info}).
 */
public final class ControlProtocol {
    private ControlProtocol() {}

    public static final int VERSION = 1;
    /** Largest frame: ample for an argv and environment, small enough to refuse a flood. */
    public static final int MAX_FRAME = 1 << 20;
    /** The socket's name in the container's state directory. */
    public static final String SOCKET = "control.sock";

    /** Operations, by wire name. */
    public static final String EXEC = "exec", SIGNAL = "signal", PS = "ps", PAUSE = "pause", RESUME = "resume",
            CREATE = "create", START = "start", DELETE = "delete", STATE = "state";

    public static Path socketIn(Path stateDir) {
        return stateDir.resolve(SOCKET);
    }

    /** A request: version and operation, then the operation's members. */
    public static JsonObject.Builder request(String op) {
        return JsonObject.builder().put("v", VERSION).put("op", op);
    }

    static JsonObject ok(JsonObject result) {
        return JsonObject.builder().put("v", VERSION).put("ok", result).build();
    }

    static JsonObject error(ControlException.Code code, String message) {
        return JsonObject.builder().put("v", VERSION)
                .put("error", JsonObject.builder().put("code", code.name()).put("message", message).build()).build();
    }

    static JsonObject exited(int status) {
        return JsonObject.builder().put("v", VERSION).put("exited", status).build();
    }

    /** The members a request of {@code op} may carry besides v and op; anything else is refused. */
    static void onlyMembers(JsonObject o, Set<String> allowed) throws ControlException {
        for (String name : o.members().keySet()) {
            if (!name.equals("v") && !name.equals("op") && !allowed.contains(name)) {
                throw new ControlException(ControlException.Code.BAD_REQUEST, "unexpected member \"" + name + "\"");
            }
        }
    }

    static void checkVersion(JsonObject o) throws ControlException {
        JsonValue v = o.get("v");
        if (!(v instanceof JsonNumber n) || n.longValueExact().isEmpty()) {
            throw new ControlException(ControlException.Code.BAD_FRAME, "member \"v\" missing or not an integer");
        }
        if (n.longValueExact().getAsLong() != VERSION) {
            throw new ControlException(ControlException.Code.UNSUPPORTED_VERSION,
                    "protocol version " + n.value() + " is not supported (this is version " + VERSION + ")");
        }
    }

    static String string(JsonObject o, String name) throws ControlException {
        if (!(o.get(name) instanceof JsonString s)) throw bad(name, "a string");
        if (s.value().indexOf('\0') >= 0) throw bad(name, "a string without NUL");
        return s.value();
    }

    static String optionalString(JsonObject o, String name, String fallback) throws ControlException {
        return o.get(name) == null ? fallback : string(o, name);
    }

    static long integer(JsonObject o, String name, long min, long max) throws ControlException {
        if (!(o.get(name) instanceof JsonNumber n) || n.longValueExact().isEmpty()) throw bad(name, "an integer");
        long v = n.longValueExact().getAsLong();
        if (v < min || v > max) throw bad(name, "between " + min + " and " + max);
        return v;
    }

    static long optionalInteger(JsonObject o, String name, long min, long max, long fallback) throws ControlException {
        return o.get(name) == null ? fallback : integer(o, name, min, max);
    }

    static boolean optionalBoolean(JsonObject o, String name) throws ControlException {
        JsonValue v = o.get(name);
        if (v == null) return false;
        if (!(v instanceof JsonBoolean b)) throw bad(name, "true or false");
        return b.value();
    }

    static List<String> strings(JsonObject o, String name, boolean nonEmpty) throws ControlException {
        JsonValue v = o.get(name);
        if (v == null && !nonEmpty) return List.of();
        if (!(v instanceof JsonArray a)) throw bad(name, "an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonValue e : a.elements()) {
            if (!(e instanceof JsonString s) || s.value().indexOf('\0') >= 0) throw bad(name, "an array of strings without NUL");
            out.add(s.value());
        }
        if (nonEmpty && out.isEmpty()) throw bad(name, "a non-empty array");
        return out;
    }

    private static ControlException bad(String member, String what) {
        return new ControlException(ControlException.Code.BAD_REQUEST, "member \"" + member + "\" must be " + what);
    }
}
