package dev.jvisor.sentry.fs.tty;

import dev.jvisor.abi.linux.Termbits;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@code struct winsize} (include/uapi/asm-generic/termios.h): each field an unsigned short. */
public record WindowSize(int rows, int cols, int xpixel, int ypixel) {
    public static final WindowSize NONE = new WindowSize(0, 0, 0, 0);

    public WindowSize {
        rows &= 0xffff;
        cols &= 0xffff;
        xpixel &= 0xffff;
        ypixel &= 0xffff;
    }

    public static WindowSize decode(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw, 0, Termbits.WINSIZE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        return new WindowSize(b.getShort(), b.getShort(), b.getShort(), b.getShort());
    }

    public byte[] encode() {
        return ByteBuffer.allocate(Termbits.WINSIZE_SIZE).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) rows).putShort((short) cols).putShort((short) xpixel).putShort((short) ypixel).array();
    }
}
