package dev.jvisor.images;

/** An image cannot be built from the inputs given: a missing file, a failed tool, a bad argument. */
public final class ImageBuildException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ImageBuildException(String message) {
        super(message);
    }

    public ImageBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
