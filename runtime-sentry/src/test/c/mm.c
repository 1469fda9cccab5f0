/*
 * Memory management: mmap/munmap/mprotect/mremap/brk/madvise/mincore and their edge cases,
 * MAP_FIXED, MAP_SHARED anonymous memory across fork, SIGSEGV on a PROT_NONE page caught by a
 * handler that siglongjmps out, and EFAULT from a system call given an unmapped buffer.
 */
#include "behaviour.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long page;
static sigjmp_buf recover;
static volatile int fault_code;
static void *volatile fault_addr;

static volatile sig_atomic_t armed;

/* Recovers only from faults that probe() expects; any other fault kills the program as usual. */
static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    if (!armed) {
        signal(sig, SIG_DFL);
        return;
    }
    armed = 0;
    fault_code = si->si_code;
    fault_addr = si->si_addr;
    siglongjmp(recover, 1);
}

/* Returns "ok", or the signal that touching p raised and whether si_addr pointed at p. */
static const char *probe(volatile char *p, int write) {
    static char verdict[64];
    if (sigsetjmp(recover, 1) == 0) {
        armed = 1;
        if (write) *p = 1;
        else (void)*p;
        armed = 0;
        return "ok";
    }
    snprintf(verdict, sizeof verdict, "SIGSEGV %s, si_addr %s", fault_code == SEGV_ACCERR ? "SEGV_ACCERR" : fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
             fault_addr == (void *)p ? "exact" : "wrong");
    return verdict;
}

static void mapping(void) {
    SECTION("mmap and munmap");
    SHOW("mmap length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
    SHOW("mmap without PRIVATE or SHARED", mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
    SHOW("mmap unaligned offset", mmap(NULL, page, PROT_READ, MAP_PRIVATE, 0, 1) == MAP_FAILED ? -1 : 0);
    SHOW("mmap bad fd", mmap(NULL, page, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED ? -1 : 0);
    SHOW("mmap MAP_FIXED unaligned", mmap((void *)0x10001, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0);
    SHOW("munmap unaligned", munmap((void *)0x10001, page));
    SHOW("munmap length 0", munmap((void *)0x10000, 0));

    char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    FACT("anonymous memory is page aligned", ((uintptr_t)p & (page - 1)) == 0);
    FACT("anonymous memory starts zeroed", p[0] == 0 && p[4 * page - 1] == 0);
    memset(p, 'x', 4 * page);
    SHOW("munmap the second page", munmap(p + page, page));
    printf("touch unmapped hole: %s\n", probe(p + page, 0));
    printf("touch page after the hole: %s\n", probe(p + 2 * page, 0));
    SHOW("munmap the hole again", munmap(p + page, page));

    char *fixed = mmap(p + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    FACT("MAP_FIXED into the hole lands exactly there", fixed == p + page);
    FACT("  and is zeroed", fixed[0] == 0);
    char *over = mmap(p, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    FACT("MAP_FIXED over a mapping replaces it", over == p && p[0] == 0);
    void *nr = mmap(p, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE over a mapping: %s\n", nr == MAP_FAILED ? errno_name(errno) : "mapped");
    void *hint = mmap(p, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    FACT("a hint over a mapping is not taken", hint != MAP_FAILED && hint != p);
    munmap(hint, page);
    SHOW("munmap the whole range", munmap(p, 4 * page));
    printf("touch after munmap: %s\n", probe(p, 0));
}

static void protection(void) {
    SECTION("mprotect and SIGSEGV");
    char *p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    SHOW("mprotect middle page PROT_NONE", mprotect(p + page, page, PROT_NONE));
    printf("read PROT_NONE page: %s\n", probe(p + page + 8, 0));
    printf("write PROT_NONE page: %s\n", probe(p + page, 1));
    printf("write the page before: %s\n", probe(p, 1));
    SHOW("mprotect first page read-only", mprotect(p, page, PROT_READ));
    printf("read read-only page: %s\n", probe(p, 0));
    printf("write read-only page: %s\n", probe(p, 1));
    SHOW("mprotect unaligned", mprotect(p + 1, page, PROT_READ));
    SHOW("mprotect bad prot", mprotect(p, page, 0x100));
    char *gone = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, page);
    SHOW("mprotect unmapped range", mprotect(gone, page, PROT_READ));
    SHOW("mprotect restore", mprotect(p, 3 * page, PROT_READ | PROT_WRITE));
    printf("write after restore: %s\n", probe(p + page, 1));

    SECTION("EFAULT from system calls");
    int fd = open("/dev/zero", O_RDONLY);
    REQUIRE(fd >= 0);
    SHOW("read into PROT_NONE page", ({ mprotect(p + page, page, PROT_NONE); read(fd, p + page, 16); }));
    SHOW("read into read-only page", ({ mprotect(p, page, PROT_READ); read(fd, p, 16); }));
    SHOW("read into unmapped address", read(fd, BAD_POINTER, 16));
    close(fd);
    munmap(p, 3 * page);
}

static void remapping(void) {
    SECTION("mremap");
    char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    strcpy(p, "kept");
    char *q = mremap(p, 2 * page, page, 0);
    FACT("shrink in place", q == p);
    printf("page after shrink: %s\n", probe(p + page, 0));
    q = mremap(p, page, 8 * page, MREMAP_MAYMOVE);
    FACT("grow with MREMAP_MAYMOVE", q != MAP_FAILED);
    printf("contents after grow: %s, new tail zeroed: %s\n", q, q[8 * page - 1] == 0 ? "yes" : "no");
    SHOW("mremap bad flags", syscall(SYS_mremap, q, page, page, 0x80));
    SHOW("mremap unaligned", mremap(q + 1, page, page, 0) == MAP_FAILED ? -1 : 0);
    SHOW("mremap MREMAP_FIXED without MAYMOVE", mremap(q, page, page, MREMAP_FIXED, q + 4 * page) == MAP_FAILED ? -1 : 0);
    SHOW("mremap new length 0", mremap(q, page, 0, MREMAP_MAYMOVE) == MAP_FAILED ? -1 : 0);
    char *target = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *moved = mremap(q, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    FACT("MREMAP_FIXED moves to the target", moved == target);
    printf("moved contents: %s, old address now: %s\n", moved, probe(q, 0));
    munmap(moved, page);
    munmap(q + page, 7 * page);
}

static void program_break(void) {
    SECTION("brk");
    char *start = (char *)syscall(SYS_brk, 0);
    char *grown = (char *)syscall(SYS_brk, start + 3 * page + 5);
    FACT("brk grows by the request", grown == start + 3 * page + 5);
    FACT("new break memory is zeroed", start[3 * page] == 0);
    start[3 * page] = 'b';
    char *shrunk = (char *)syscall(SYS_brk, start + page);
    FACT("brk shrinks", shrunk == start + page);
    printf("touch above the shrunk break: %s\n", probe(start + 2 * page, 0));
    char *again = (char *)syscall(SYS_brk, start + 3 * page);
    FACT("regrown break memory is zeroed", again == start + 3 * page && start[2 * page] == 0);
    char *low = (char *)syscall(SYS_brk, (char *)4096);
    FACT("brk below the start is refused (break unchanged)", low == again);
    char *huge = (char *)syscall(SYS_brk, start + (1L << 46));
    FACT("absurd brk is refused (break unchanged)", huge == again);
    syscall(SYS_brk, start);
}

static void advice_and_residency(void) {
    SECTION("madvise and mincore");
    char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    p[0] = 'a';
    p[2 * page] = 'c';
    unsigned char vec[4] = {9, 9, 9, 9};
    SHOW("mincore", mincore(p, 4 * page, vec));
    printf("  touched pages resident: %s\n", (vec[0] & 1) && (vec[2] & 1) ? "yes" : "no");
    SHOW("mincore unaligned", mincore(p + 1, page, vec));
    SHOW("mincore unmapped", mincore((void *)((uintptr_t)p + (1L << 40)), page, vec));
    SHOW("mincore bad vector", mincore(p, page, BAD_POINTER));
    SHOW("madvise MADV_DONTNEED", madvise(p, 4 * page, MADV_DONTNEED));
    FACT("private anonymous memory reads zero after MADV_DONTNEED", p[0] == 0 && p[2 * page] == 0);
    SHOW("madvise MADV_WILLNEED", madvise(p, page, MADV_WILLNEED));
    SHOW("madvise MADV_NORMAL", madvise(p, page, MADV_NORMAL));
    SHOW("madvise bad advice", madvise(p, page, 12345));
    SHOW("madvise unaligned", madvise(p + 1, page, MADV_NORMAL));
    munmap(p, 4 * page);
    SHOW("madvise unmapped", madvise(p, page, MADV_NORMAL));
}

static void shared_across_fork(void) {
    SECTION("MAP_SHARED and MAP_PRIVATE across fork");
    volatile int *shared = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile int *private = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(shared != MAP_FAILED && private != MAP_FAILED);
    *shared = 1;
    *private = 1;
    pid_t c = fork_flushed();
    if (c == 0) {
        int saw = *shared == 1 && *private == 1;
        *shared = 42;
        *private = 42;
        _exit(saw ? 0 : 1);
    }
    int status;
    REQUIRE(waitpid(c, &status, 0) == c);
    FACT("child saw the parent's values", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    VALUE("shared value after the child wrote 42", *shared);
    VALUE("private value after the child wrote 42", *private);
}

int main(void) {
    page = sysconf(_SC_PAGESIZE);
    VALUE("page size", page);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGSEGV, &sa, NULL) == 0);
    mapping();
    protection();
    remapping();
    program_break();
    advice_and_residency();
    shared_across_fork();
    return 0;
}
