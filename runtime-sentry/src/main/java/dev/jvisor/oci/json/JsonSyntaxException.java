package dev.jvisor.oci.json;

/** Input that is not acceptable JSON, with the offset (in chars) where that was found. */
public final class JsonSyntaxException extends Exception {
    private final long offset;

    public JsonSyntaxException(String message, long offset) {
        super(message + " at offset " + offset);
        this.offset = offset;
    }

    public long offset() {
        return offset;
    }
}
