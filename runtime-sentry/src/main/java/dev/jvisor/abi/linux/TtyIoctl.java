package dev.jvisor.abi.linux;

/** Terminal ioctl(2) request numbers, from include/uapi/asm-generic/ioctls.h (x86-64 uses these). */
public final class TtyIoctl {
    private TtyIoctl() {}

    public static final long TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404,
            TCSBRK = 0x5409, TCXONC = 0x540A, TCFLSH = 0x540B, TIOCEXCL = 0x540C, TIOCNXCL = 0x540D,
            TIOCSCTTY = 0x540E, TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410, TIOCOUTQ = 0x5411, TIOCSTI = 0x5412,
            TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, FIONREAD = 0x541B, TIOCPKT = 0x5420, TIOCNOTTY = 0x5422,
            TIOCSETD = 0x5423, TIOCGETD = 0x5424, TCSBRKP = 0x5425, TIOCGSID = 0x5429, TIOCVHANGUP = 0x5437;

    /** _IOR('T', 0x30, unsigned int): the pty number of a master. */
    public static final long TIOCGPTN = 0x80045430L;
    /** _IOW('T', 0x31, int): lock or unlock the slave of a master. */
    public static final long TIOCSPTLCK = 0x40045431L;
    /** _IOR('T', 0x39, int): whether the slave is locked. */
    public static final long TIOCGPTLCK = 0x80045439L;
    /** _IO('T', 0x41): open the peer (slave) of a master. */
    public static final long TIOCGPTPEER = 0x5441;
}
