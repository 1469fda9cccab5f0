package dev.jvisor.runsc.config;

/** {@code --file-access}: whether anything besides the sandbox may change the container's files. */
public enum FileAccess {
    /** Only this sandbox changes them: the Sentry may cache freely. */
    EXCLUSIVE,
    /** Host processes may change them too: the Sentry revalidates what it caches. */
    SHARED
}
