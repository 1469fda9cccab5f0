package dev.jvisor.sentry.mounts;

import java.util.Locale;
import java.util.Set;

/**
 * What tmpfs(5) options say about a new tmpfs: its size limit and its root directory's mode
 * and owner. {@code size=} takes a byte count with an optional k, m or g suffix (a percentage of
 * memory is refused: the Sentry does not size itself by the host's memory).
 *
 * @param sizeBytes the limit, or -1 for none
 * @param mode      permission bits of the root directory
 */
record TmpfsOptions(long sizeBytes, int mode, int uid, int gid) {
    /** Options tmpfs knows beyond these, accepted without effect. */
    private static final Set<String> IGNORED = Set.of("nr_inodes", "nr_blocks", "mpol", "huge", "inode64", "inode32");

    static TmpfsOptions parse(MountOptions options, int defaultMode, String destination) throws MountSpecException {
        long size = -1;
        int mode = defaultMode, uid = 0, gid = 0;
        for (String d : options.data()) {
            int eq = d.indexOf('=');
            String key = eq < 0 ? d : d.substring(0, eq);
            String value = eq < 0 ? "" : d.substring(eq + 1);
            switch (key) {
                case "size" -> size = size(value, destination);
                case "mode" -> mode = number(value, 8, 07777, "mode", destination);
                case "uid" -> uid = number(value, 10, Integer.MAX_VALUE, "uid", destination);
                case "gid" -> gid = number(value, 10, Integer.MAX_VALUE, "gid", destination);
                default -> {
                    if (!IGNORED.contains(key)) throw new MountSpecException("mount " + destination + ": unknown tmpfs option \"" + d + "\"");
                }
            }
        }
        return new TmpfsOptions(size, mode, uid, gid);
    }

    private static long size(String value, String destination) throws MountSpecException {
        String v = value.toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                default -> unit = 1;
            }
            if (unit != 1) v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v);
            if (n <= 0 || n > Long.MAX_VALUE / unit) throw new NumberFormatException();
            return n * unit;
        } catch (NumberFormatException e) {
            throw new MountSpecException("mount " + destination + ": size=" + value + " is not a positive size (bytes, or with k, m or g)");
        }
    }

    private static int number(String value, int radix, int max, String key, String destination) throws MountSpecException {
        try {
            long n = Long.parseLong(value, radix);
            if (n < 0 || n > max) throw new NumberFormatException();
            return (int) n;
        } catch (NumberFormatException e) {
            throw new MountSpecException("mount " + destination + ": " + key + "=" + value + " is out of range");
        }
    }
}
