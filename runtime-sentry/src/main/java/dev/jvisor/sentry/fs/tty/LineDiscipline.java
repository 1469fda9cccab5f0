package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.abi.linux.Termbits;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

/**
 * The terminal line discipline (Linux's N_TTY) in plain Java: what the keyboard side sends
 * becomes what programs read, what programs write becomes what the screen side gets.
 *
 * <p>Input: ISTRIP, IGNCR/ICRNL/INLCR, IXON flow control, ISIG (INTR, QUIT, SUSP become signals
 * for the foreground group), canonical line editing (ERASE, WERASE, KILL, EOF, EOL, EOL2,
 * REPRINT, LNEXT) and ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL. Reads follow canonical lines,
 * or VMIN/VTIME in non-canonical mode. Output: OPOST with ONLCR, OCRNL, ONOCR, ONLRET, OLCUC.
 *
 * <p>Thread-safe: the keyboard side and any number of readers and writers may call in
 * concurrently. Blocking is delegated to a {@link Waiter}, so the same code serves sandbox tasks
 * (which must stay interruptible by signals) and plain threads in tests.
 */
public final class LineDiscipline {
    /** Linux's N_TTY_BUF_SIZE: a canonical line longer than this is cut. */
    static final int MAX_CANON = 4095;
    /** Input waiting to be read beyond this is dropped, as a full n_tty buffer drops it. */
    static final int MAX_INPUT = 64 * 1024;

    /** The screen side: receives processed output and echo, in order. */
    public interface Output {
        void write(byte[] b, int off, int len);
    }

    /** Where the signals the keyboard generates go: the terminal's foreground process group. */
    public interface Signals {
        void signalForeground(int sig);
    }

    /** How a reader sleeps until input changes. */
    public interface Waiter {
        /**
         * Sleeps until {@code ready} holds or {@code deadlineNanos} (System.nanoTime, or
         * Long.MAX_VALUE) passes, re-checking when {@link LineDiscipline} signals a change.
         * Returns false on timeout; throws (e.g. ERESTARTSYS) when the reader is interrupted.
         */
        boolean await(BooleanSupplier ready, long deadlineNanos);
    }

    private final Output output;
    private final Signals signals;
    private final Runnable onChange;

    // Guarded by this.
    private Termios termios = Termios.ptySlaveDefaults();
    /** Bytes programs can read: committed canonical lines, or raw input. */
    private final ByteQueue ready = new ByteQueue();
    /** Canonical mode: lengths of the committed lines in {@link #ready}; 0 is an EOF mark. */
    private final ArrayDeque<Integer> lines = new ArrayDeque<>();
    /** Canonical mode: the line being edited. */
    private final ByteArrayOutputStream edit = new ByteArrayOutputStream();
    /** Screen column where the line being edited began, for erasing tabs. */
    private int editStartColumn;
    private boolean literalNext;
    private boolean hungUp;
    private long lastInputNanos;

    // Guarded by outputLock.
    private final Object outputLock = new Object();
    private int column;
    private boolean stopped;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();

    /**
     * @param output   the screen side
     * @param signals  the foreground process group
     * @param onChange called (without locks held) when input becomes readable or the terminal
     *                 hangs up, so that sleeping readers and pollers re-check
     */
    public LineDiscipline(Output output, Signals signals, Runnable onChange) {
        this.output = output;
        this.signals = signals;
        this.onChange = onChange;
    }

    public synchronized Termios termios() {
        return termios.copy();
    }

    /**
     * TCSETS. Leaving canonical mode makes the line being edited readable at once; entering it
     * makes raw input that nobody read the start of the line being edited.
     */
    public void setTermios(Termios next) {
        synchronized (this) {
            boolean wasCanonical = termios.has(Termbits.ICANON);
            termios = next.copy();
            boolean canonical = termios.has(Termbits.ICANON);
            if (wasCanonical && !canonical) {
                byte[] pending = edit.toByteArray();
                edit.reset();
                ready.add(pending, 0, pending.length);
                lines.clear();
            } else if (!wasCanonical && canonical) {
                byte[] raw = ready.take(ready.size());
                edit.write(raw, 0, Math.min(raw.length, MAX_CANON));
                lines.clear();
            }
            literalNext = false;
        }
        if (!next.input(Termbits.IXON)) resumeOutput();
        onChange.run();
    }

    // ------------------------------------------------------------------ the keyboard side

    /** Bytes typed on the keyboard (the far side of the terminal). */
    public void receive(byte[] b, int off, int len) {
        ByteArrayOutputStream echo = new ByteArrayOutputStream();
        int[] raise = new int[len];
        int raised = 0;
        int flow = 0; // +1 start, -1 stop, the last one wins
        synchronized (this) {
            if (hungUp) return;
            lastInputNanos = System.nanoTime();
            for (int i = 0; i < len; i++) {
                int c = b[off + i] & 0xff;
                int r = receiveOne(c, echo);
                if (r > 0) raise[raised++] = r;
                else if (r == FLOW_STOP) flow = -1;
                else if (r == FLOW_START) flow = 1;
            }
        }
        if (flow > 0) resumeOutput();
        else if (flow < 0) synchronized (outputLock) { stopped = true; }
        if (echo.size() > 0) emit(echo.toByteArray());
        for (int i = 0; i < raised; i++) signals.signalForeground(raise[i]);
        onChange.run();
    }

    private static final int FLOW_STOP = -1, FLOW_START = -2;

    /** One input byte; returns a signal to raise, a flow-control action, or 0. */
    private int receiveOne(int c, ByteArrayOutputStream echo) {
        Termios t = termios;
        if (t.input(Termbits.ISTRIP)) c &= 0x7f;
        if (literalNext) {
            literalNext = false;
            if (t.has(Termbits.ECHO) && t.has(Termbits.ECHOCTL)) echo.write('\b'); // over the "^" shown for LNEXT
            store(c, echo);
            return 0;
        }
        if (t.input(Termbits.IXON)) {
            if (c == t.control(Termbits.VSTOP)) return FLOW_STOP;
            if (c == t.control(Termbits.VSTART)) return FLOW_START;
        }
        if (t.has(Termbits.ISIG)) {
            int sig = c == t.control(Termbits.VINTR) ? Signal.SIGINT
                    : c == t.control(Termbits.VQUIT) ? Signal.SIGQUIT
                    : c == t.control(Termbits.VSUSP) ? Signal.SIGTSTP : 0;
            if (sig != 0) {
                if (!t.has(Termbits.NOFLSH)) {
                    discardInput();
                    // Linux also flushes output not yet sent: the echo of this same burst of input.
                    echo.reset();
                }
                if (t.has(Termbits.ECHO)) echoChar(c, echo);
                return sig;
            }
        }
        if (c == '\r') {
            if (t.input(Termbits.IGNCR)) return 0;
            if (t.input(Termbits.ICRNL)) c = '\n';
        } else if (c == '\n' && t.input(Termbits.INLCR)) {
            c = '\r';
        }
        if (t.input(Termbits.IUCLC) && t.has(Termbits.IEXTEN) && c >= 'A' && c <= 'Z') c += 'a' - 'A';
        if (t.has(Termbits.ICANON)) {
            if (c == t.control(Termbits.VERASE)) { erase(1, echo); return 0; }
            if (c == t.control(Termbits.VKILL)) { kill(c, echo); return 0; }
            if (t.has(Termbits.IEXTEN)) {
                if (c == t.control(Termbits.VWERASE)) { eraseWord(echo); return 0; }
                if (c == t.control(Termbits.VREPRINT)) { reprint(c, echo); return 0; }
                if (c == t.control(Termbits.VLNEXT)) {
                    literalNext = true;
                    if (t.has(Termbits.ECHO) && t.has(Termbits.ECHOCTL)) echo.write('^');
                    return 0;
                }
            }
            if (c == t.control(Termbits.VEOF)) { commitLine(); return 0; }
            if (c == '\n' || c == t.control(Termbits.VEOL) || c == t.control(Termbits.VEOL2)) {
                if (c == '\n' ? (t.has(Termbits.ECHO) || t.has(Termbits.ECHONL)) : t.has(Termbits.ECHO)) echoChar(c, echo);
                edit.write(c);
                commitLine();
                return 0;
            }
        }
        store(c, echo);
        return 0;
    }

    /** An ordinary input byte: onto the line being edited, or readable at once. */
    private void store(int c, ByteArrayOutputStream echo) {
        if (termios.has(Termbits.ICANON)) {
            if (edit.size() >= MAX_CANON) return;
            if (edit.size() == 0) editStartColumn = currentColumn();
            edit.write(c);
        } else {
            if (ready.size() >= MAX_INPUT) return;
            ready.add(c);
        }
        if (termios.has(Termbits.ECHO)) echoChar(c, echo);
    }

    private void commitLine() {
        byte[] line = edit.toByteArray();
        edit.reset();
        if (ready.size() + line.length > MAX_INPUT) return;
        ready.add(line, 0, line.length);
        lines.add(line.length);
    }

    private void echoChar(int c, ByteArrayOutputStream echo) {
        if (termios.has(Termbits.ECHOCTL) && isControl(c) && c != '\t' && c != '\n') {
            echo.write('^');
            echo.write(c ^ 0x40);
        } else {
            echo.write(c);
        }
    }

    private static boolean isControl(int c) {
        return c < 0x20 || c == 0x7f;
    }

    /** ERASE: drops {@code count} characters of the line being edited, and from the screen with ECHOE. */
    private void erase(int count, ByteArrayOutputStream echo) {
        Termios t = termios;
        for (int n = 0; n < count && edit.size() > 0; n++) {
            byte[] line = edit.toByteArray();
            int c = line[line.length - 1] & 0xff;
            edit.reset();
            edit.write(line, 0, line.length - 1);
            if (!t.has(Termbits.ECHO)) continue;
            if (!t.has(Termbits.ECHOE)) {
                echoChar(t.control(Termbits.VERASE), echo);
                continue;
            }
            int width;
            if (c == '\t') {
                width = width(line, line.length) - width(line, line.length - 1);
                for (int i = 0; i < width; i++) echo.write('\b');
                continue;
            }
            width = t.has(Termbits.ECHOCTL) && isControl(c) ? 2 : 1;
            for (int i = 0; i < width; i++) echo.write(new byte[] {'\b', ' ', '\b'}, 0, 3);
        }
    }

    /** Screen columns the first {@code n} bytes of {@code line} take, counting from where the line began. */
    private int width(byte[] line, int n) {
        int col = editStartColumn;
        for (int i = 0; i < n; i++) {
            int c = line[i] & 0xff;
            if (c == '\t') col = (col | 7) + 1;
            else if (termios.has(Termbits.ECHOCTL) && isControl(c)) col += 2;
            else col++;
        }
        return col;
    }

    private void eraseWord(ByteArrayOutputStream echo) {
        byte[] line = edit.toByteArray();
        int end = line.length;
        while (end > 0 && Character.isWhitespace(line[end - 1])) end--;
        while (end > 0 && (Character.isLetterOrDigit(line[end - 1]) || line[end - 1] == '_')) end--;
        erase(line.length - end, echo);
    }

    private void kill(int c, ByteArrayOutputStream echo) {
        Termios t = termios;
        if (!t.has(Termbits.ECHO)) {
            edit.reset();
        } else if (t.has(Termbits.ECHOKE) && t.has(Termbits.ECHOE)) {
            erase(edit.size(), echo);
        } else {
            edit.reset();
            echoChar(c, echo);
            if (t.has(Termbits.ECHOK)) echo.write('\n');
        }
    }

    private void reprint(int c, ByteArrayOutputStream echo) {
        if (!termios.has(Termbits.ECHO)) return;
        echoChar(c, echo);
        echo.write('\n');
        byte[] line = edit.toByteArray();
        for (byte x : line) echoChar(x & 0xff, echo);
    }

    private int currentColumn() {
        synchronized (outputLock) {
            return column;
        }
    }

    /** ISIG without NOFLSH: what was typed but not read is thrown away. */
    private void discardInput() {
        ready.clear();
        lines.clear();
        edit.reset();
        literalNext = false;
    }

    /** TCFLSH: throws away unread input and/or output held by flow control. */
    public void flush(int queue) {
        if (queue == Termbits.TCIFLUSH || queue == Termbits.TCIOFLUSH) {
            synchronized (this) {
                discardInput();
            }
        }
        if (queue == Termbits.TCOFLUSH || queue == Termbits.TCIOFLUSH) {
            synchronized (outputLock) {
                held.reset();
            }
        }
    }

    /**
     * The far side went away: readers see end of file from now on, writers EIO, keyboard input
     * is ignored.
     */
    public void hangup() {
        synchronized (this) {
            hungUp = true;
        }
        onChange.run();
    }

    public synchronized boolean hungUp() { return hungUp; }

    // ------------------------------------------------------------------ the program side

    /** FIONREAD: bytes a read could return now (for canonical mode, in committed lines). */
    public synchronized int readable() {
        return ready.size();
    }

    /** Whether a read would not block now. */
    public synchronized boolean readReady() {
        if (hungUp) return true;
        if (termios.has(Termbits.ICANON)) return !lines.isEmpty();
        return ready.size() >= Math.max(1, termios.cc[Termbits.VMIN] & 0xff) || (ready.size() > 0 && (termios.cc[Termbits.VTIME] & 0xff) > 0);
    }

    /**
     * A program's read(2). Canonical mode returns at most one line (0 for an EOF mark); the
     * rest follows VMIN/VTIME. With {@code nonBlocking} and nothing to read, fails with EAGAIN.
     */
    public int read(byte[] buf, int off, int len, Waiter waiter, boolean nonBlocking) {
        if (len == 0) return 0;
        Termios t = termios();
        if (t.has(Termbits.ICANON)) return readCanonical(buf, off, len, waiter, nonBlocking);
        int min = t.cc[Termbits.VMIN] & 0xff;
        long time = (t.cc[Termbits.VTIME] & 0xff) * 100_000_000L;
        if (nonBlocking) {
            synchronized (this) {
                if (ready.size() == 0 && !hungUp) throw Errno.EAGAIN.exception();
                return take(buf, off, len);
            }
        }
        int want = Math.min(min, len);
        if (min == 0) {
            // VTIME alone is a timeout for the first byte; neither means "whatever is there".
            if (time > 0) waiter.await(() -> readable() > 0 || hungUp(), System.nanoTime() + time);
        } else {
            waiter.await(() -> readable() > 0 || hungUp(), Long.MAX_VALUE);
            // With VTIME too, the timer restarts at every byte that arrives until VMIN are here.
            while (true) {
                long deadline;
                synchronized (this) {
                    if (ready.size() >= want || hungUp) break;
                    deadline = time > 0 ? lastInputNanos + time : Long.MAX_VALUE;
                }
                if (deadline <= System.nanoTime()) break;
                long arrivals = arrivalsMark();
                waiter.await(() -> readable() >= want || hungUp() || arrivalsMark() != arrivals, deadline);
            }
        }
        synchronized (this) {
            return take(buf, off, len);
        }
    }

    private synchronized long arrivalsMark() {
        return lastInputNanos;
    }

    private int readCanonical(byte[] buf, int off, int len, Waiter waiter, boolean nonBlocking) {
        while (true) {
            synchronized (this) {
                if (!lines.isEmpty()) {
                    int first = lines.removeFirst();
                    if (first == 0) return 0; // EOF typed at the start of a line
                    int n = Math.min(len, first);
                    ready.take(buf, off, n);
                    if (n < first) lines.addFirst(first - n);
                    return n;
                }
                if (hungUp) return 0;
            }
            if (nonBlocking) throw Errno.EAGAIN.exception();
            waiter.await(this::readReady, Long.MAX_VALUE);
        }
    }

    private int take(byte[] buf, int off, int len) {
        int n = Math.min(len, ready.size());
        ready.take(buf, off, n);
        return n;
    }

    /** A program's write(2): output processing, then the screen side. */
    public int write(byte[] b, int off, int len) {
        if (hungUp()) throw Errno.EIO.exception();
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        emit(copy);
        return len;
    }

    /** Sends program output or echo through OPOST processing, holding it while output is stopped. */
    private void emit(byte[] bytes) {
        Termios t = termios();
        synchronized (outputLock) {
            byte[] processed = t.output(Termbits.OPOST) ? postProcess(bytes, t) : trackOnly(bytes);
            if (stopped) {
                held.write(processed, 0, processed.length);
                return;
            }
            output.write(processed, 0, processed.length);
        }
    }

    private byte[] postProcess(byte[] in, Termios t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 8);
        for (byte x : in) {
            int c = x & 0xff;
            switch (c) {
                case '\n' -> {
                    if (t.output(Termbits.ONLCR)) {
                        out.write('\r');
                        column = 0;
                    } else if (t.output(Termbits.ONLRET)) {
                        column = 0;
                    }
                    out.write('\n');
                }
                case '\r' -> {
                    if (t.output(Termbits.ONOCR) && column == 0) continue;
                    if (t.output(Termbits.OCRNL)) {
                        if (t.output(Termbits.ONLRET)) column = 0;
                        out.write('\n');
                    } else {
                        column = 0;
                        out.write('\r');
                    }
                }
                default -> {
                    if (t.output(Termbits.OLCUC) && c >= 'a' && c <= 'z') c -= 'a' - 'A';
                    advance(c);
                    out.write(c);
                }
            }
        }
        return out.toByteArray();
    }

    private byte[] trackOnly(byte[] in) {
        for (byte x : in) {
            int c = x & 0xff;
            if (c == '\n' || c == '\r') column = 0;
            else advance(c);
        }
        return in;
    }

    private void advance(int c) {
        if (c == '\t') column = (column | 7) + 1;
        else if (c == '\b') column = Math.max(0, column - 1);
        else if (!isControl(c)) column++;
    }

    /** START typed, TCXONC TCOON, or IXON turned off: held output goes out. */
    public void resumeOutput() {
        synchronized (outputLock) {
            stopped = false;
            if (held.size() > 0) {
                byte[] h = held.toByteArray();
                held.reset();
                output.write(h, 0, h.length);
            }
        }
    }

    /** STOP typed or TCXONC TCOOFF: output is held until resumed. */
    public void suspendOutput() {
        synchronized (outputLock) {
            stopped = true;
        }
    }
}
