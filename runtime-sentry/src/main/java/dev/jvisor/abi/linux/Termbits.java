package dev.jvisor.abi.linux;

/**
 * The terminal attributes of the kernel's {@code struct termios} (the 36-byte layout TCGETS and
 * TCSETS copy), from include/uapi/asm-generic/termbits.h and termbits-common.h, and the
 * defaults a new pty slave gets (drivers/tty/tty_io.c {@code tty_std_termios},
 * drivers/tty/pty.c). The flag words are unsigned 32-bit; Java ints hold them unchanged.
 */
public final class Termbits {
    private Termbits() {}

    /** sizeof(struct termios): four tcflag_t, c_line, and NCCS control characters. */
    public static final int TERMIOS_SIZE = 36;
    /** Offsets of struct termios' fields. */
    public static final int OFF_IFLAG = 0, OFF_OFLAG = 4, OFF_CFLAG = 8, OFF_LFLAG = 12, OFF_LINE = 16, OFF_CC = 17;
    public static final int NCCS = 19;

    // c_cc indices
    public static final int VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSWTC = 7,
            VSTART = 8, VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14, VLNEXT = 15,
            VEOL2 = 16;
    /** A control character set to this is disabled (include/uapi/linux/posix_types.h: _POSIX_VDISABLE). */
    public static final byte POSIX_VDISABLE = 0;

    // c_iflag
    public static final int IGNBRK = 0x001, BRKINT = 0x002, IGNPAR = 0x004, PARMRK = 0x008, INPCK = 0x010,
            ISTRIP = 0x020, INLCR = 0x040, IGNCR = 0x080, ICRNL = 0x100, IUCLC = 0x200, IXON = 0x400,
            IXANY = 0x800, IXOFF = 0x1000, IMAXBEL = 0x2000, IUTF8 = 0x4000;

    // c_oflag
    public static final int OPOST = 0x01, OLCUC = 0x02, ONLCR = 0x04, OCRNL = 0x08, ONOCR = 0x10, ONLRET = 0x20,
            OFILL = 0x40, OFDEL = 0x80;

    // c_cflag
    public static final int CBAUD = 0x100f, B38400 = 0x000f, CSIZE = 0x030, CS8 = 0x030, CSTOPB = 0x040,
            CREAD = 0x080, PARENB = 0x100, PARODD = 0x200, HUPCL = 0x400, CLOCAL = 0x800;

    // c_lflag
    public static final int ISIG = 0x001, ICANON = 0x002, XCASE = 0x004, ECHO = 0x008, ECHOE = 0x010,
            ECHOK = 0x020, ECHONL = 0x040, NOFLSH = 0x080, TOSTOP = 0x100, ECHOCTL = 0x200, ECHOPRT = 0x400,
            ECHOKE = 0x800, FLUSHO = 0x1000, PENDIN = 0x4000, IEXTEN = 0x8000, EXTPROC = 0x10000;

    // tcflush(3) queue selectors (TCFLSH's argument)
    public static final int TCIFLUSH = 0, TCOFLUSH = 1, TCIOFLUSH = 2;
    // tcflow(3) actions (TCXONC's argument)
    public static final int TCOOFF = 0, TCOON = 1, TCIOFF = 2, TCION = 3;

    /** tty_std_termios' input flags: ICRNL | IXON. */
    public static final int DEFAULT_IFLAG = ICRNL | IXON;
    /** tty_std_termios' output flags: OPOST | ONLCR. */
    public static final int DEFAULT_OFLAG = OPOST | ONLCR;
    /** A pty slave's control flags (pty.c drops tty_std_termios' HUPCL): B38400 | CS8 | CREAD. */
    public static final int DEFAULT_PTS_CFLAG = B38400 | CS8 | CREAD;
    /** tty_std_termios' local flags. */
    public static final int DEFAULT_LFLAG = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;

    /** include/linux/tty.h INIT_C_CC: ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, -, ^Q ^S ^Z, -, ^R ^O ^W ^V, -. */
    public static byte[] defaultControlChars() {
        return new byte[] {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0};
    }

    /** sizeof(struct winsize): ws_row, ws_col, ws_xpixel, ws_ypixel, each unsigned short. */
    public static final int WINSIZE_SIZE = 8;
}
