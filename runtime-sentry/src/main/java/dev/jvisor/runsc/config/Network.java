package dev.jvisor.runsc.config;

/** {@code --network}: the sandbox's network, from most to least isolated. */
public enum Network {
    /** Loopback only, in a host network namespace of its own. */
    NONE,
    /** A network stack inside the Sentry. */
    SANDBOX,
    /** Host sockets proxied by the Sentry. */
    HOST
}
