package dev.jvisor.runsc.config;

import dev.jvisor.runsc.cli.RunscException;

/** A setting that cannot be used: unknown key, bad value, or an annotation that would loosen the sandbox. */
public final class ConfigException extends RunscException {
    public ConfigException(String message) {
        super(message);
    }
}
