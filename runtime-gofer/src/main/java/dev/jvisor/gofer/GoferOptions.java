package dev.jvisor.gofer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@code runsc gofer}, Go-flag style like the rest of runsc
 * ({@code --flag value} or {@code --flag=value}):
 * <pre>
 *   --fd N                     the connected 9P socket (inherited)
 *   --root DIR                 the container's root filesystem, served as "/"
 *   --root-readonly            refuse changes to the root with EROFS
 *   --mount SRC:DEST[:ro]      a bind mount: host SRC served as attach name DEST (repeatable)
 *   --confine=false            skip chroot and seccomp (tests and debugging only)
 *   --handoff-fd N --parent P  instead of --fd and --root: start before the root is known, make
 *                              the socketpair, leave the peer's end at N for parent P and wait
 *                              for its {@link RootHandoff} (runsc do starts the Gofer this way)
 * </pre>
 */
record GoferOptions(int fd, List<MountPoint> mounts, boolean confine, int handoffFd, long parent) {

    /** Whether the root comes later, in a {@link RootHandoff} on a socket this Gofer makes. */
    boolean awaitsRoot() {
        return handoffFd >= 0;
    }

    /** The options once the handoff has named the root and the connection is {@code socket}. */
    GoferOptions withRoot(int socket, RootHandoff.Root root) {
        List<MountPoint> all = new ArrayList<>();
        all.add(new MountPoint("/", root.dir(), root.readOnly()));
        all.addAll(mounts);
        return new GoferOptions(socket, List.copyOf(all), confine, -1, parent);
    }

    /** A command line that cannot be run, with the reason. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static GoferOptions parse(String[] args) throws UsageException {
        int fd = -1;
        int handoffFd = -1;
        long parent = -1;
        Path root = null;
        boolean rootReadOnly = false;
        boolean confine = true;
        List<MountPoint> binds = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-")) {
                throw new UsageException("unexpected argument " + arg);
            }
            String flag = arg.replaceFirst("^--?", "");
            String value = null;
            int eq = flag.indexOf('=');
            if (eq >= 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            switch (flag) {
                case "root-readonly" -> rootReadOnly = value == null || parseBoolean(flag, value);
                case "confine" -> confine = value == null || parseBoolean(flag, value);
                case "fd", "root", "mount", "handoff-fd", "parent" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("flag --" + flag + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (flag) {
                        case "fd" -> fd = parseFd(flag, value);
                        case "handoff-fd" -> handoffFd = parseFd(flag, value);
                        case "parent" -> parent = parseFd(flag, value);
                        case "root" -> root = Path.of(value);
                        default -> binds.add(parseMount(value));
                    }
                }
                default -> throw new UsageException("unknown flag --" + flag);
            }
        }
        if (handoffFd >= 0) {
            if (fd >= 0 || root != null) {
                throw new UsageException("--handoff-fd takes the place of --fd and --root");
            }
            if (parent <= 0) {
                throw new UsageException("--handoff-fd needs --parent");
            }
            return new GoferOptions(-1, List.copyOf(binds), confine, handoffFd, parent);
        }
        if (fd < 0) {
            throw new UsageException("--fd is required");
        }
        if (root == null) {
            throw new UsageException("--root is required");
        }
        List<MountPoint> mounts = new ArrayList<>();
        mounts.add(new MountPoint("/", root, rootReadOnly));
        mounts.addAll(binds);
        return new GoferOptions(fd, List.copyOf(mounts), confine, -1, -1);
    }

    private static boolean parseBoolean(String flag, String value) throws UsageException {
        return switch (value) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new UsageException("--" + flag + " wants true or false, not " + value);
        };
    }

    private static int parseFd(String flag, String value) throws UsageException {
        try {
            int fd = Integer.parseInt(value);
            if (fd < 0) {
                throw new NumberFormatException();
            }
            return fd;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " wants a non-negative number, not " + value);
        }
    }

    private static MountPoint parseMount(String spec) throws UsageException {
        String[] parts = spec.split(":");
        if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !parts[2].equals("ro"))) {
            throw new UsageException("--mount wants SRC:DEST[:ro], not " + spec);
        }
        if (!parts[1].startsWith("/") || parts[1].equals("/")) {
            throw new UsageException("--mount destination must be absolute and not /: " + parts[1]);
        }
        return new MountPoint(parts[1], Path.of(parts[0]), parts.length == 3);
    }
}
