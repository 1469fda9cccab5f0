package dev.jvisor.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The two bottom layers both images share (so a node pulling both stores them once): the system
 * files of an image built from scratch, and the Java runtime under /opt/java.
 *
 * <p>System files: the libraries the runtime loads, copied from this machine at the paths its
 * loader resolved them at, each package's copyright file, account databases naming root and the
 * operator's user (uid 185, the chart's runAsUser), and /tmp.
 */
public record BaseLayers(Layer system, Layer java, SortedSet<DebianPackage> packages, SortedSet<Path> libraries,
                         String javaVersion, SortedSet<String> javaModules) {
    /** The uid and gid the operator runs as; the chart's operator Deployment sets the same. */
    public static final int APP_UID = 185;
    public static final String JAVA_HOME = "/opt/java";

    public static BaseLayers build(Path jre, Path blobDir) {
        SortedSet<Path> libraries = HostLibraries.neededBy(List.of(jre));
        SortedMap<Path, DebianPackage> owners = HostLibraries.packagesOf(libraries);
        LayerBuilder system = new LayerBuilder("system files: the C library of Debian packages " + new TreeSet<>(owners.values())
                + ", accounts, /tmp");
        addLibraries(system, owners);
        system.file("/etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n"
                + "jvisor:x:" + APP_UID + ":" + APP_UID + ":jVisor:/tmp:/sbin/nologin\n", 0644);
        system.file("/etc/group", "root:x:0:\njvisor:x:" + APP_UID + ":\n", 0644);
        // glibc 2.34+ has the files and dns lookups built in; this says to use just those.
        system.file("/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n", 0644);
        system.directory("/tmp", 01777, 0, 0);

        Properties release = Properties.of(jre.resolve("release"));
        // jlink links from the JDK running this build; its release file gives only the feature
        // version ("25.0.3"), the running JDK the full one ("25.0.3+9-LTS").
        String version = Runtime.version().toString();
        SortedSet<String> modules = new TreeSet<>(List.of(release.get("MODULES", "").split(" ")));
        LayerBuilder java = new LayerBuilder("Java runtime " + version + " (jlink) at " + JAVA_HOME).tree(jre, JAVA_HOME);
        return new BaseLayers(system.write(blobDir), java.write(blobDir), new TreeSet<>(owners.values()), libraries,
                version, modules);
    }

    /** Adds each library at its path, and each owning package's copyright file, once. */
    static void addLibraries(LayerBuilder layer, SortedMap<Path, DebianPackage> owners) {
        for (Path lib : owners.keySet()) layer.copy(lib, lib.toString());
        for (DebianPackage p : new TreeSet<>(owners.values())) {
            Path copyright = Path.of("/usr/share/doc", p.name(), "copyright");
            if (Files.isRegularFile(copyright)) layer.copy(copyright, copyright.toString());
        }
    }

    /** The labels every image carries: where its files came from. */
    SortedMap<String, String> labels() {
        SortedMap<String, String> l = new TreeMap<>();
        l.put("org.opencontainers.image.base.name", "scratch");
        l.put("dev.jvisor.image.java.version", javaVersion);
        l.put("dev.jvisor.image.java.modules", String.join(",", javaModules));
        l.put("dev.jvisor.image.debian.packages", String.join(" ", packages.stream().map(DebianPackage::toString).toList()));
        return l;
    }

    /** KEY="value" lines of a JDK's release file. */
    record Properties(SortedMap<String, String> values) {
        static Properties of(Path file) {
            SortedMap<String, String> v = new TreeMap<>();
            try {
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (eq > 0) v.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("^\"|\"$", ""));
                }
            } catch (IOException e) {
                throw new ImageBuildException("cannot read " + file, e);
            }
            return new Properties(v);
        }

        String get(String key, String fallback) {
            return values.getOrDefault(key, fallback);
        }
    }
}
