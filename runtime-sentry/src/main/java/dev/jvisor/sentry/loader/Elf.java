package dev.jvisor.sentry.loader;

import dev.jvisor.abi.linux.Errno;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A parsed ELF64 x86-64 header and program headers (include/uapi/linux/elf.h). Rejects anything else with ENOEXEC. */
record Elf(int type, long entry, long phoff, int phnum, List<Phdr> phdrs) {
    static final int ET_EXEC = 2, ET_DYN = 3;
    static final int PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6, PT_GNU_STACK = 0x6474e551;
    static final int PF_X = 1, PF_W = 2, PF_R = 4;

    record Phdr(int type, int flags, long offset, long vaddr, long filesz, long memsz, long align) {}

    static boolean isElf(byte[] head) {
        return head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    }

    /** Bytes of the file {@link #parse} needs: the ELF header and the program headers it names. */
    static long headersEnd(byte[] head) {
        if (head.length < 64 || !isElf(head)) throw Errno.ENOEXEC.exception();
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phnum = b.getShort(56) & 0xffff;
        if (phoff < 0 || phoff > (1L << 20) || phnum > 1024) throw Errno.ENOEXEC.exception();
        return phoff + phnum * 56L;
    }

    /**
     * Parses the headers in {@code file}, the start of a file of {@code fileSize} bytes that
     * holds at least {@link #headersEnd} of them; segments must lie within the file.
     */
    static Elf parse(byte[] file, long fileSize) {
        if (file.length < 64 || !isElf(file)) throw Errno.ENOEXEC.exception();
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file[4] != 2 || file[5] != 1) throw Errno.ENOEXEC.exception(); // ELFCLASS64, ELFDATA2LSB
        int type = b.getShort(16) & 0xffff;
        int machine = b.getShort(18) & 0xffff;
        if (machine != 62 || (type != ET_EXEC && type != ET_DYN)) throw Errno.ENOEXEC.exception();
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xffff;
        int phnum = b.getShort(56) & 0xffff;
        if (phentsize != 56 || phnum == 0 || phnum > 1024 || phoff < 0 || phoff + (long) phnum * 56 > file.length) {
            throw Errno.ENOEXEC.exception();
        }
        List<Phdr> ph = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int o = (int) (phoff + i * 56L);
            Phdr p = new Phdr(b.getInt(o), b.getInt(o + 4), b.getLong(o + 8), b.getLong(o + 16), b.getLong(o + 32),
                    b.getLong(o + 40), b.getLong(o + 48));
            if (p.type() == PT_LOAD) {
                if (p.filesz() < 0 || p.memsz() < p.filesz() || p.offset() < 0 || p.offset() + p.filesz() > fileSize
                        || p.vaddr() < 0 || p.vaddr() + p.memsz() < p.vaddr()) {
                    throw Errno.ENOEXEC.exception();
                }
            }
            ph.add(p);
        }
        return new Elf(type, entry, phoff, phnum, ph);
    }

    /** The PT_INTERP header, or null for a program that needs no interpreter. */
    Phdr interpreter(long fileSize) {
        for (Phdr p : phdrs) {
            if (p.type() == PT_INTERP) {
                if (p.filesz() <= 1 || p.filesz() > 4096 || p.offset() < 0 || p.offset() + p.filesz() > fileSize) {
                    throw Errno.ENOEXEC.exception();
                }
                return p;
            }
        }
        return null;
    }

    /** The lowest and highest+1 addresses the PT_LOAD segments span (before relocation). */
    long[] span() {
        long lo = Long.MAX_VALUE, hi = 0;
        for (Phdr p : phdrs) {
            if (p.type() != PT_LOAD) continue;
            lo = Math.min(lo, p.vaddr() & -4096L);
            hi = Math.max(hi, p.vaddr() + p.memsz());
        }
        if (lo == Long.MAX_VALUE) throw Errno.ENOEXEC.exception();
        return new long[] {lo, (hi + 4095) & -4096L};
    }
}
