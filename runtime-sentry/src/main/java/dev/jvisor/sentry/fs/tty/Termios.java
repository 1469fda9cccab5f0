package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.linux.Termbits;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One terminal's attributes: the kernel's {@code struct termios} as a value. Instances are not
 * shared: {@link LineDiscipline} hands out copies.
 */
public final class Termios {
    public int iflag, oflag, cflag, lflag;
    public byte line;
    public final byte[] cc;

    private Termios(int iflag, int oflag, int cflag, int lflag, byte line, byte[] cc) {
        this.iflag = iflag;
        this.oflag = oflag;
        this.cflag = cflag;
        this.lflag = lflag;
        this.line = line;
        this.cc = Arrays.copyOf(cc, Termbits.NCCS);
    }

    /** What a new pty slave starts with: canonical mode, echo, signals, ICRNL, ONLCR, 38400 baud. */
    public static Termios ptySlaveDefaults() {
        return new Termios(Termbits.DEFAULT_IFLAG, Termbits.DEFAULT_OFLAG, Termbits.DEFAULT_PTS_CFLAG,
                Termbits.DEFAULT_LFLAG, (byte) 0, Termbits.defaultControlChars());
    }

    public Termios copy() {
        return new Termios(iflag, oflag, cflag, lflag, line, cc);
    }

    public boolean has(int lflagBit) { return (lflag & lflagBit) != 0; }
    public boolean input(int iflagBit) { return (iflag & iflagBit) != 0; }
    public boolean output(int oflagBit) { return (oflag & oflagBit) != 0; }

    /** The control character at {@code index} as 0..255, or -1 when disabled. */
    public int control(int index) {
        int c = cc[index] & 0xff;
        return c == Termbits.POSIX_VDISABLE ? -1 : c;
    }

    /** Decodes the 36 bytes of a struct termios. */
    public static Termios decode(byte[] raw) {
        if (raw.length < Termbits.TERMIOS_SIZE) throw new IllegalArgumentException("struct termios is 36 bytes");
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        byte[] cc = Arrays.copyOfRange(raw, Termbits.OFF_CC, Termbits.OFF_CC + Termbits.NCCS);
        return new Termios(b.getInt(Termbits.OFF_IFLAG), b.getInt(Termbits.OFF_OFLAG), b.getInt(Termbits.OFF_CFLAG),
                b.getInt(Termbits.OFF_LFLAG), raw[Termbits.OFF_LINE], cc);
    }

    /** The 36 bytes of a struct termios. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(Termbits.TERMIOS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(iflag).putInt(oflag).putInt(cflag).putInt(lflag).put(line).put(cc);
        return b.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Termios t && Arrays.equals(encode(), t.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return String.format("termios{iflag=%#x oflag=%#x cflag=%#x lflag=%#x cc=%s}", iflag, oflag, cflag, lflag, Arrays.toString(cc));
    }
}
