package dev.jvisor.runsc.control;

/** A control request failed: a code the client can act on, and a message for people. */
public final class ControlException extends Exception {
    /** Why a request failed; the wire name is the constant's name. */
    public enum Code {
        /** Not a frame of this protocol: bad length, not UTF-8, not a JSON object. */
        BAD_FRAME,
        /** A frame of another protocol version. */
        UNSUPPORTED_VERSION,
        /** The operation is not one this server knows. */
        UNKNOWN_OP,
        /** A member is missing, has the wrong type or value, or is not defined for the operation. */
        BAD_REQUEST,
        /** The peer is neither root nor the sandbox's user. */
        NOT_PERMITTED,
        /** No container of that name runs in this sandbox. */
        NO_SUCH_CONTAINER,
        /** The container's state does not allow the operation (not started, already started, exited). */
        WRONG_STATE,
        /** The process could not be started (no such program, bad working directory …). */
        EXEC_FAILED,
        /** The server failed; its log says why. */
        INTERNAL,
        /** The connection ended before an answer (the sandbox exited). */
        CONNECTION_CLOSED;

        static Code parse(String wire) {
            for (Code c : values()) if (c.name().equals(wire)) return c;
            return INTERNAL;
        }
    }

    private final Code code;

    public ControlException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public ControlException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() { return code; }
}
