package dev.jvisor.nodeagent;

/** The agent's configuration (flags and environment) is incomplete or invalid. */
public final class SettingsException extends Exception {

    private final String setting;

    public SettingsException(String setting, String detail) {
        super(setting + ": " + detail);
        this.setting = setting;
    }

    /** The flag name of the offending setting. */
    public String setting() {
        return setting;
    }
}
