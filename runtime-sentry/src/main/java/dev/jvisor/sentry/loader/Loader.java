package dev.jvisor.sentry.loader;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.sentry.fs.dev.DevFs;
import dev.jvisor.sentry.host.HostAuxv;
import dev.jvisor.sentry.kernel.Credentials;
import dev.jvisor.sentry.kernel.ExecCredentials;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.mm.AddressSpace;
import dev.jvisor.sentry.mm.SharedMemory;
import dev.jvisor.sentry.platform.ptrace.Layout;
import dev.jvisor.sentry.platform.ptrace.PtraceContext;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Loads a program into a fresh address space and builds its initial stack. */
public final class Loader {
    private Loader() {}

    /** Where ET_DYN executables are placed (like Linux's ELF_ET_DYN_BASE without randomisation). */
    static final long PIE_BASE = 0x5555_5555_4000L;
    static final long STACK_TOP = 0x7fff_fffd_e000L;
    private static final int MAX_SCRIPT_DEPTH = 4;
    private static final int MAX_ARG_STRLEN = 131072;
    private static final long MAX_ARGS_BYTES = 2L << 20;

    // auxv tags, include/uapi/linux/auxvec.h and arch/x86/include/uapi/asm/auxvec.h
    private static final int AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
            AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15,
            AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31,
            AT_SYSINFO_EHDR = 33, AT_MINSIGSTKSZ = 51;

    /** The loaded image, ready for {@link Task#commitExec}. */
    public record Image(AddressSpace as, long entry, long sp, String path, List<String> argv, List<String> envp) {}

    /** Loads {@code path} as execve(2) would, resolving it from the task's root and working directory. */
    public static Image load(Task t, String path, List<String> argv, List<String> envp) {
        long total = 0;
        for (String s : argv) total += s.length() + 1;
        for (String s : envp) total += s.length() + 1;
        if (total > MAX_ARGS_BYTES) throw Errno.E2BIG.exception();
        return load(t, path, new ArrayList<>(argv), envp, 0);
    }

    private static Image load(Task t, String path, List<String> argv, List<String> envp, int depth) {
        try (ProgramFile program = ProgramFile.open(t, path)) {
            byte[] head = program.head;
            if (head.length >= 2 && head[0] == '#' && head[1] == '!') {
                if (depth >= MAX_SCRIPT_DEPTH) throw Errno.ELOOP.exception();
                int end = 2;
                while (end < head.length && end < 258 && head[end] != '\n') end++;
                String line = new String(head, 2, end - 2, StandardCharsets.UTF_8).strip();
                if (line.isEmpty()) throw Errno.ENOEXEC.exception();
                int sp = indexOfSpace(line);
                String interp = sp < 0 ? line : line.substring(0, sp);
                String arg = sp < 0 ? null : line.substring(sp).strip();
                List<String> next = new ArrayList<>();
                next.add(interp);
                if (arg != null && !arg.isEmpty()) next.add(arg);
                next.add(path);
                if (argv.size() > 1) next.addAll(argv.subList(1, argv.size()));
                return load(t, interp, next, envp, depth + 1);
            }
            return loadElf(t, program, path, argv, envp);
        }
    }

    private static Image loadElf(Task t, ProgramFile program, String path, List<String> argv, List<String> envp) {
        Elf elf = Elf.parse(program.prefix(Elf.headersEnd(program.head)), program.size);
        AddressSpace as = PtraceContext.newAddressSpace();
        try {
            long bias = elf.type() == Elf.ET_DYN ? PIE_BASE - elf.span()[0] : 0;
            long brk = mapSegments(as, elf, program, bias, path);
            as.initBrk(brk);
            long entry = elf.entry() + bias;
            long interpBase = 0;
            Elf.Phdr interpHeader = elf.interpreter(program.size);
            if (interpHeader != null) {
                byte[] name = program.read(interpHeader.offset(), (int) interpHeader.filesz() - 1);
                String interpPath = new String(name, StandardCharsets.UTF_8);
                try (ProgramFile interp = ProgramFile.open(t, interpPath)) {
                    Elf ie = Elf.parse(interp.prefix(Elf.headersEnd(interp.head)), interp.size);
                    if (ie.type() != Elf.ET_DYN) throw Errno.ELIBBAD.exception();
                    long[] span = ie.span();
                    long base = as.mapAnonymous(0, span[1] - span[0], AddressSpace.PROT_NONE, false, false, "");
                    long ibias = base - span[0];
                    mapSegments(as, ie, interp, ibias, interpPath);
                    interpBase = base;
                    entry = ie.entry() + ibias;
                }
            }
            long phdr = phdrAddress(elf, bias);
            long stackSize = Math.min(Math.max(t.group().rlimits().soft(3), 128 * 1024), 256L << 20);
            if (t.group().rlimits().soft(3) < 0) stackSize = 8L << 20;
            stackSize = AddressSpace.pageUp(stackSize);
            as.mapAnonymous(STACK_TOP - stackSize, stackSize, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE, false, true, "[stack]");
            // The auxiliary vector describes the credentials the program runs with, after exec's transition.
            Credentials next = ExecCredentials.after(t, path);
            long sp = buildStack(as, next, Credentials.secureExec(t.creds(), next), argv, envp, path, new long[][] {
                    {AT_PHDR, phdr}, {AT_PHENT, 56}, {AT_PHNUM, elf.phnum()}, {AT_PAGESZ, 4096}, {AT_BASE, interpBase},
                    {AT_FLAGS, 0}, {AT_ENTRY, elf.entry() + bias}});
            return new Image(as, entry, sp, path, argv, envp);
        } catch (RuntimeException e) {
            as.clear();
            throw e;
        }
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == ' ' || s.charAt(i) == '\t') return i;
        return -1;
    }

    /**
     * Maps the PT_LOAD segments; returns the end of the highest (brk start). A read-only segment
     * of a file whose pages are in memory is mapped copy-on-write onto them; the others get fresh
     * memory and a copy of their file bytes.
     */
    private static long mapSegments(AddressSpace as, Elf elf, ProgramFile file, long bias, String name) {
        SharedMemory pages = file.pages();
        long mappedEnd = 0;
        int lastProt = 0;
        long brk = 0;
        for (Elf.Phdr p : elf.phdrs()) {
            if (p.type() != Elf.PT_LOAD || p.memsz() == 0) continue;
            int prot = ((p.flags() & Elf.PF_R) != 0 ? AddressSpace.PROT_READ : 0)
                    | ((p.flags() & Elf.PF_W) != 0 ? AddressSpace.PROT_WRITE : 0)
                    | ((p.flags() & Elf.PF_X) != 0 ? AddressSpace.PROT_EXEC : 0);
            long segStart = AddressSpace.pageDown(p.vaddr() + bias);
            long start = segStart;
            long end = AddressSpace.pageUp(p.vaddr() + bias + p.memsz());
            if (start < mappedEnd) {
                // Shares a page with the previous segment: that page gets both protections.
                long overlapEnd = Math.min(end, mappedEnd);
                as.protect(start, overlapEnd - start, lastProt | prot);
                start = overlapEnd;
            }
            boolean share = pages != null && (prot & AddressSpace.PROT_WRITE) == 0 && p.memsz() == p.filesz()
                    && ((p.vaddr() - p.offset()) & (AddressSpace.PAGE - 1)) == 0;
            if (end > start) {
                if (share) {
                    long fileOffset = AddressSpace.pageDown(p.offset()) + (start - segStart);
                    as.mapFilePrivate(start, end - start, prot, pages, fileOffset, true, name);
                } else {
                    as.mapAnonymous(start, end - start, prot, false, true, name);
                }
            }
            // Mapped segments need their bytes copied only into a page they share with the previous one.
            long from = p.vaddr() + bias;
            long copyEnd = share ? Math.min(start, from + p.filesz()) : from + p.filesz();
            if (copyEnd > from) file.copyTo(as, from, p.offset(), copyEnd - from);
            mappedEnd = Math.max(mappedEnd, end);
            lastProt = prot;
            brk = Math.max(brk, p.vaddr() + bias + p.memsz());
        }
        return brk;
    }

    private static long phdrAddress(Elf elf, long bias) {
        for (Elf.Phdr p : elf.phdrs()) if (p.type() == Elf.PT_PHDR) return p.vaddr() + bias;
        for (Elf.Phdr p : elf.phdrs()) {
            if (p.type() == Elf.PT_LOAD && elf.phoff() >= p.offset() && elf.phoff() < p.offset() + p.filesz()) {
                return p.vaddr() + bias + (elf.phoff() - p.offset());
            }
        }
        return 0;
    }

    private static long buildStack(AddressSpace as, Credentials c, boolean secure, List<String> argv, List<String> envp,
                                   String execfn, long[][] auxFirst) {
        long sp = STACK_TOP;
        // Strings at the top: execfn, then the argv and envp strings.
        sp = push(as, sp, (execfn + "\0").getBytes(StandardCharsets.UTF_8));
        long execfnAddr = sp;
        long[] envAddrs = new long[envp.size()];
        for (int i = envp.size() - 1; i >= 0; i--) {
            sp = push(as, sp, (envp.get(i) + "\0").getBytes(StandardCharsets.UTF_8));
            envAddrs[i] = sp;
        }
        long[] argAddrs = new long[argv.size()];
        for (int i = argv.size() - 1; i >= 0; i--) {
            String a = argv.get(i);
            if (a.length() > MAX_ARG_STRLEN) throw Errno.E2BIG.exception();
            sp = push(as, sp, (a + "\0").getBytes(StandardCharsets.UTF_8));
            argAddrs[i] = sp;
        }
        sp = push(as, sp, "x86_64\0".getBytes(StandardCharsets.UTF_8));
        long platform = sp;
        byte[] random = new byte[16];
        DevFs.random(random, 0, 16);
        sp = push(as, sp & -16L, random);
        long randomAddr = sp;

        List<long[]> aux = new ArrayList<>(List.of(auxFirst));
        // As Linux, the vDSO comes first (ARCH_DLINFO); libc reads the clock through it.
        if (Layout.vdsoAddress() != 0) aux.add(0, new long[] {AT_SYSINFO_EHDR, Layout.vdsoAddress()});
        aux.add(new long[] {AT_UID, c.uid()});
        aux.add(new long[] {AT_EUID, c.euid()});
        aux.add(new long[] {AT_GID, c.gid()});
        aux.add(new long[] {AT_EGID, c.egid()});
        aux.add(new long[] {AT_SECURE, secure ? 1 : 0});
        aux.add(new long[] {AT_RANDOM, randomAddr});
        // The host CPU's, as the kernel gives every process (0 if unknown: libc then probes the CPU).
        aux.add(new long[] {AT_HWCAP, HostAuxv.value(AT_HWCAP)});
        aux.add(new long[] {AT_HWCAP2, HostAuxv.value(AT_HWCAP2)});
        aux.add(new long[] {AT_CLKTCK, 100});
        aux.add(new long[] {AT_PLATFORM, platform});
        aux.add(new long[] {AT_EXECFN, execfnAddr});
        if (HostAuxv.value(AT_MINSIGSTKSZ) != 0) aux.add(new long[] {AT_MINSIGSTKSZ, HostAuxv.value(AT_MINSIGSTKSZ)});
        aux.add(new long[] {AT_NULL, 0});

        int words = 1 + argv.size() + 1 + envp.size() + 1 + aux.size() * 2;
        sp = (sp - words * 8L) & -16L;
        ByteBuffer b = ByteBuffer.allocate(words * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(argv.size());
        for (long a : argAddrs) b.putLong(a);
        b.putLong(0);
        for (long e : envAddrs) b.putLong(e);
        b.putLong(0);
        for (long[] kv : aux) b.putLong(kv[0]).putLong(kv[1]);
        as.writeForce(sp, b.array(), 0, b.capacity());
        return sp;
    }

    private static long push(AddressSpace as, long sp, byte[] data) {
        long at = sp - data.length;
        as.writeForce(at, data, 0, data.length);
        return at;
    }
}
