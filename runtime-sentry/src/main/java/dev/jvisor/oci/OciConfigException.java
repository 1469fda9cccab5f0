package dev.jvisor.oci;

/** A config.json that cannot be used, naming the field at fault (e.g. {@code process.args[0]}). */
public final class OciConfigException extends Exception {
    private final String field;

    public OciConfigException(String field, String problem) {
        super(field.isEmpty() ? problem : field + ": " + problem);
        this.field = field;
    }

    public OciConfigException(String field, String problem, Throwable cause) {
        super(field.isEmpty() ? problem : field + ": " + problem, cause);
        this.field = field;
    }

    /** Path of the offending field in JSON-path-like notation; empty for the whole document. */
    public String field() {
        return field;
    }
}
