/*
 * Synchronous faults and signal frames: the signals a CPU exception raises (SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGTRAP) with their si_code and si_addr, a SIGSEGV handler that repairs the
 * mapping and returns so the faulting instruction runs again, and proof that delivering a
 * handler and returning through rt_sigreturn preserves the interrupted registers, SSE included.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static sigjmp_buf recover;
static volatile int caught_signo, caught_code;
static void *volatile caught_addr;

static void escape_handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    caught_signo = sig;  /* cleared by arm() before each fault */
    caught_code = si->si_code;
    caught_addr = si->si_addr;
    siglongjmp(recover, 1);
}

static void on(int sig, void (*fn)(int, siginfo_t *, void *)) {
    struct sigaction sa = {0};
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(sig, &sa, NULL) == 0);
}

static const char *code_name(int sig, int code) {
    switch (sig) {
    case SIGSEGV: return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
    case SIGBUS: return code == BUS_ADRERR ? "BUS_ADRERR" : code == BUS_ADRALN ? "BUS_ADRALN" : code == BUS_OBJERR ? "BUS_OBJERR" : "other";
    case SIGFPE: return code == FPE_INTDIV ? "FPE_INTDIV" : "other";
    case SIGILL: return code == ILL_ILLOPN ? "ILL_ILLOPN" : "other";
    case SIGTRAP: return code == SI_KERNEL ? "SI_KERNEL" : code == TRAP_BRKPT ? "TRAP_BRKPT" : "other";
    }
    return "other";
}

static void report(const char *what, void *expected_addr) {
    if (caught_signo == 0) {
        printf("%s: no signal\n", what);
        return;
    }
    printf("%s: %s %s, si_addr %s\n", what, sigabbrev_np(caught_signo), code_name(caught_signo, caught_code),
           expected_addr == NULL ? "not checked" : caught_addr == expected_addr ? "exact" : "wrong");
}

/* Volatile, so the compiler cannot see the division by zero coming and fold it away. */
static volatile int zero, one = 1;

static void arm(void) { caught_signo = 0; }

static void hardware_faults(void) {
    SECTION("hardware faults");
    long page = sysconf(_SC_PAGESIZE);
    on(SIGSEGV, escape_handler);
    on(SIGBUS, escape_handler);
    on(SIGFPE, escape_handler);
    on(SIGILL, escape_handler);
    on(SIGTRAP, escape_handler);

    arm();
    if (sigsetjmp(recover, 1) == 0) *(volatile int *)BAD_POINTER = 1;
    report("write to an unmapped address", BAD_POINTER);

    /* A shared file mapping one page past the end of a one-page file: touching it is SIGBUS. */
    volatile int fd = open(".", O_TMPFILE | O_RDWR, 0600);
    if (fd < 0) {
        fd = open("bus-file", O_CREAT | O_RDWR | O_TRUNC, 0600);
        unlink("bus-file");
    }
    REQUIRE(fd >= 0);
    REQUIRE(ftruncate(fd, page) == 0);
    volatile char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    REQUIRE(m != MAP_FAILED);
    m[0] = 'x';
    arm();
    if (sigsetjmp(recover, 1) == 0) (void)m[page];
    report("read past the end of a mapped file", (void *)(m + page));
    munmap((void *)m, 2 * page);
    close(fd);

    arm();
    if (sigsetjmp(recover, 1) == 0) {
        volatile int r = one / zero;
        (void)r;
    }
    report("integer division by zero", NULL);

    arm();
    if (sigsetjmp(recover, 1) == 0) __asm__ volatile("ud2");
    report("ud2", NULL);

    arm();
    if (sigsetjmp(recover, 1) == 0) __asm__ volatile("int3");
    report("int3", NULL);
}

/* The handler makes the page writable and returns: the faulting store must then complete. */
static char *repair_page;
static long repair_len;
static volatile int repairs;

static void repair_handler(int sig, siginfo_t *si, void *uc) {
    (void)sig;
    (void)uc;
    repairs++;
    if (si->si_addr == repair_page && repairs == 1) mprotect(repair_page, repair_len, PROT_READ | PROT_WRITE);
}

static void fault_and_retry(void) {
    SECTION("handler repairs the fault and returns");
    repair_len = sysconf(_SC_PAGESIZE);
    repair_page = mmap(NULL, repair_len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(repair_page != MAP_FAILED);
    on(SIGSEGV, repair_handler);
    *(volatile char *)repair_page = 'R';
    printf("store completed after repair: %s, handler ran %d time(s)\n", repair_page[0] == 'R' ? "yes" : "no", repairs);
    munmap(repair_page, repair_len);
}

static void usr1_clobber(int sig) {
    (void)sig;
    /* Scribble over every register the interrupted code might hold a value in. */
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\t"
                     "pcmpeqd %%xmm7, %%xmm7\n\t"
                     "pcmpeqd %%xmm15, %%xmm15\n\t"
                     "mov $-1, %%rbx\n\t"
                     "mov $-1, %%r12\n\t"
                     "mov $-1, %%r13\n\t"
                     "mov $-1, %%r14\n\t"
                     "mov $-1, %%r15\n\t"
                     ::: "xmm0", "xmm7", "xmm15", "rbx", "r12", "r13", "r14", "r15");
}

/*
 * Loads known values into general and SSE registers, sends itself SIGUSR1 with a raw syscall
 * instruction (a handler runs before the syscall returns to user space), and reads the
 * registers back. The kernel may change only rax (the result), rcx and r11.
 */
static void registers_survive_a_handler(void) {
    SECTION("signal frame preserves registers");
    struct sigaction sa = {0};
    sa.sa_handler = usr1_clobber;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);
    uint64_t gp_in[5] = {0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444,
                         0x5555555555555555};
    uint64_t gp_out[5] = {0};
    double sse_in[3] = {1.5, -2.25, 1e300}, sse_out[3] = {0};
    long result;
    long pid = getpid();
    __asm__ volatile("movsd 0(%[si]), %%xmm0\n\t"
                     "movsd 8(%[si]), %%xmm7\n\t"
                     "movsd 16(%[si]), %%xmm15\n\t"
                     "mov 0(%[gi]), %%rbx\n\t"
                     "mov 8(%[gi]), %%r12\n\t"
                     "mov 16(%[gi]), %%r13\n\t"
                     "mov 24(%[gi]), %%r14\n\t"
                     "mov 32(%[gi]), %%r15\n\t"
                     "mov %[nr], %%eax\n\t"
                     "mov %[pid], %%rdi\n\t"
                     "mov %[sig], %%esi\n\t"
                     "syscall\n\t"
                     "mov %%rax, %[result]\n\t"
                     "movsd %%xmm0, 0(%[so])\n\t"
                     "movsd %%xmm7, 8(%[so])\n\t"
                     "movsd %%xmm15, 16(%[so])\n\t"
                     "mov %%rbx, 0(%[go])\n\t"
                     "mov %%r12, 8(%[go])\n\t"
                     "mov %%r13, 16(%[go])\n\t"
                     "mov %%r14, 24(%[go])\n\t"
                     "mov %%r15, 32(%[go])\n\t"
                     : [result] "=m"(result)
                     : [si] "r"(sse_in), [gi] "r"(gp_in), [so] "r"(sse_out), [go] "r"(gp_out), [nr] "i"(SYS_kill),
                       [pid] "r"(pid), [sig] "i"(SIGUSR1)
                     : "rax", "rdi", "rsi", "rcx", "r11", "rbx", "r12", "r13", "r14", "r15", "xmm0", "xmm7", "xmm15",
                       "memory");
    VALUE("kill returned", result);
    FACT("rbx, r12-r15 preserved", memcmp(gp_in, gp_out, sizeof gp_in) == 0);
    FACT("xmm0, xmm7, xmm15 preserved", memcmp(sse_in, sse_out, sizeof sse_in) == 0);
}

int main(void) {
    enter_scratch_dir();
    hardware_faults();
    fault_and_retry();
    registers_survive_a_handler();
    leave_scratch_dir();
    return 0;
}
