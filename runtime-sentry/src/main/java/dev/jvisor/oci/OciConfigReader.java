package dev.jvisor.oci;

import dev.jvisor.oci.json.JsonParser;
import dev.jvisor.oci.json.JsonSyntaxException;
import dev.jvisor.oci.json.JsonValue;
import dev.jvisor.oci.json.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** Reads and validates a bundle's config.json into an {@link OciSpec}. */
public final class OciConfigReader {
    /** Far above any real config.json (tens of KiB); bounds what a hostile bundle can make us hold. */
    public static final int MAX_CONFIG_BYTES = 4 << 20;

    private OciConfigReader() {}

    /** Reads {@code bundle/config.json}; the file must be a regular file (not a FIFO or device). */
    public static OciSpec readBundle(Path bundle) throws OciConfigException, IOException {
        Path file = bundle.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new OciConfigException("", "no regular file config.json in bundle " + bundle);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
        }
        return parse(bytes);
    }

    /** Parses config.json bytes (UTF-8). */
    public static OciSpec parse(byte[] bytes) throws OciConfigException {
        if (bytes.length > MAX_CONFIG_BYTES) {
            throw new OciConfigException("", "config.json is larger than " + MAX_CONFIG_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new OciConfigException("", "config.json is not valid UTF-8", e);
        }
        return parse(text);
    }

    public static OciSpec parse(String text) throws OciConfigException {
        JsonValue doc;
        try {
            doc = JsonParser.parse(text);
        } catch (JsonSyntaxException e) {
            throw new OciConfigException("", "config.json is not valid JSON: " + e.getMessage(), e);
        }
        JsonFields f = JsonFields.of(doc, "");
        return new OciSpec(
                f.requiredString("ociVersion"),
                f.has("process") ? process(f.object("process")) : null,
                f.has("root") ? root(f.object("root")) : null,
                mounts(f),
                f.string("hostname", null),
                f.stringMap("annotations"),
                f.has("linux") ? linux(f.object("linux")) : null);
    }

    private static OciSpec.Process process(JsonFields p) throws OciConfigException {
        List<String> args = p.strings("args");
        if (args.isEmpty()) throw new OciConfigException(p.path("args"), "must name the program to run");
        List<String> env = p.strings("env");
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).indexOf('=') <= 0) {
                throw new OciConfigException(p.path("env") + "[" + i + "]", "expected KEY=value");
            }
        }
        String cwd = p.requiredString("cwd");
        requireAbsolute(cwd, p.path("cwd"));
        return new OciSpec.Process(
                p.bool("terminal", false),
                user(p.object("user"), p.path("user")),
                args, env, cwd,
                p.has("capabilities") ? capabilities(p.object("capabilities")) : null,
                rlimits(p),
                p.bool("noNewPrivileges", false),
                consoleSize(p));
    }

    private static OciSpec.ConsoleSize consoleSize(JsonFields p) throws OciConfigException {
        if (!p.has("consoleSize")) return null;
        JsonFields c = p.object("consoleSize");
        long max = 0xFFFF_FFFFL; // uint in the spec
        long height = c.integer("height", 0, max).orElseThrow(() -> new OciConfigException(c.path("height"), "required"));
        long width = c.integer("width", 0, max).orElseThrow(() -> new OciConfigException(c.path("width"), "required"));
        return new OciSpec.ConsoleSize(height, width);
    }

    private static OciSpec.User user(JsonFields u, String path) throws OciConfigException {
        if (u == null) throw new OciConfigException(path, "required");
        long max = 0xFFFF_FFFFL; // uid_t and gid_t are unsigned 32-bit
        long uid = u.integer("uid", 0, max).orElseThrow(() -> new OciConfigException(u.path("uid"), "required"));
        long gid = u.integer("gid", 0, max).orElseThrow(() -> new OciConfigException(u.path("gid"), "required"));
        long umask = u.integer("umask", 0, 0777).orElse(-1);
        return new OciSpec.User(uid, gid, u.integers("additionalGids", 0, max), umask);
    }

    private static OciSpec.Capabilities capabilities(JsonFields c) throws OciConfigException {
        return new OciSpec.Capabilities(capabilitySet(c, "bounding"), capabilitySet(c, "effective"),
                capabilitySet(c, "inheritable"), capabilitySet(c, "permitted"), capabilitySet(c, "ambient"));
    }

    private static Set<Capability> capabilitySet(JsonFields c, String name) throws OciConfigException {
        Set<Capability> out = EnumSet.noneOf(Capability.class);
        List<String> names = c.strings(name);
        for (int i = 0; i < names.size(); i++) {
            String capName = names.get(i);
            int index = i;
            out.add(Capability.fromName(capName).orElseThrow(() -> new OciConfigException(
                    c.path(name) + "[" + index + "]", "unknown capability " + shorten(capName))));
        }
        return out;
    }

    private static List<OciSpec.Rlimit> rlimits(JsonFields p) throws OciConfigException {
        List<OciSpec.Rlimit> out = new ArrayList<>();
        Set<Rlimits.Resource> seen = EnumSet.noneOf(Rlimits.Resource.class);
        for (JsonFields r : p.objects("rlimits")) {
            String type = r.requiredString("type");
            Rlimits.Resource res = Rlimits.Resource.fromName(type)
                    .orElseThrow(() -> new OciConfigException(r.path("type"), "unknown rlimit " + shorten(type)));
            if (!seen.add(res)) throw new OciConfigException(r.path("type"), "duplicate rlimit " + type);
            long soft = r.uint64("soft").orElseThrow(() -> new OciConfigException(r.path("soft"), "required"));
            long hard = r.uint64("hard").orElseThrow(() -> new OciConfigException(r.path("hard"), "required"));
            if (Long.compareUnsigned(soft, hard) > 0) {
                throw new OciConfigException(r.path("soft"), "soft limit above the hard limit");
            }
            out.add(new OciSpec.Rlimit(res, soft, hard));
        }
        return out;
    }

    private static OciSpec.Root root(JsonFields r) throws OciConfigException {
        String path = r.requiredString("path");
        if (path.isEmpty()) throw new OciConfigException(r.path("path"), "must not be empty");
        return new OciSpec.Root(path, r.bool("readonly", false));
    }

    private static List<OciSpec.Mount> mounts(JsonFields f) throws OciConfigException {
        List<OciSpec.Mount> out = new ArrayList<>();
        for (JsonFields m : f.objects("mounts")) {
            String destination = m.requiredString("destination");
            requireAbsolute(destination, m.path("destination"));
            out.add(new OciSpec.Mount(destination, m.string("type", null), m.string("source", null), m.strings("options")));
        }
        return out;
    }

    private static OciSpec.Linux linux(JsonFields l) throws OciConfigException {
        return new OciSpec.Linux(namespaces(l),
                l.has("resources") ? resources(l.object("resources")) : OciSpec.Resources.NONE,
                l.string("cgroupsPath", null),
                l.has("seccomp") ? seccomp(l.object("seccomp")) : null,
                absolutePaths(l, "maskedPaths"),
                absolutePaths(l, "readonlyPaths"),
                l.stringMap("sysctl"));
    }

    private static List<OciSpec.Namespace> namespaces(JsonFields l) throws OciConfigException {
        List<OciSpec.Namespace> out = new ArrayList<>();
        Set<NamespaceType> seen = new HashSet<>();
        for (JsonFields n : l.objects("namespaces")) {
            String type = n.requiredString("type");
            NamespaceType t = NamespaceType.fromSpecName(type)
                    .orElseThrow(() -> new OciConfigException(n.path("type"), "unknown namespace type " + shorten(type)));
            // config-linux.md: a duplicated namespace type is an error.
            if (!seen.add(t)) throw new OciConfigException(n.path("type"), "duplicate namespace " + type);
            String path = n.string("path", null);
            if (path != null) requireAbsolute(path, n.path("path"));
            out.add(new OciSpec.Namespace(t, path));
        }
        return out;
    }

    private static OciSpec.Resources resources(JsonFields r) throws OciConfigException {
        JsonFields mem = r.object("memory");
        JsonFields cpu = r.object("cpu");
        JsonFields pids = r.object("pids");
        return new OciSpec.Resources(
                mem == null ? null : limit(mem, "limit"),
                mem == null ? null : limit(mem, "reservation"),
                mem == null ? null : limit(mem, "swap"),
                cpu == null ? null : boxed(cpu.integer("shares", 0, Long.MAX_VALUE)),
                cpu == null ? null : limit(cpu, "quota"),
                cpu == null ? null : boxed(cpu.integer("period", 0, Long.MAX_VALUE)),
                cpu == null ? null : cpu.string("cpus", null),
                cpu == null ? null : cpu.string("mems", null),
                pids == null ? null : limit(pids, "limit"));
    }

    /** A cgroup limit: a non-negative amount, or -1 for unlimited. */
    private static Long limit(JsonFields f, String name) throws OciConfigException {
        return boxed(f.integer(name, -1, Long.MAX_VALUE));
    }

    private static Long boxed(OptionalLong v) {
        return v.isPresent() ? v.getAsLong() : null;
    }

    private static OciSpec.Seccomp seccomp(JsonFields s) throws OciConfigException {
        List<OciSpec.SeccompRule> rules = new ArrayList<>();
        for (JsonFields r : s.objects("syscalls")) {
            rules.add(new OciSpec.SeccompRule(r.strings("names"), r.requiredString("action"),
                    boxed(r.integer("errnoRet", 0, 4095))));
        }
        return new OciSpec.Seccomp(s.requiredString("defaultAction"), s.strings("architectures"), rules);
    }

    private static List<String> absolutePaths(JsonFields l, String name) throws OciConfigException {
        List<String> paths = l.strings(name);
        for (int i = 0; i < paths.size(); i++) requireAbsolute(paths.get(i), l.path(name) + "[" + i + "]");
        return paths;
    }

    private static void requireAbsolute(String path, String field) throws OciConfigException {
        if (!path.startsWith("/")) throw new OciConfigException(field, "must be an absolute path, got " + shorten(path));
    }

    private static String shorten(String s) {
        return JsonWriter.quote(s.length() > 64 ? s.substring(0, 64) + "…" : s);
    }
}
