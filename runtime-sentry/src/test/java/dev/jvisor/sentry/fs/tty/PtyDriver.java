package dev.jvisor.sentry.fs.tty;

import dev.jvisor.sentry.host.Host;
import dev.jvisor.sentry.host.HostException;
import dev.jvisor.sentry.host.HostTty;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keyboard and screen of a host pty: a test types into the master and reads what the
 * program on the slave shows. Answers are typed when their prompt appears on the screen.
 */
final class PtyDriver implements AutoCloseable {
    /** What to do at a prompt: type bytes, or resize the window. */
    sealed interface Action permits Type, Resize {}
    record Type(String keys) implements Action {}
    record Resize(int rows, int cols) implements Action {}

    private final HostTty.Pty pty;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    PtyDriver(int rows, int cols) {
        pty = HostTty.openPty();
        HostTty.setWindowSize(pty.master(), rows, cols);
    }

    String slavePath() { return pty.slavePath(); }
    int master() { return pty.master(); }

    /**
     * Reads the screen until {@code end} appears, the slave side is closed, or nothing arrives
     * for {@code quietMillis}; answers each prompt of {@code script} once, in any order.
     */
    String converse(Map<String, List<Action>> script, String end, int quietMillis) throws InterruptedException {
        Set<String> answered = new HashSet<>();
        byte[] buf = new byte[4096];
        while (true) {
            String shown = screen.toString(StandardCharsets.ISO_8859_1);
            if (end != null && shown.contains(end)) return shown;
            for (var e : script.entrySet()) {
                if (answered.contains(e.getKey()) || !shown.contains(e.getKey())) continue;
                answered.add(e.getKey());
                for (Action a : e.getValue()) {
                    Thread.sleep(250); // let the program reach its read (a signal before it would be lost)
                    switch (a) {
                        case Type t -> type(t.keys());
                        case Resize r -> HostTty.setWindowSize(pty.master(), r.rows(), r.cols());
                    }
                }
            }
            int ready = Host.poll(pty.master(), 1, quietMillis);
            if (ready == 0) return shown;
            try {
                int n = HostTty.read(pty.master(), buf);
                if (n <= 0) return shown;
                screen.write(buf, 0, n);
            } catch (HostException e) {
                return shown; // EIO: every slave is closed
            }
        }
    }

    /** One step of a conversation in order: once {@code waitFor} shows up, type {@code keys}. */
    record Step(String waitFor, String keys) {}

    /**
     * Plays {@code steps} in order, each waiting for its text after where the previous step
     * typed; then reads until the slave side closes or {@code quietMillis} pass without output.
     */
    String converseInOrder(List<Step> steps, int quietMillis) throws InterruptedException {
        byte[] buf = new byte[4096];
        int from = 0;
        int next = 0;
        while (true) {
            String shown = screen.toString(StandardCharsets.ISO_8859_1);
            if (next < steps.size() && shown.indexOf(steps.get(next).waitFor(), from) >= 0) {
                Thread.sleep(250); // let the program act on what it just showed
                type(steps.get(next).keys());
                from = shown.length();
                next++;
                continue;
            }
            int ready = Host.poll(pty.master(), 1, quietMillis);
            if (ready == 0) return shown;
            try {
                int n = HostTty.read(pty.master(), buf);
                if (n <= 0) return shown;
                screen.write(buf, 0, n);
            } catch (HostException e) {
                return shown;
            }
        }
    }

    void type(String keys) {
        byte[] b = keys.getBytes(StandardCharsets.ISO_8859_1);
        Host.writeFully(pty.master(), b, 0, b.length);
    }

    @Override
    public void close() {
        Host.close(pty.master());
    }
}
