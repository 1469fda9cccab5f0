package dev.jvisor.runsc.config;

/** Where a setting's value came from, lowest precedence first. */
public enum ConfigSource {
    DEFAULT, FLAG, FILE, ANNOTATION
}
