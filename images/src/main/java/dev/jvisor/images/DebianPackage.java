package dev.jvisor.images;

/** A Debian package installed on the build machine, as dpkg names it ("libc6", "2.36-9+deb12u14"). */
public record DebianPackage(String name, String version) implements Comparable<DebianPackage> {
    @Override
    public int compareTo(DebianPackage o) {
        return name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name + "=" + version;
    }
}
