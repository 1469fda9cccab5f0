package dev.jvisor.sentry.platform.ptrace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The stub program, assembled here byte by byte so jVisor ships no extra binary. At its fixed
 * load address it:
 * <ol>
 *   <li>calls ptrace(PTRACE_TRACEME) — its tracer becomes the OS thread that spawned it;</li>
 *   <li>sets no_new_privs and installs a seccomp filter that allows a syscall only when its
 *       instruction pointer is the injection site, and kills the process otherwise;</li>
 *   <li>stops with int3; from then on the Sentry drives it: application code runs under
 *       PTRACE_SYSEMU, and the Sentry injects the few host syscalls an address space needs
 *       (mmap of the memory file, munmap, mprotect) by pointing rip at the site:
 *       {@code syscall; int3; jmp site}.</li>
 * </ol>
 */
final class StubImage {
    private StubImage() {}

    /** Where the stub's single page is loaded; far from where applications or the Sentry map. */
    static final long BASE = 0x1000_0000_0000L;
    /**
     * A page of the memory file the Sentry maps right after the code when it first passes the
     * stub descriptors ({@link Stub#installFds}): the buffers its injected recvmsg needs.
     */
    static final long SCRATCH = BASE + 0x1000;
    /** The stub occupies [BASE, END): applications may not map there. */
    static final long END = BASE + 0x2000;
    /** Host fd of the application memory file inside the stub. */
    static final int MEMORY_FD = 3;
    /** Host fd through which the stub was exec'd; closed right after start. */
    static final int IMAGE_FD = 4;
    /** The stub's end of a datagram socket pair through which the Sentry passes it host fds. */
    static final int CHANNEL_FD = 5;

    private static final int CODE_OFFSET = 0x80;
    private static final byte[] IMAGE;
    /** Address of the injection site's {@code syscall} instruction. */
    static final long SYSCALL_SITE;

    static {
        ByteBuffer code = ByteBuffer.allocate(0x200).order(ByteOrder.LITTLE_ENDIAN);
        // ptrace(PTRACE_TRACEME, 0, 0, 0)
        code.put(bytes(0x31, 0xff));                         // xor edi, edi
        code.put(bytes(0x31, 0xf6));                         // xor esi, esi
        code.put(bytes(0x31, 0xd2));                         // xor edx, edx
        code.put(bytes(0x4d, 0x31, 0xd2));                   // xor r10, r10
        code.put(bytes(0xb8)).putInt(101);                   // mov eax, SYS_ptrace
        code.put(bytes(0x0f, 0x05));                         // syscall
        // prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        code.put(bytes(0xbf)).putInt(38);                    // mov edi, PR_SET_NO_NEW_PRIVS
        code.put(bytes(0xbe)).putInt(1);                     // mov esi, 1
        code.put(bytes(0x31, 0xd2));                         // xor edx, edx
        code.put(bytes(0x4d, 0x31, 0xd2));                   // xor r10, r10
        code.put(bytes(0x4d, 0x31, 0xc0));                   // xor r8, r8
        code.put(bytes(0xb8)).putInt(157);                   // mov eax, SYS_prctl
        code.put(bytes(0x0f, 0x05));                         // syscall
        // seccomp(SECCOMP_SET_MODE_FILTER, 0, &fprog)
        code.put(bytes(0xbf)).putInt(1);                     // mov edi, SECCOMP_SET_MODE_FILTER
        code.put(bytes(0x31, 0xf6));                         // xor esi, esi
        int fprogImm = code.position() + 2;
        code.put(bytes(0x48, 0xba)).putLong(0);              // movabs rdx, fprog (patched below)
        code.put(bytes(0xb8)).putInt(317);                   // mov eax, SYS_seccomp
        code.put(bytes(0x0f, 0x05));                         // syscall
        code.put(bytes(0xcc));                               // int3: stop for the tracer
        int site = code.position();
        code.put(bytes(0x0f, 0x05));                         // site: syscall
        code.put(bytes(0xcc));                               // int3
        code.put(bytes(0xeb, 0xfb));                         // jmp site
        SYSCALL_SITE = BASE + CODE_OFFSET + site;
        long siteReturn = SYSCALL_SITE + 2; // seccomp sees the ip after the syscall instruction

        // struct sock_filter[] (include/uapi/linux/filter.h) over struct seccomp_data
        // (include/uapi/linux/seccomp.h: nr@0, arch@4, instruction_pointer@8).
        int filterAt = align(code.position(), 8);
        code.position(filterAt);
        filter(code, 0x20, 0, 0, 4);                          // ld [arch]
        filter(code, 0x15, 0, 5, 0xc000003e);                 // jeq AUDIT_ARCH_X86_64, next, kill
        filter(code, 0x20, 0, 0, 8);                          // ld [ip low]
        filter(code, 0x15, 0, 3, (int) siteReturn);           // jeq site low, next, kill
        filter(code, 0x20, 0, 0, 12);                         // ld [ip high]
        filter(code, 0x15, 0, 1, (int) (siteReturn >>> 32));  // jeq site high, next, kill
        filter(code, 0x06, 0, 0, 0x7fff0000);                 // ret SECCOMP_RET_ALLOW
        filter(code, 0x06, 0, 0, 0x80000000);                 // ret SECCOMP_RET_KILL_PROCESS
        int fprogAt = code.position();
        code.putShort((short) 8).putShort((short) 0).putInt(0); // struct sock_fprog: len, padding
        code.putLong(BASE + CODE_OFFSET + filterAt);            // .filter
        code.putLong(fprogImm, BASE + CODE_OFFSET + fprogAt);
        int codeLength = code.position();

        ByteBuffer elf = ByteBuffer.allocate(CODE_OFFSET + codeLength).order(ByteOrder.LITTLE_ENDIAN);
        // Elf64_Ehdr (include/uapi/linux/elf.h)
        elf.put(bytes(0x7f, 'E', 'L', 'F', 2, 1, 1, 0)).putLong(0); // ELFCLASS64, LSB, EV_CURRENT
        elf.putShort((short) 2).putShort((short) 62).putInt(1);     // ET_EXEC, EM_X86_64, version
        elf.putLong(BASE + CODE_OFFSET).putLong(64).putLong(0);     // e_entry, e_phoff, e_shoff
        elf.putInt(0).putShort((short) 64).putShort((short) 56);    // flags, ehsize, phentsize
        elf.putShort((short) 1).putShort((short) 64).putShort((short) 0).putShort((short) 0);
        // Elf64_Phdr: PT_LOAD, R+X, the whole file at BASE
        elf.putInt(1).putInt(5).putLong(0).putLong(BASE).putLong(BASE);
        elf.putLong(CODE_OFFSET + codeLength).putLong(CODE_OFFSET + codeLength).putLong(0x1000);
        elf.position(CODE_OFFSET);
        elf.put(code.array(), 0, codeLength);
        IMAGE = elf.array();
    }

    static byte[] image() { return IMAGE.clone(); }

    private static int align(int v, int a) { return (v + a - 1) & -a; }

    private static void filter(ByteBuffer b, int code, int jt, int jf, int k) {
        b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }
}
