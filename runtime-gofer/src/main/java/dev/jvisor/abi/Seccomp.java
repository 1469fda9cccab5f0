package dev.jvisor.abi;

/**
 * seccomp(2) and its classic BPF filters: include/uapi/linux/seccomp.h, include/uapi/linux/filter.h,
 * include/uapi/linux/bpf_common.h and include/uapi/linux/audit.h. Here, below both runtime
 * modules, because the Gofer and the Sentry assemble their filters with the same
 * {@link dev.jvisor.seccomp.SeccompAssembler}.
 */
public final class Seccomp {
    private Seccomp() {}

    /** seccomp(2) operation and flag. */
    public static final int SECCOMP_SET_MODE_FILTER = 1, SECCOMP_FILTER_FLAG_TSYNC = 1;
    /** prctl(2) options, include/uapi/linux/prctl.h. */
    public static final int PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39, PR_GET_SECCOMP = 21;

    /** Filter results (SECCOMP_RET_*); the low 16 bits of ERRNO carry the errno. */
    public static final int RET_KILL_PROCESS = 0x80000000, RET_ERRNO = 0x00050000, RET_ALLOW = 0x7fff0000;
    /** SECCOMP_RET_DATA: the part of a result that carries the errno. */
    public static final int RET_DATA = 0x0000ffff;

    /** Offsets in struct seccomp_data: nr, arch, then instruction_pointer, then args[6]. */
    public static final int DATA_NR = 0, DATA_ARCH = 4, DATA_INSTRUCTION_POINTER = 8, DATA_ARGS = 16;
    /** sizeof(struct seccomp_data). */
    public static final int DATA_SIZE = 64;

    /** AUDIT_ARCH_X86_64: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE. */
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    /** AUDIT_ARCH_I386: EM_386 | __AUDIT_ARCH_LE, what a 32-bit (int 0x80) call reports. */
    public static final int AUDIT_ARCH_I386 = 0x40000003;
    /** __X32_SYSCALL_BIT, arch/x86/include/uapi/asm/unistd.h. */
    public static final int X32_SYSCALL_BIT = 0x40000000;

    /** Classic BPF opcodes: BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, …|BPF_JGE|…, …|BPF_JSET|…, BPF_RET|BPF_K. */
    public static final int BPF_LD_W_ABS = 0x20, BPF_JEQ_K = 0x15, BPF_JGE_K = 0x35, BPF_JSET_K = 0x45, BPF_RET_K = 0x06;
    /** BPF_MAXINSNS: the longest filter the kernel accepts. */
    public static final int BPF_MAXINSNS = 4096;
    /** sizeof(struct sock_filter): code[2] jt[1] jf[1] k[4]. */
    public static final int SOCK_FILTER_SIZE = 8;
}
