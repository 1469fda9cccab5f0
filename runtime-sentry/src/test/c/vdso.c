/*
 * The vDSO: where the auxiliary vector says it is, an ELF image that /proc/self/maps names, and
 * clocks read through it agreeing with the same clocks read by a real syscall — in both orders,
 * across fork and execve, and in a second thread — as programs that mix libc's clock_gettime
 * with timers and absolute deadlines rely on.
 */
#include "behaviour.h"

#include <elf.h>
#include <pthread.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long by_syscall(clockid_t c) {
    struct timespec t;
    syscall(SYS_clock_gettime, c, &t);
    return ns(t);
}

static long long by_libc(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return ns(t);
}

/* Whether reads alternating between libc (the vDSO) and the syscall never go back. */
static int agree(clockid_t c, int rounds) {
    long long last = by_libc(c);
    for (int i = 0; i < rounds; i++) {
        long long a = by_syscall(c), b = by_libc(c);
        if (a < last || b < a) return 0;
        last = b;
    }
    return 1;
}

static void image(void) {
    SECTION("the image");
    unsigned long base = getauxval(AT_SYSINFO_EHDR);
    FACT("AT_SYSINFO_EHDR is given", base != 0);
    if (!base) return;
    const Elf64_Ehdr *e = (const Elf64_Ehdr *)base;
    FACT("it points at an ELF header", memcmp(e->e_ident, ELFMAG, SELFMAG) == 0);
    FACT("a shared object", e->e_type == ET_DYN);
    FACT("page aligned", base % 4096 == 0);

    FILE *f = fopen("/proc/self/maps", "r");
    REQUIRE(f != NULL);
    char line[512];
    int named = 0, at_base = 0, executable = 0, data = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long start, end;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3) continue;
        if (strstr(line, "[vdso]")) {
            named++;
            at_base = start == base;
            executable = perms[0] == 'r' && perms[2] == 'x' && perms[1] == '-';
        }
        if (strstr(line, "[vvar]")) data = perms[0] == 'r' && perms[1] == '-';
    }
    fclose(f);
    VALUE("[vdso] lines in /proc/self/maps", named);
    FACT("[vdso] starts at AT_SYSINFO_EHDR", at_base);
    FACT("[vdso] is read-only and executable", executable);
    FACT("[vvar] is there, read-only", data);
}

static void clocks(void) {
    SECTION("libc and the syscall agree");
    FACT("CLOCK_MONOTONIC", agree(CLOCK_MONOTONIC, 2000));
    FACT("CLOCK_BOOTTIME", agree(CLOCK_BOOTTIME, 2000));
    FACT("CLOCK_MONOTONIC_RAW", agree(CLOCK_MONOTONIC_RAW, 2000));
    FACT("CLOCK_REALTIME", agree(CLOCK_REALTIME, 2000));
    long long coarse = by_libc(CLOCK_MONOTONIC_COARSE), fine = by_syscall(CLOCK_MONOTONIC);
    FACT("CLOCK_MONOTONIC_COARSE is at most a tick behind", fine - coarse >= 0 && fine - coarse < 100000000LL);

    struct timeval tv;
    REQUIRE(gettimeofday(&tv, NULL) == 0);
    long long real = by_syscall(CLOCK_REALTIME);
    FACT("gettimeofday within a second of the syscall", llabs(real / 1000 - (tv.tv_sec * 1000000LL + tv.tv_usec)) < 1000000);
    time_t t = time(NULL);
    FACT("time() within a second of the syscall", llabs(real / 1000000000LL - t) <= 1);
    /* The same two calls made as syscalls, as a program without libc's wrappers makes them. */
    struct timeval stv;
    SHOW("gettimeofday as a syscall", syscall(SYS_gettimeofday, &stv, NULL));
    FACT("  within a second of libc's", llabs((stv.tv_sec - tv.tv_sec) * 1000000LL + stv.tv_usec - tv.tv_usec) < 1000000);
    time_t st = 0;
    long sr = syscall(SYS_time, &st);
    FACT("time as a syscall returns what it stores, within a second of libc's", sr == st && llabs(st - t) <= 1);
    SHOW("gettimeofday as a syscall, bad pointer", syscall(SYS_gettimeofday, BAD_POINTER, NULL));
    SHOW("time as a syscall, bad pointer", syscall(SYS_time, BAD_POINTER));

    /* An absolute deadline taken from libc's clock is honoured by the kernel's sleep. */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 20 * 1000000;
    if (deadline.tv_nsec >= 1000000000) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000; }
    VALUE("clock_nanosleep to a libc deadline", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL));
    FACT("woke no earlier than the deadline", by_libc(CLOCK_MONOTONIC) >= ns(deadline));

    clock_gettime(CLOCK_BOOTTIME, &deadline);
    deadline.tv_nsec += 5 * 1000000;
    if (deadline.tv_nsec >= 1000000000) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000; }
    VALUE("clock_nanosleep to a CLOCK_BOOTTIME deadline", clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, &deadline, NULL));
    FACT("woke no earlier than it", by_syscall(CLOCK_BOOTTIME) >= ns(deadline));

    struct timespec res;
    SHOW("clock_getres CLOCK_MONOTONIC", clock_getres(CLOCK_MONOTONIC, &res));
    FACT("resolution of a nanosecond", res.tv_sec == 0 && res.tv_nsec == 1);
    SHOW("clock_gettime of a bad clock", clock_gettime(12345, &res));
    SHOW("clock_gettime CLOCK_PROCESS_CPUTIME_ID", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &res));

    int cpu = sched_getcpu();
    FACT("sched_getcpu names a CPU this process may run on", cpu >= 0 && cpu < CPU_SETSIZE);
}

static void *in_thread(void *arg) {
    (void)arg;
    return (void *)(long)(agree(CLOCK_MONOTONIC, 1000) && agree(CLOCK_REALTIME, 1000));
}

static void shared(void) {
    SECTION("threads, fork and execve");
    pthread_t th;
    void *ok;
    REQUIRE(pthread_create(&th, NULL, in_thread, NULL) == 0);
    REQUIRE(pthread_join(th, &ok) == 0);
    FACT("a second thread's reads agree", ok != NULL);

    unsigned long base = getauxval(AT_SYSINFO_EHDR);
    pid_t child = fork_flushed();
    REQUIRE(child >= 0);
    if (child == 0) {
        int same = getauxval(AT_SYSINFO_EHDR) == base && agree(CLOCK_MONOTONIC, 1000);
        _exit(same ? 0 : 1);
    }
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    FACT("a forked child keeps the vDSO where it was and its reads agree", WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void after_exec(void) {
    if (getenv("VDSO_EXECED")) {
        /* The execed image: its own auxv names a vDSO again. */
        _exit(getauxval(AT_SYSINFO_EHDR) != 0 && agree(CLOCK_MONOTONIC, 1000) ? 0 : 1);
    }
    pid_t child = fork_flushed();
    REQUIRE(child >= 0);
    if (child == 0) {
        setenv("VDSO_EXECED", "1", 1);
        execl("/proc/self/exe", "vdso", (char *)NULL);
        _exit(2);
    }
    int status;
    REQUIRE(waitpid(child, &status, 0) == child);
    FACT("an execed program gets a vDSO and its reads agree", WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void) {
    if (getenv("VDSO_EXECED")) after_exec();
    image();
    clocks();
    shared();
    after_exec();
    return 0;
}
