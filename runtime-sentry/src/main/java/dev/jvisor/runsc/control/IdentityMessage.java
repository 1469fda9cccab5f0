package dev.jvisor.runsc.control;

import dev.jvisor.abi.linux.Capability;
import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.sentry.ProcessIdentity;
import dev.jvisor.sentry.kernel.CapabilitySets;
import dev.jvisor.sentry.kernel.Rlimits;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@link ProcessIdentity} as members of an exec or create request: {@code uid}, {@code gid},
 * {@code additionalGids}, {@code capabilities} (five bit masks), {@code rlimits} (resource,
 * soft, hard), {@code noNewPrivileges} and {@code umask}. The Sentry checks every member as it
 * would any other request input: a bad one is a BAD_REQUEST, never a process with a default.
 */
public final class IdentityMessage {
    private IdentityMessage() {}

    /** The members this message adds to a request. */
    public static final Set<String> MEMBERS = Set.of("uid", "gid", "additionalGids", "capabilities", "rlimits",
            "noNewPrivileges", "umask");
    private static final long ID_MAX = 0xfffffffeL;

    public static JsonObject.Builder put(JsonObject.Builder b, ProcessIdentity id) {
        b.put("uid", Integer.toUnsignedLong(id.uid())).put("gid", Integer.toUnsignedLong(id.gid()));
        List<JsonValue> groups = new ArrayList<>();
        for (int g : id.additionalGids()) groups.add(JsonNumber.of(Integer.toUnsignedLong(g)));
        b.put("additionalGids", new JsonArray(groups));
        CapabilitySets c = id.capabilities();
        if (c != null) {
            b.put("capabilities", JsonObject.builder().put("bounding", c.bounding()).put("effective", c.effective())
                    .put("inheritable", c.inheritable()).put("permitted", c.permitted()).put("ambient", c.ambient()).build());
        }
        List<JsonValue> limits = new ArrayList<>();
        for (ProcessIdentity.Limit l : id.rlimits()) {
            limits.add(JsonObject.builder().put("resource", l.resource()).put("soft", l.soft()).put("hard", l.hard()).build());
        }
        b.put("rlimits", new JsonArray(limits));
        b.put("noNewPrivileges", id.noNewPrivileges());
        if (id.umask() >= 0) b.put("umask", id.umask());
        return b;
    }

    /** The identity a request asks for; root with default capabilities when it names no more than that. */
    public static ProcessIdentity read(JsonObject o) throws ControlException {
        int uid = (int) ControlProtocol.optionalInteger(o, "uid", 0, ID_MAX, 0);
        int gid = (int) ControlProtocol.optionalInteger(o, "gid", 0, ID_MAX, 0);
        int[] groups = groups(o);
        CapabilitySets caps = null;
        if (o.get("capabilities") != null) {
            if (!(o.get("capabilities") instanceof JsonObject c)) throw bad("capabilities", "an object");
            ControlProtocol.onlyMembers(c, Set.of("bounding", "effective", "inheritable", "permitted", "ambient"));
            caps = CapabilitySets.configured(mask(c, "bounding"), mask(c, "effective"), mask(c, "inheritable"),
                    mask(c, "permitted"), mask(c, "ambient"));
        }
        List<ProcessIdentity.Limit> limits = limits(o);
        int umask = (int) ControlProtocol.optionalInteger(o, "umask", 0, 0777, -1);
        return new ProcessIdentity(uid, gid, groups, caps, limits, ControlProtocol.optionalBoolean(o, "noNewPrivileges"), umask);
    }

    private static int[] groups(JsonObject o) throws ControlException {
        JsonValue v = o.get("additionalGids");
        if (v == null) return new int[0];
        if (!(v instanceof JsonArray a) || a.elements().size() > dev.jvisor.sentry.kernel.Credentials.NGROUPS_MAX) {
            throw bad("additionalGids", "an array of at most 65536 group ids");
        }
        int[] out = new int[a.elements().size()];
        for (int i = 0; i < out.length; i++) out[i] = (int) id(a.elements().get(i), "additionalGids");
        return out;
    }

    private static long id(JsonValue v, String member) throws ControlException {
        if (!(v instanceof JsonNumber n) || n.longValueExact().isEmpty()) throw bad(member, "group ids");
        long g = n.longValueExact().getAsLong();
        if (g < 0 || g > ID_MAX) throw bad(member, "group ids between 0 and " + ID_MAX);
        return g;
    }

    private static long mask(JsonObject c, String set) throws ControlException {
        return ControlProtocol.optionalInteger(c, set, 0, Capability.CAP_FULL_SET, 0);
    }

    private static List<ProcessIdentity.Limit> limits(JsonObject o) throws ControlException {
        JsonValue v = o.get("rlimits");
        if (v == null) return List.of();
        if (!(v instanceof JsonArray a) || a.elements().size() > Rlimits.COUNT) throw bad("rlimits", "an array of at most " + Rlimits.COUNT + " limits");
        List<ProcessIdentity.Limit> out = new ArrayList<>();
        for (JsonValue e : a.elements()) {
            if (!(e instanceof JsonObject l)) throw bad("rlimits", "an array of objects");
            ControlProtocol.onlyMembers(l, Set.of("resource", "soft", "hard"));
            int resource = (int) ControlProtocol.integer(l, "resource", 0, Rlimits.COUNT - 1);
            long soft = ControlProtocol.integer(l, "soft", Long.MIN_VALUE, Long.MAX_VALUE);
            long hard = ControlProtocol.integer(l, "hard", Long.MIN_VALUE, Long.MAX_VALUE);
            if (Long.compareUnsigned(soft, hard) > 0) throw bad("rlimits", "limits whose soft value is not above the hard one");
            out.add(new ProcessIdentity.Limit(resource, soft, hard));
        }
        return out;
    }

    private static ControlException bad(String member, String what) {
        return new ControlException(ControlException.Code.BAD_REQUEST, "member \"" + member + "\" must be " + what);
    }
}
