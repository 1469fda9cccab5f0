package dev.jvisor.runsc.control;

import dev.jvisor.oci.json.JsonNumber;
import dev.jvisor.oci.json.JsonObject;
import java.io.IOException;
import java.util.List;

/**
 * The host side of a process held by a control connection (an exec'd process or a pod's
 * container): forwards host signals to it and waits for its exit status. Used by the exec
 * waiter and by a non-detached {@code runsc exec}; closing the connection kills the process.
 */
public final class AttachedProcess {
    /** Signals a waiter passes on; the JVM keeps some (QUIT, USR2 …) and those are skipped. */
    private static final List<String> FORWARDED = List.of("HUP", "INT", "TERM", "USR1", "USR2", "WINCH", "CONT", "ALRM", "PIPE");
    /** Status when the sandbox hangs up without telling the exit (it died): as if SIGKILLed. */
    public static final int LOST = 128 + 9;

    private final ControlConnection conn;
    /** Signals that came before the process was started; sent once it is. */
    private final List<Integer> early = new java.util.ArrayList<>();
    private boolean started;

    AttachedProcess(ControlConnection conn) {
        this.conn = conn;
    }

    public static AttachedProcess of(ControlClient client) {
        return new AttachedProcess(client.connection());
    }

    /** Passes host signals that reach this JVM to the process, from now on. */
    public void forwardSignals() {
        for (String name : FORWARDED) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> signal(s.getNumber()));
            } catch (IllegalArgumentException reservedByTheJvm) {
                // not forwardable from a JVM
            }
        }
    }

    /**
     * The request that starts the process has been answered: signals may go to it now, and
     * those that came earlier go first.
     */
    public void started() {
        List<Integer> pending;
        synchronized (early) {
            started = true;
            pending = List.copyOf(early);
            early.clear();
        }
        for (int sig : pending) signal(sig);
    }

    /** Sends {@code sig} to the process; a connection already gone is ignored (it has exited). */
    public void signal(int sig) {
        synchronized (early) {
            if (!started) {
                early.add(sig);
                return;
            }
        }
        try {
            conn.write(ControlProtocol.request(ControlProtocol.SIGNAL).put("signal", sig).build());
        } catch (IOException ignored) {
            // the process has exited; its status is on the way
        }
    }

    /** Blocks until the process exits and returns its status as a shell reports it. */
    public int awaitExit() {
        try {
            while (true) {
                ControlConnection.Frame f = conn.read();
                if (f == null) return LOST;
                ControlConnection.closeAll(f.fds());
                if (f.body().get("exited") instanceof JsonNumber n && n.longValueExact().isPresent()) {
                    return (int) n.longValueExact().getAsLong();
                }
            }
        } catch (ControlException | IOException e) {
            return LOST;
        } finally {
            conn.close();
        }
    }

    /** Reads the answer to the request that attached this process. */
    JsonObject answer() throws ControlException, IOException {
        ControlConnection.Frame f = conn.read();
        if (f == null) throw new ControlException(ControlException.Code.CONNECTION_CLOSED, "the sandbox hung up without an answer");
        return ControlClient.unwrap(f.body());
    }
}
