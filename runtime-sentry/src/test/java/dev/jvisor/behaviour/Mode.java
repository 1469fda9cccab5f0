package dev.jvisor.behaviour;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Where a behaviour case runs. */
public enum Mode {
    /** Directly on the host kernel, in a temporary working directory. */
    NATIVE,
    /** Inside a jVisor sandbox, through {@code runsc do --rootfs} in a child JVM. */
    JVISOR,
    /**
     * Inside gVisor ({@code /usr/bin/runsc do --root}, ptrace platform): a reference sandbox that
     * shows the harness's sandbox path working and where another user-space kernel differs from
     * Linux. Opt-in, as root.
     */
    GVISOR;

    /** The system property that selects modes, as a comma-separated list. */
    public static final String PROPERTY = "jvisor.behaviour.modes";

    /** Native only until the Sentry serves enough of Linux for the suite to mean something. */
    public static final String DEFAULT = "native,jvisor";

    /** The modes the property selects (or the default); an unknown name is an error, not ignored. */
    public static List<Mode> selected() {
        return parse(System.getProperty(PROPERTY, DEFAULT));
    }

    static List<Mode> parse(String spec) {
        List<Mode> modes = new ArrayList<>();
        for (String part : spec.split(",")) {
            String name = part.strip();
            if (name.isEmpty()) {
                continue;
            }
            Mode mode;
            try {
                mode = valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        PROPERTY + ": unknown mode '" + name + "' (known: native, jvisor, gvisor)", e);
            }
            if (!modes.contains(mode)) {
                modes.add(mode);
            }
        }
        if (modes.isEmpty()) {
            throw new IllegalArgumentException(PROPERTY + " selects no mode: '" + spec + "'");
        }
        return List.copyOf(modes);
    }

    /** The lower-case name used in test names and the known-failures list. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
