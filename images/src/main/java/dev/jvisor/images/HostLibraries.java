package dev.jvisor.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The shared libraries that ELF programs load from the host (the C library and its dynamic
 * loader, for a Java runtime), found with the host's {@code ldd}, and the Debian packages that
 * installed them, found with {@code dpkg}: an image built from scratch carries exactly these
 * files, at the paths where the loader looks, and names their packages and versions.
 */
public final class HostLibraries {
    private HostLibraries() {}

    /**
     * Every library the ELF files in {@code roots} (files, or trees searched for ELF files) load
     * from outside {@code roots}, by the path the loader resolved it at (e.g.
     * /lib/x86_64-linux-gnu/libc.so.6, /lib64/ld-linux-x86-64.so.2).
     */
    public static SortedSet<Path> neededBy(List<Path> roots) {
        List<Path> elves = new ArrayList<>();
        List<Path> realRoots = new ArrayList<>();
        for (Path root : roots) {
            // A root may be a link (/bin/sh -> dash): what is packaged is what it points to.
            try (Stream<Path> all = Files.walk(realPath(root))) {
                all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && isElf(p)).sorted().forEach(elves::add);
            } catch (IOException e) {
                throw new ImageBuildException("cannot read " + root, e);
            }
        }
        for (Path root : roots) realRoots.add(realPath(root));
        Set<String> names = new HashSet<>();
        for (Path elf : elves) names.add(elf.getFileName().toString());
        SortedSet<Path> libraries = new TreeSet<>();
        for (Path elf : elves) {
            String out = command(List.of("ldd", elf.toString()), true);
            for (String line : out.lines().map(String::strip).toList()) {
                if (line.endsWith("=> not found")) {
                    // The JVM loads libjvm.so itself before the libraries that need it; a library
                    // the packaged tree holds is found at run time.
                    String soname = line.substring(0, line.indexOf(' '));
                    if (!names.contains(soname)) throw new ImageBuildException(elf + " needs a library this machine lacks: " + line);
                    continue;
                }
                String path = resolvedPath(line);
                if (path == null) continue;
                Path lib = Path.of(path).normalize();
                if (realRoots.stream().anyMatch(lib::startsWith)) continue;
                libraries.add(lib);
            }
        }
        return libraries;
    }

    /** The installed Debian package that owns each file (by dpkg's database), with its version. */
    public static SortedMap<Path, DebianPackage> packagesOf(SortedSet<Path> files) {
        Map<Path, String> names = new HashMap<>(owners(files));
        // With a merged /usr, dpkg may know a file under its other spelling.
        Map<Path, Path> otherSpelling = new HashMap<>();
        for (Path f : files) {
            if (names.containsKey(f)) continue;
            String s = f.toString();
            otherSpelling.put(Path.of(s.startsWith("/usr/") ? s.substring(4) : "/usr" + s), f);
        }
        owners(otherSpelling.keySet()).forEach((other, pkg) -> names.put(otherSpelling.get(other), pkg));
        for (Path f : files) {
            if (!names.containsKey(f)) throw new ImageBuildException("no installed Debian package owns " + f);
        }
        List<String> query = new ArrayList<>(List.of("dpkg-query", "-W", "-f", "${binary:Package} ${Version}\\n"));
        new TreeSet<>(names.values()).forEach(query::add);
        Map<String, String> versions = new HashMap<>();
        for (String line : command(query, false).lines().toList()) {
            String[] f = line.split(" ", 2);
            if (f.length == 2) versions.put(f[0], f[1].strip());
        }
        SortedMap<Path, DebianPackage> result = new TreeMap<>();
        for (Path f : files) {
            String pkg = names.get(f);
            String version = versions.getOrDefault(pkg, versions.get(pkg.replaceFirst(":.*$", "")));
            if (version == null) throw new ImageBuildException("dpkg-query knows no version of " + pkg);
            result.put(f, new DebianPackage(pkg.replaceFirst(":.*$", ""), version));
        }
        return result;
    }

    /** One dpkg-query -S for all files: "libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6" lines. */
    private static Map<Path, String> owners(Set<Path> files) {
        Map<Path, String> owners = new HashMap<>();
        if (files.isEmpty()) return owners;
        List<String> query = new ArrayList<>(List.of("dpkg-query", "-S"));
        files.stream().map(Path::toString).sorted().forEach(query::add);
        // dpkg-query exits non-zero when any file is unknown, yet lists the others.
        for (String line : command(query, true, true).lines().toList()) {
            int sep = line.indexOf(": ");
            if (sep <= 0 || line.startsWith("diversion")) continue;
            Path file = Path.of(line.substring(sep + 2));
            if (files.contains(file)) owners.put(file, line.substring(0, sep).split(", ")[0]);
        }
        return owners;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new ImageBuildException("no such file: " + p, e);
        }
    }

    /** The library path of one ldd line, or null for lines naming none (the vDSO, "statically linked"). */
    static String resolvedPath(String line) {
        int arrow = line.indexOf("=> ");
        String rest = arrow >= 0 ? line.substring(arrow + 3) : line;
        if (!rest.startsWith("/")) return null;
        int paren = rest.indexOf(" (");
        return paren >= 0 ? rest.substring(0, paren) : rest;
    }

    private static boolean isElf(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            throw new ImageBuildException("cannot read " + p, e);
        }
    }

    /** Runs a host tool; its output, or (unless {@code failureIsAnswer}) a typed error on failure. */
    private static String command(List<String> command, boolean failureIsAnswer) {
        return command(command, failureIsAnswer, false);
    }

    /** As above; {@code outputOnFailure}: a failed run's output is still the answer, not "". */
    private static String command(List<String> command, boolean failureIsAnswer, boolean outputOnFailure) {
        try {
            Path out = Files.createTempFile("images-cmd", ".out");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new ImageBuildException("timed out: " + String.join(" ", command));
                }
                String text = Files.readString(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0 && !failureIsAnswer) {
                    throw new ImageBuildException(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
                }
                return p.exitValue() == 0 || outputOnFailure ? text : "";
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new ImageBuildException("cannot run " + command.getFirst() + " (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageBuildException("interrupted running " + command.getFirst(), e);
        }
    }
}
