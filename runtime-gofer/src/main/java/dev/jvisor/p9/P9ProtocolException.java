package dev.jvisor.p9;

/**
 * A frame that breaks the 9P2000.L wire format or jVisor's limits on it. {@link #tag()} is the
 * frame's tag when the header was readable (so a server can answer it with {@code Rlerror}), or
 * {@link #NO_TAG} when even the header was bad (the connection must then be closed: the stream
 * cannot be resynchronised).
 */
public final class P9ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    /** {@link #tag()} when the header itself could not be read. */
    public static final int NO_TAG = -1;

    /** What was wrong with the frame. */
    public enum Reason {
        /** The size field is smaller than a header. */
        FRAME_TOO_SHORT,
        /** The size field exceeds the negotiated msize. */
        FRAME_TOO_LARGE,
        /** The message type is not one jVisor speaks, or is a reply where a request was expected. */
        UNKNOWN_TYPE,
        /** A field runs past the end of the frame. */
        TRUNCATED,
        /** Bytes are left over after the last field. */
        TRAILING_BYTES,
        /** A string is not well-formed UTF-8. */
        INVALID_UTF8,
        /** A string contains a NUL byte (it could never name a file). */
        NUL_IN_STRING,
        /** A string, walk or count is longer than the protocol allows. */
        TOO_LONG,
        /** A qid's type byte is not a possible file type. */
        INVALID_QID_TYPE,
        /** An Rlerror carries a number that is not a Linux errno. */
        INVALID_ERRNO,
        /** A frame that must carry a descriptor (Rdonatefd) came without one. */
        MISSING_DESCRIPTOR,
        /** Descriptors came that no frame claimed, or more at once than any frame carries. */
        STRAY_DESCRIPTOR,
        /** A flag field holds a value the message does not define (Rwalkgetattr's has_attr). */
        BAD_VALUE,
    }

    private final Reason reason;
    private final int tag;

    public P9ProtocolException(Reason reason, int tag, String detail) {
        super(reason + (tag == NO_TAG ? "" : " (tag " + tag + ")") + ": " + detail);
        this.reason = reason;
        this.tag = tag;
    }

    public Reason reason() {
        return reason;
    }

    public int tag() {
        return tag;
    }
}
