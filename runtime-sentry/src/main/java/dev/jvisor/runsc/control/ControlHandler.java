package dev.jvisor.runsc.control;

import java.io.IOException;

/** What the control server does with a request. */
public interface ControlHandler {
    /**
     * Answers {@code request} on {@code conn} (owning its fds).
     *
     * @return true if the handler keeps the connection (an exec or create waiting for its
     *         process), false to have the server close it
     */
    boolean handle(ControlConnection.Frame request, ControlConnection conn) throws IOException;
}
