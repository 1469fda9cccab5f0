package dev.jvisor.p9;

/**
 * A 9P2000.L message body, without its size/type/tag header: a request ({@link Tmessage}) or a
 * reply ({@link Rmessage}).
 */
public sealed interface Message permits Tmessage, Rmessage {
    /** No tag: used by {@code Tversion}. */
    int NOTAG = 0xFFFF;
    /** No fid: the {@code afid} of an unauthenticated {@code Tattach}. */
    int NOFID = 0xFFFFFFFF;
    /** The protocol's limit on names in one {@code Twalk} (and qids in one {@code Rwalk}). */
    int MAX_WALK_ELEMENTS = 16;
    /** The protocol version string jVisor speaks. */
    String VERSION_9P2000_L = "9P2000.L";
}
