package dev.jvisor.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a POSIX tar stream (ustar headers, a pax extended header for names or link targets that
 * do not fit) with exactly the metadata given: no clock, user name or host attribute leaks in,
 * so equal entries give equal bytes. The caller orders the entries.
 */
final class TarWriter implements AutoCloseable {
    private static final int BLOCK = 512;
    private static final long MAX_SIZE = 077777777777L; // 11 octal digits in the ustar size field
    private final OutputStream out;
    private final byte[] copyBuffer = new byte[1 << 16];

    TarWriter(OutputStream out) {
        this.out = out;
    }

    void directory(String name, int mode, int uid, int gid) throws IOException {
        header(name.endsWith("/") ? name : name + "/", mode, uid, gid, 0, '5', "");
    }

    void symlink(String name, String target, int uid, int gid) throws IOException {
        header(name, 0777, uid, gid, 0, '2', target);
    }

    void file(String name, int mode, int uid, int gid, byte[] content) throws IOException {
        header(name, mode, uid, gid, content.length, '0', "");
        out.write(content);
        pad(content.length);
    }

    void file(String name, int mode, int uid, int gid, Path source) throws IOException {
        long size = Files.size(source);
        header(name, mode, uid, gid, size, '0', "");
        long copied = 0;
        try (InputStream in = Files.newInputStream(source)) {
            for (int n; (n = in.read(copyBuffer)) > 0; copied += n) out.write(copyBuffer, 0, n);
        }
        // A file that changed size while being archived would corrupt every entry after it.
        if (copied != size) throw new ImageBuildException(source + " changed while it was archived");
        pad(size);
    }

    /** The end-of-archive marker (two zero blocks); the underlying stream stays open. */
    @Override
    public void close() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    private void header(String name, int mode, int uid, int gid, long size, char type, String link) throws IOException {
        if (size > MAX_SIZE) throw new ImageBuildException(name + " is too large for a tar entry");
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
        boolean longName = nameBytes.length > 100;
        boolean longLink = linkBytes.length > 100;
        if (longName || longLink) {
            StringBuilder pax = new StringBuilder();
            if (longName) pax.append(paxRecord("path", name));
            if (longLink) pax.append(paxRecord("linkpath", link));
            byte[] records = pax.toString().getBytes(StandardCharsets.UTF_8);
            writeHeader(truncate("PaxHeaders/" + name, 100), 0644, 0, 0, records.length, 'x', new byte[0]);
            out.write(records);
            pad(records.length);
        }
        writeHeader(longName ? truncate(name, 100) : nameBytes, mode, uid, gid, size, type,
                longLink ? truncate(link, 100) : linkBytes);
    }

    private void writeHeader(byte[] name, int mode, int uid, int gid, long size, char type, byte[] link) throws IOException {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, name.length);
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0); // mtime: the epoch, for every entry
        h[156] = (byte) type;
        System.arraycopy(link, 0, h, 157, link.length);
        System.arraycopy("ustar\00000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        // The checksum is computed with its own field read as spaces.
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        out.write(h);
    }

    /** A pax record is "LEN key=value\n" where LEN counts the whole record, itself included. */
    private static String paxRecord(String key, String value) {
        int body = 1 + key.length() + 1 + value.getBytes(StandardCharsets.UTF_8).length + 1;
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) len++;
        return len + " " + key + "=" + value + "\n";
    }

    private static byte[] truncate(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) return b;
        byte[] t = new byte[max];
        System.arraycopy(b, 0, t, 0, max);
        return t;
    }

    /** Zero-padded octal digits ending in NUL, filling {@code len} bytes at {@code at}. */
    private static void octal(byte[] h, int at, int len, long value) {
        String digits = Long.toOctalString(value);
        if (digits.length() > len - 1) throw new ImageBuildException("tar header field overflows: " + value);
        String padded = "0".repeat(len - 1 - digits.length()) + digits;
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, h, at, len - 1);
        h[at + len - 1] = 0;
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) out.write(new byte[BLOCK - rest]);
    }
}
