package dev.jvisor.sentry.fs.tty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.Signal;
import dev.jvisor.abi.linux.Termbits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The line discipline alone: input processing, line editing, echo, signals, raw-mode reads, output processing. */
class LineDisciplineTest {
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final List<Integer> signals = new ArrayList<>();
    private final Object changed = new Object();
    private final LineDiscipline ld = new LineDiscipline(
            (b, off, len) -> {
                synchronized (screen) {
                    screen.write(b, off, len);
                }
            },
            sig -> {
                synchronized (signals) {
                    signals.add(sig);
                }
            },
            () -> {
                synchronized (changed) {
                    changed.notifyAll();
                }
            });

    /** Sleeps on the change notification, as a task sleeps on the terminal's wait queue. */
    private final LineDiscipline.Waiter waiter = (BooleanSupplier ready, long deadline) -> {
        synchronized (changed) {
            while (!ready.getAsBoolean()) {
                long left = deadline == Long.MAX_VALUE ? 0 : deadline - System.nanoTime();
                if (deadline != Long.MAX_VALUE && left <= 0) return false;
                try {
                    changed.wait(left == 0 ? 5_000 : Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    throw Errno.EINTR.exception();
                }
            }
            return true;
        }
    };

    private void type(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        ld.receive(b, 0, b.length);
    }

    private String screen() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private String read(int len) {
        byte[] buf = new byte[len];
        int n = ld.read(buf, 0, len, waiter, false);
        return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    private String readNow(int len) {
        byte[] buf = new byte[len];
        int n = ld.read(buf, 0, len, waiter, true);
        return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    private void raw(int vmin, int vtime) {
        Termios t = ld.termios();
        t.lflag &= ~(Termbits.ICANON | Termbits.ECHO | Termbits.ISIG | Termbits.IEXTEN);
        t.iflag &= ~Termbits.ICRNL;
        t.cc[Termbits.VMIN] = (byte) vmin;
        t.cc[Termbits.VTIME] = (byte) vtime;
        ld.setTermios(t);
    }

    @Test
    void aNewTerminalHasLinuxsPtySlaveDefaults() {
        Termios t = ld.termios();
        assertThat(t.iflag).isEqualTo(0x500);
        assertThat(t.oflag).isEqualTo(0x5);
        assertThat(t.cflag).isEqualTo(0xbf);
        assertThat(t.lflag).isEqualTo(0x8a3b);
        assertThat(t.control(Termbits.VINTR)).isEqualTo(3);
        assertThat(t.control(Termbits.VEOF)).isEqualTo(4);
        assertThat(t.control(Termbits.VERASE)).isEqualTo(0x7f);
        assertThat(t.control(Termbits.VMIN)).isEqualTo(1);
        assertThat(Termios.decode(t.encode())).isEqualTo(t);
    }

    @Test
    void canonicalModeReturnsWholeLinesAndEchoesWithCrNl() {
        type("ls -l");
        assertThatThrownBy(() -> readNow(100)).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.EAGAIN));
        assertThat(ld.readable()).isZero();
        type("\rpwd\r");
        // ICRNL made CR a newline; the echo got ONLCR's CR NL.
        assertThat(screen()).isEqualTo("ls -l\r\npwd\r\n");
        assertThat(read(100)).isEqualTo("ls -l\n");
        assertThat(read(2)).isEqualTo("pw");
        assertThat(read(100)).isEqualTo("d\n");
    }

    @Test
    void eraseKillAndWordEraseEditTheLineAndTheScreen() {
        type("helo\u007fo wrld");
        type("\u0017world\n");
        assertThat(read(100)).isEqualTo("helo world\n");
        assertThat(screen()).isEqualTo("helo\b \bo wrld\b \b\b \b\b \b\b \bworld\r\n");
        type("junk\u0015ok\n");
        assertThat(read(100)).isEqualTo("ok\n");
        assertThat(screen()).endsWith("junk\b \b\b \b\b \b\b \bok\r\n");
    }

    @Test
    void eofOnAnEmptyLineReadsAsEndOfFileAndOtherwisePushesTheLine() {
        type("abc\u0004");
        assertThat(read(100)).isEqualTo("abc");
        type("\u0004");
        assertThat(read(100)).isEmpty();
        // ^D is not echoed.
        assertThat(screen()).isEqualTo("abc");
    }

    @Test
    void controlCharactersEchoAsCaretNotationAndLiteralNextQuotesThem() {
        type("a\u0001\u0016\u0003b\n");
        assertThat(read(100)).isEqualTo("a\u0001\u0003b\n");
        assertThat(screen()).isEqualTo("a^A^\b^Cb\r\n");
        assertThat(signals).isEmpty();
    }

    @Test
    void interruptQuitAndSuspendSignalTheForegroundGroupAndFlushInput() {
        type("half a line");
        type("\u0003");
        type("x\u001c");
        type("\u001a");
        assertThat(signals).containsExactly(Signal.SIGINT, Signal.SIGQUIT, Signal.SIGTSTP);
        // The echo of "x" typed in the same burst as ^\ is flushed with the input, as Linux does.
        assertThat(screen()).isEqualTo("half a line^C^\\^Z");
        type("next\n");
        assertThat(read(100)).isEqualTo("next\n");
    }

    @Test
    void noflshKeepsInputAndIsigOffMakesTheCharactersData() {
        Termios t = ld.termios();
        t.lflag |= Termbits.NOFLSH;
        ld.setTermios(t);
        type("keep\u0003 this\n");
        assertThat(read(100)).isEqualTo("keep this\n");
        t.lflag &= ~Termbits.ISIG;
        ld.setTermios(t);
        type("\u0003\n");
        assertThat(read(100)).isEqualTo("\u0003\n");
        assertThat(signals).containsExactly(Signal.SIGINT);
    }

    @Test
    void echoOffHidesInputButEchonlStillShowsNewlines() {
        Termios t = ld.termios();
        t.lflag &= ~Termbits.ECHO;
        ld.setTermios(t);
        type("secret\n");
        assertThat(screen()).isEmpty();
        t.lflag |= Termbits.ECHONL;
        ld.setTermios(t);
        type("pw\n");
        assertThat(screen()).isEqualTo("\r\n");
        assertThat(read(100)).isEqualTo("secret\n");
    }

    @Test
    void inputMappingFollowsIcrnlIgncrInlcrAndIstrip() {
        Termios t = ld.termios();
        t.iflag = Termbits.IGNCR | Termbits.ISTRIP;
        t.lflag &= ~Termbits.ECHO;
        ld.setTermios(t);
        type("a\rb\u00e1\n");
        assertThat(read(100)).isEqualTo("ab\u0061\n");
        t.iflag = Termbits.INLCR;
        t.lflag &= ~Termbits.ICANON;
        ld.setTermios(t);
        type("x\n");
        assertThat(readNow(100)).isEqualTo("x\r");
    }

    @Test
    void outputProcessingMapsNewlinesUnlessOpostIsOff() {
        byte[] out = "a\nb\r\n".getBytes(StandardCharsets.US_ASCII);
        ld.write(out, 0, out.length);
        assertThat(screen()).isEqualTo("a\r\nb\r\r\n");
        Termios t = ld.termios();
        t.oflag = Termbits.OPOST | Termbits.OCRNL | Termbits.OLCUC;
        ld.setTermios(t);
        ld.write("x\ry\n".getBytes(StandardCharsets.US_ASCII), 0, 4);
        assertThat(screen()).endsWith("X\nY\n");
        t.oflag = 0;
        ld.setTermios(t);
        ld.write(out, 0, out.length);
        assertThat(screen()).endsWith("a\nb\r\n");
    }

    @Test
    void stopAndStartHoldAndReleaseOutput() {
        type("\u0013");
        ld.write("held".getBytes(StandardCharsets.US_ASCII), 0, 4);
        assertThat(screen()).isEmpty();
        type("\u0011");
        assertThat(screen()).isEqualTo("held");
    }

    @Test
    void rawModeWithVminZeroAndVtimeZeroNeverBlocks() {
        raw(0, 0);
        assertThat(read(10)).isEmpty();
        type("\r\u0003q");
        assertThat(read(10)).isEqualTo("\r\u0003q");
        assertThat(signals).isEmpty();
        assertThat(screen()).isEmpty();
    }

    @Test
    void rawModeWithVminWaitsForThatManyBytes() throws Exception {
        raw(3, 0);
        CompletableFuture<String> r = CompletableFuture.supplyAsync(() -> read(10));
        type("a");
        type("b");
        Thread.sleep(100);
        assertThat(r).isNotDone();
        type("cd");
        assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo("abcd");
    }

    @Test
    void rawModeWithVtimeAloneTimesOutWithNothing() {
        raw(0, 2);
        long start = System.nanoTime();
        assertThat(read(10)).isEmpty();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ms).isBetween(150L, 2_000L);
        type("z");
        assertThat(read(10)).isEqualTo("z");
    }

    @Test
    void rawModeWithVminAndVtimeReturnsShortAfterTheInterByteGap() throws Exception {
        raw(5, 1);
        CompletableFuture<String> r = CompletableFuture.supplyAsync(() -> read(10));
        Thread.sleep(300);
        assertThat(r).as("the inter-byte timer starts with the first byte").isNotDone();
        type("ab");
        assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo("ab");
    }

    @Test
    void switchingModesCarriesPendingInputAcross() {
        type("partial");
        raw(1, 0);
        assertThat(readNow(100)).isEqualTo("partial");
        type("xy");
        Termios t = ld.termios();
        t.lflag |= Termbits.ICANON;
        ld.setTermios(t);
        assertThat(ld.readReady()).isFalse();
        type("z\n");
        assertThat(read(100)).isEqualTo("xyz\n");
    }

    @Test
    void aLineLongerThanTheCanonicalLimitIsCut() {
        type("x".repeat(LineDiscipline.MAX_CANON + 100) + "\n");
        // The newline still ends it: only the excess characters are dropped.
        String line = read(10_000);
        assertThat(line).hasSize(LineDiscipline.MAX_CANON + 1).endsWith("x\n");
    }

    @Test
    void hangupEndsReadsAndFailsWrites() throws Exception {
        CompletableFuture<String> r = CompletableFuture.supplyAsync(() -> read(10));
        Thread.sleep(50);
        ld.hangup();
        assertThat(r.get(5, TimeUnit.SECONDS)).isEmpty();
        assertThatThrownBy(() -> ld.write(new byte[] {'x'}, 0, 1)).isInstanceOf(ErrnoException.class);
        type("ignored\n");
        assertThat(ld.readable()).isZero();
    }

    @Test
    void flushDiscardsUnreadInput() {
        type("one\ntwo");
        assertThat(ld.readable()).isEqualTo(4);
        ld.flush(Termbits.TCIFLUSH);
        type("\n");
        assertThat(read(100)).isEqualTo("\n");
    }
}
