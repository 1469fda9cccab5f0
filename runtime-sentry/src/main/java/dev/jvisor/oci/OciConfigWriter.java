package dev.jvisor.oci;

import dev.jvisor.oci.json.JsonArray;
import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import dev.jvisor.oci.json.JsonString;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.oci.json.JsonWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** Writes an {@link OciSpec} as config.json; {@link OciConfigReader} reads the result back unchanged. */
public final class OciConfigWriter {
    private OciConfigWriter() {}

    public static String toJson(OciSpec spec) {
        return JsonWriter.pretty(toJsonValue(spec)) + "\n";
    }

    public static JsonObject toJsonValue(OciSpec s) {
        JsonObject.Builder b = JsonObject.builder().put("ociVersion", s.ociVersion());
        if (s.process() != null) b.put("process", process(s.process()));
        if (s.root() != null) {
            b.put("root", JsonObject.builder().put("path", s.root().path()).put("readonly", s.root().readonly()).build());
        }
        b.put("hostname", s.hostname());
        if (!s.mounts().isEmpty()) {
            b.put("mounts", new JsonArray(s.mounts().stream().<JsonValue>map(m -> {
                JsonObject.Builder mb = JsonObject.builder().put("destination", m.destination())
                        .put("type", m.type()).put("source", m.source());
                if (!m.options().isEmpty()) mb.put("options", JsonArray.ofStrings(m.options()));
                return mb.build();
            }).toList()));
        }
        if (!s.annotations().isEmpty()) b.put("annotations", stringMap(s.annotations()));
        if (s.linux() != null) b.put("linux", linux(s.linux()));
        return b.build();
    }

    private static JsonObject process(OciSpec.Process p) {
        JsonObject.Builder user = JsonObject.builder().put("uid", p.user().uid()).put("gid", p.user().gid());
        if (!p.user().additionalGids().isEmpty()) {
            user.put("additionalGids", new JsonArray(p.user().additionalGids().stream().<JsonValue>map(JsonNumber::of).toList()));
        }
        if (p.user().umask() >= 0) user.put("umask", p.user().umask());
        JsonObject.Builder b = JsonObject.builder()
                .put("terminal", p.terminal())
                .put("user", user.build())
                .put("args", JsonArray.ofStrings(p.args()))
                .put("env", JsonArray.ofStrings(p.env()))
                .put("cwd", p.cwd());
        OciSpec.Capabilities c = p.capabilities();
        if (c != null) {
            b.put("capabilities", JsonObject.builder()
                    .put("bounding", caps(c.bounding())).put("effective", caps(c.effective()))
                    .put("inheritable", caps(c.inheritable())).put("permitted", caps(c.permitted()))
                    .put("ambient", caps(c.ambient())).build());
        }
        if (!p.rlimits().isEmpty()) {
            b.put("rlimits", new JsonArray(p.rlimits().stream().<JsonValue>map(r -> JsonObject.builder()
                    .put("type", r.type().name()).put("hard", uint64(r.hard())).put("soft", uint64(r.soft())).build()).toList()));
        }
        return b.put("noNewPrivileges", p.noNewPrivileges()).build();
    }

    private static JsonObject linux(OciSpec.Linux l) {
        JsonObject.Builder b = JsonObject.builder();
        OciSpec.Resources r = l.resources();
        if (!r.equals(OciSpec.Resources.NONE)) {
            JsonObject.Builder res = JsonObject.builder();
            if (r.memoryLimit() != null || r.memoryReservation() != null || r.memorySwap() != null) {
                res.put("memory", JsonObject.builder().put("limit", number(r.memoryLimit()))
                        .put("reservation", number(r.memoryReservation())).put("swap", number(r.memorySwap())).build());
            }
            if (r.cpuShares() != null || r.cpuQuota() != null || r.cpuPeriod() != null || r.cpusetCpus() != null
                    || r.cpusetMems() != null) {
                res.put("cpu", JsonObject.builder().put("shares", number(r.cpuShares())).put("quota", number(r.cpuQuota()))
                        .put("period", number(r.cpuPeriod())).put("cpus", r.cpusetCpus()).put("mems", r.cpusetMems()).build());
            }
            if (r.pidsLimit() != null) res.put("pids", JsonObject.builder().put("limit", r.pidsLimit()).build());
            b.put("resources", res.build());
        }
        b.put("cgroupsPath", l.cgroupsPath());
        if (!l.namespaces().isEmpty()) {
            b.put("namespaces", new JsonArray(l.namespaces().stream().<JsonValue>map(n -> JsonObject.builder()
                    .put("type", n.type().specName()).put("path", n.path()).build()).toList()));
        }
        if (l.seccomp() != null) {
            b.put("seccomp", JsonObject.builder()
                    .put("defaultAction", l.seccomp().defaultAction())
                    .put("architectures", JsonArray.ofStrings(l.seccomp().architectures()))
                    .put("syscalls", new JsonArray(l.seccomp().syscalls().stream().<JsonValue>map(rule -> JsonObject.builder()
                            .put("names", JsonArray.ofStrings(rule.names())).put("action", rule.action())
                            .put("errnoRet", number(rule.errnoRet())).build()).toList()))
                    .build());
        }
        if (!l.maskedPaths().isEmpty()) b.put("maskedPaths", JsonArray.ofStrings(l.maskedPaths()));
        if (!l.readonlyPaths().isEmpty()) b.put("readonlyPaths", JsonArray.ofStrings(l.readonlyPaths()));
        if (!l.sysctl().isEmpty()) b.put("sysctl", stringMap(l.sysctl()));
        return b.build();
    }

    private static JsonArray caps(Collection<Capability> set) {
        return JsonArray.ofStrings(set.stream().sorted().map(Capability::name).toList());
    }

    /** Maps are written sorted so the same spec always gives the same bytes. */
    private static JsonObject stringMap(Map<String, String> map) {
        JsonObject.Builder b = JsonObject.builder();
        new TreeMap<>(map).forEach((k, v) -> b.put(k, new JsonString(v)));
        return b.build();
    }

    private static JsonNumber number(Long v) {
        return v == null ? null : JsonNumber.of(v);
    }

    private static JsonNumber uint64(long bits) {
        return new JsonNumber(new BigDecimal(new BigInteger(Long.toUnsignedString(bits))));
    }
}
