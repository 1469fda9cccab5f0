package dev.jvisor.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Builds both images (run by the images module's {@code package}; runnable by hand):
 * <pre>
 *   java -cp images/target/classes dev.jvisor.images.ImagesMain --registry ghcr.io/jvisor --tag 0.1.0 \
 *     --operator-app operator/target/quarkus-app --agent-jar node-agent/target/node-agent-….jar \
 *     --distribution runtime-sentry/target/jvisor-runtime --work images/target/work --output images/target
 * </pre>
 * Writes {@code <output>/jvisor-operator-<tag>.oci.tar}, {@code jvisor-node-agent-<tag>.oci.tar}
 * and {@code images.properties} (name=reference@digest per image).
 */
public final class ImagesMain {
    private static final List<String> FLAGS = List.of("registry", "tag", "operator-app", "agent-jar", "distribution", "work",
            "output", "extra-modules");
    /**
     * Modules no class references name but the applications reach at run time: the JAR file
     * system provider and DNS lookups through JNDI.
     */
    static final List<String> RUNTIME_ONLY_MODULES = List.of("jdk.naming.dns", "jdk.zipfs");

    private ImagesMain() {}

    public static void main(String[] args) {
        try {
            run(parse(args));
        } catch (ImageBuildException e) {
            System.err.println("images: " + e.getMessage() + (e.getCause() != null ? ": " + e.getCause() : ""));
            System.exit(1);
        }
    }

    static void run(Map<String, String> a) {
        Path work = Path.of(a.get("work"));
        Path output = Path.of(a.get("output"));
        Path blobs = work.resolve("blobs");
        Path operatorApp = Path.of(a.get("operator-app"));
        Path agentJar = Path.of(a.get("agent-jar"));
        String registry = a.get("registry");
        String tag = a.get("tag");

        long start = System.nanoTime();
        SortedSet<String> modules = JdkModuleScanner.modulesUsedBy(List.of(operatorApp, agentJar));
        modules.addAll(RUNTIME_ONLY_MODULES);
        if (a.containsKey("extra-modules") && !a.get("extra-modules").isBlank()) modules.addAll(List.of(a.get("extra-modules").split(",")));
        Path jre = JavaRuntimeLinker.link(modules, work.resolve("jre"));
        phase("modules scanned and runtime linked", start);
        try {
            // Blobs of earlier builds are not part of this one.
            JavaRuntimeLinker.deleteTree(blobs);
        } catch (IOException e) {
            throw new ImageBuildException("cannot clear " + blobs, e);
        }
        long step = System.nanoTime();
        BaseLayers base = BaseLayers.build(jre, blobs);
        phase("system and Java layers written", step);
        List<OciImageWriter.Written> images = new ArrayList<>();
        images.add(OperatorImage.build(base, operatorApp, registry, tag, blobs,
                output.resolve(OperatorImage.REPOSITORY + "-" + tag + ".oci.tar")));
        images.add(NodeAgentImage.build(base, agentJar, Path.of(a.get("distribution")), registry, tag, blobs,
                output.resolve(NodeAgentImage.REPOSITORY + "-" + tag + ".oci.tar")));
        StringBuilder summary = new StringBuilder("# Images built by the images module: repository=name@manifest digest\n");
        for (OciImageWriter.Written w : images) {
            String repo = w.name().substring(w.name().lastIndexOf('/') + 1, w.name().lastIndexOf(':'));
            summary.append(repo).append('=').append(w.name()).append('@').append(w.manifestDigest()).append('\n');
            System.out.println("images: " + w.tarball() + " " + w.name() + "@" + w.manifestDigest());
            System.out.println("images:   config " + w.configDigest() + ", layers " + w.layerDigests());
        }
        try {
            Files.writeString(output.resolve("images.properties"), summary);
        } catch (IOException e) {
            throw new ImageBuildException("cannot write " + output.resolve("images.properties"), e);
        }
        System.out.printf("images: built in %.1f s (Java modules %s)%n", (System.nanoTime() - start) / 1e9, new TreeSet<>(modules));
    }

    private static void phase(String what, long since) {
        System.out.printf("images: %s in %.1f s%n", what, (System.nanoTime() - since) / 1e9);
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) throw new ImageBuildException("unexpected argument " + arg);
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ImageBuildException("--" + key + " needs a value");
            }
            if (!FLAGS.contains(key)) throw new ImageBuildException("unknown flag --" + key + " (known: " + FLAGS + ")");
            values.put(key, value);
        }
        for (String required : FLAGS) {
            if (!required.equals("extra-modules") && !values.containsKey(required)) throw new ImageBuildException("--" + required + " is required");
        }
        return values;
    }
}
