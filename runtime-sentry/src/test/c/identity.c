/*
 * Process identity and scheduling state: set*id family (in children, so the program keeps
 * root), supplementary groups, capabilities, scheduler queries and affinity, priorities,
 * getrlimit/setrlimit, getrusage and times, personality, syslog, memory locking and msync,
 * host and domain name validation. The program runs as root natively and in the sandbox.
 */
#include "behaviour.h"

#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static void print_ids(const char *label) {
    uid_t r, e, s;
    gid_t rg, eg, sg;
    REQUIRE(getresuid(&r, &e, &s) == 0 && getresgid(&rg, &eg, &sg) == 0);
    printf("  %s: uid %d/%d/%d gid %d/%d/%d\n", label, r, e, s, rg, eg, sg);
}

static void drop_uids(void) {
    SHOW("setgroups to one group", setgroups(1, (gid_t[]){65534}));
    gid_t list[4];
    VALUE("  getgroups", getgroups(4, list));
    SHOW("setgroups to none", setgroups(0, NULL));
    VALUE("  getgroups", getgroups(0, NULL));
    SHOW("setregid 100 200", setregid(100, 200));
    print_ids("after setregid");
    SHOW("setresgid 300 300 300", setresgid(300, 300, 300));
    SHOW("setgid 400", setgid(400));
    print_ids("after setgid");
    VALUE("setfsuid 1234 returns the old fsuid", setfsuid(1234));
    VALUE("setfsuid -1 reads it", setfsuid(-1));
    VALUE("setfsuid 0 again", setfsuid(0));
    VALUE("setfsgid 77 returns the old fsgid", setfsgid(77));
    VALUE("setfsgid -1 reads it", setfsgid(-1));
    SHOW("setreuid 1000 2000", setreuid(1000, 2000));
    print_ids("after setreuid");
    SHOW("setresuid 1000 1000 1000", setresuid(1000, 1000, 1000));
    print_ids("after setresuid");
    SHOW("setuid 0 without privilege", setuid(0));
    SHOW("setuid to itself", setuid(1000));
    SHOW("setresuid to another user", setresuid(-1, 3000, -1));
    SHOW("setgroups without privilege", setgroups(0, NULL));
    SHOW("setgid without privilege", setgid(0));
    VALUE("setfsuid 0 without privilege leaves it", setfsuid(0));
    VALUE("  still", setfsuid(-1));
}

static void credentials(void) {
    SECTION("credentials");
    print_ids("start");
    in_child(drop_uids);
    SHOW("setuid 0 as root", setuid(0));
    SHOW("setgid -1", syscall(SYS_setgid, -1));
    SHOW("setgroups negative size", setgroups(-1, NULL));
}

static void capabilities(void) {
    SECTION("capabilities");
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    SHOW("capget v3", syscall(SYS_capget, &h, d));
    FACT("  CAP_CHOWN effective", (d[0].effective & (1u << CAP_CHOWN)) != 0);
    FACT("  CAP_SYS_ADMIN effective", (d[0].effective & (1u << CAP_SYS_ADMIN)) != 0);
    SHOW("capset the same sets", syscall(SYS_capset, &h, d));
    h.version = 0;
    SHOW("capget unknown version", syscall(SYS_capget, &h, d));
    printf("  preferred version 0x%x\n", h.version);
    SHOW("capget NULL header", syscall(SYS_capget, NULL, d));
}

static void scheduling(void) {
    SECTION("scheduling");
    VALUE("sched_getscheduler", sched_getscheduler(0));
    struct sched_param p = {.sched_priority = 7};
    SHOW("sched_getparam", sched_getparam(0, &p));
    VALUE("  priority", p.sched_priority);
    VALUE("sched_get_priority_max SCHED_FIFO", sched_get_priority_max(SCHED_FIFO));
    VALUE("sched_get_priority_min SCHED_FIFO", sched_get_priority_min(SCHED_FIFO));
    VALUE("sched_get_priority_max SCHED_OTHER", sched_get_priority_max(SCHED_OTHER));
    VALUE("sched_get_priority_min SCHED_OTHER", sched_get_priority_min(SCHED_OTHER));
    SHOW("sched_get_priority_max bad policy", sched_get_priority_max(77));
    SHOW("sched_getscheduler missing pid", sched_getscheduler(999999));
    SHOW("sched_yield", sched_yield());
    struct sched_param zero = {.sched_priority = 0}, five = {.sched_priority = 5};
    SHOW("sched_setscheduler SCHED_BATCH", sched_setscheduler(0, SCHED_BATCH, &zero));
    VALUE("  sched_getscheduler", sched_getscheduler(0));
    pid_t kid = fork_flushed();
    if (kid == 0) _exit(sched_getscheduler(0));
    int kid_status;
    REQUIRE(waitpid(kid, &kid_status, 0) == kid);
    VALUE("  a forked child inherits it", WEXITSTATUS(kid_status));
    SHOW("sched_setparam priority 0", sched_setparam(0, &zero));
    SHOW("sched_setparam priority 5 under SCHED_BATCH", sched_setparam(0, &five));
    SHOW("sched_setscheduler SCHED_OTHER back", sched_setscheduler(0, SCHED_OTHER, &zero));
    VALUE("  sched_getscheduler", sched_getscheduler(0));
    SHOW("sched_setscheduler SCHED_OTHER priority 5", sched_setscheduler(0, SCHED_OTHER, &five));
    SHOW("sched_setscheduler SCHED_FIFO priority 0", sched_setscheduler(0, SCHED_FIFO, &zero));
    SHOW("sched_setscheduler unknown policy", sched_setscheduler(0, 77, &zero));
    SHOW("sched_setscheduler missing pid", sched_setscheduler(999999, SCHED_OTHER, &zero));
    SHOW("sched_setscheduler negative pid", sched_setscheduler(-1, SCHED_OTHER, &zero));
    SHOW("sched_setscheduler bad param pointer", sched_setscheduler(0, SCHED_OTHER, BAD_POINTER));
    long be3 = (2L << 13) | 3;
    SHOW("ioprio_set best-effort level 3", syscall(SYS_ioprio_set, 1, 0, be3));
    FACT("  ioprio_get reads it back", syscall(SYS_ioprio_get, 1, 0) == be3);
    SHOW("ioprio_set an unknown class", syscall(SYS_ioprio_set, 1, 0, 7L << 13));
    SHOW("ioprio_set back to none", syscall(SYS_ioprio_set, 1, 0, 0L));
    SHOW("ioprio_get missing pid", syscall(SYS_ioprio_get, 1, 999999));
    SHOW("ioprio_get bad which", syscall(SYS_ioprio_get, 9, 0));
    struct timespec quantum;
    SHOW("sched_rr_get_interval", sched_rr_get_interval(0, &quantum));
    SHOW("sched_rr_get_interval missing pid", sched_rr_get_interval(999999, &quantum));
    cpu_set_t set;
    CPU_ZERO(&set);
    SHOW("sched_getaffinity", sched_getaffinity(0, sizeof set, &set));
    FACT("  at least one CPU", CPU_COUNT(&set) >= 1);
    int first = -1;
    for (int i = 0; i < CPU_SETSIZE && first < 0; i++) if (CPU_ISSET(i, &set)) first = i;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    SHOW("sched_setaffinity to one allowed CPU", sched_setaffinity(0, sizeof one, &one));
    SHOW("sched_setaffinity back", sched_setaffinity(0, sizeof set, &set));
    SHOW("sched_setaffinity missing pid", sched_setaffinity(999999, sizeof set, &set));
    unsigned cpu = 9999, node = 9999;
    SHOW("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    FACT("  cpu is in the affinity mask", cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set));
    errno = 0;
    getpriority(PRIO_PROCESS, 0);
    printf("getpriority: %s\n", errno ? errno_name(errno) : "ok");
    SHOW("getpriority bad which", getpriority(9, 0));
    SHOW("setpriority bad which", setpriority(9, 0, 0));
    SHOW("setpriority missing pid", setpriority(PRIO_PROCESS, 999999, 0));
}

/* Spins until this process's CPU clock has advanced by ms milliseconds. */
static void burn_cpu(int ms) {
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    do {
        for (volatile int i = 0; i < 100000; i++) {}
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    } while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static long ms_of(struct timeval u, struct timeval s) {
    return (u.tv_sec + s.tv_sec) * 1000 + (u.tv_usec + s.tv_usec) / 1000;
}

static void cpu_accounting(void) {
    SECTION("CPU accounting");
    burn_cpu(100);
    struct rusage ru;
    REQUIRE(getrusage(RUSAGE_SELF, &ru) == 0);
    FACT("RUSAGE_SELF counts the 100ms just spent", ms_of(ru.ru_utime, ru.ru_stime) >= 80);
    FACT("  ru_maxrss is set", ru.ru_maxrss > 0);
    REQUIRE(getrusage(RUSAGE_THREAD, &ru) == 0);
    FACT("RUSAGE_THREAD too", ms_of(ru.ru_utime, ru.ru_stime) >= 80);
    struct tms before;
    REQUIRE(times(&before) != (clock_t)-1);
    pid_t child = fork_flushed();
    if (child == 0) {
        burn_cpu(150);
        _exit(0);
    }
    struct rusage kids_before;
    REQUIRE(getrusage(RUSAGE_CHILDREN, &kids_before) == 0);
    REQUIRE(waitpid(child, NULL, 0) == child);
    REQUIRE(getrusage(RUSAGE_CHILDREN, &ru) == 0);
    FACT("RUSAGE_CHILDREN grows by the reaped child's 150ms",
         ms_of(ru.ru_utime, ru.ru_stime) - ms_of(kids_before.ru_utime, kids_before.ru_stime) >= 120);
    struct tms after;
    REQUIRE(times(&after) != (clock_t)-1);
    FACT("times: children's ticks grew by at least 12", (after.tms_cutime + after.tms_cstime) - (before.tms_cutime + before.tms_cstime) >= 12);
    FACT("times: own ticks at least 8", after.tms_utime + after.tms_stime >= 8);
    child = fork_flushed();
    if (child == 0) {
        burn_cpu(100);
        _exit(0);
    }
    REQUIRE(wait4(child, NULL, 0, &ru) == child);
    FACT("wait4 reports the child's 100ms", ms_of(ru.ru_utime, ru.ru_stime) >= 80);
}

static void limits_and_usage(void) {
    SECTION("limits and usage");
    struct rlimit rl;
    SHOW("getrlimit RLIMIT_CORE", syscall(SYS_getrlimit, RLIMIT_CORE, &rl));
    struct rlimit lower = {.rlim_cur = 0, .rlim_max = rl.rlim_max};
    SHOW("setrlimit RLIMIT_CORE soft 0", syscall(SYS_setrlimit, RLIMIT_CORE, &lower));
    REQUIRE(syscall(SYS_getrlimit, RLIMIT_CORE, &rl) == 0);
    VALUE("  soft", rl.rlim_cur);
    SHOW("getrlimit bad resource", syscall(SYS_getrlimit, 99, &rl));
    SHOW("setrlimit bad pointer", syscall(SYS_setrlimit, RLIMIT_CORE, BAD_POINTER));
    struct rusage ru;
    SHOW("getrusage RUSAGE_SELF", getrusage(RUSAGE_SELF, &ru));
    SHOW("getrusage RUSAGE_CHILDREN", getrusage(RUSAGE_CHILDREN, &ru));
    SHOW("getrusage RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru));
    SHOW("getrusage bad who", getrusage(5, &ru));
    struct tms t;
    clock_t c = times(&t);
    FACT("times returns a tick count", c != (clock_t)-1);
    SHOW("times bad pointer", syscall(SYS_times, BAD_POINTER));
}

static void persona_and_log(void) {
    SECTION("personality, syslog, names");
    VALUE("personality query, PER_MASK bits", personality(0xffffffff) & PER_MASK);
    VALUE("personality PER_LINUX", personality(PER_LINUX) & PER_MASK);
    char buf[64];
    FACT("syslog SIZE_BUFFER is positive", syscall(SYS_syslog, 10, NULL, 0) > 0);
    VALUE("syslog READ_ALL length 0", syscall(SYS_syslog, 3, buf, 0));
    SHOW("syslog bad type", syscall(SYS_syslog, 99, NULL, 0));
    SHOW("syslog READ_ALL negative length", syscall(SYS_syslog, 3, buf, -1));
    char longname[80];
    memset(longname, 'x', sizeof longname);
    SHOW("sethostname longer than 64", sethostname(longname, sizeof longname));
    SHOW("setdomainname longer than 64", setdomainname(longname, sizeof longname));
    SHOW("sethostname bad pointer", sethostname(BAD_POINTER, 8));
}

static void memory_locks(void) {
    SECTION("memory locking and msync");
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(m != MAP_FAILED);
    SHOW("mlock", mlock(m, 2 * page));
    SHOW("munlock", munlock(m, 2 * page));
    SHOW("mlock2 MLOCK_ONFAULT", syscall(SYS_mlock2, m, page, 1));
    SHOW("mlock2 bad flags", syscall(SYS_mlock2, m, page, 8));
    SHOW("mlockall MCL_CURRENT", mlockall(MCL_CURRENT));
    SHOW("munlockall", munlockall());
    SHOW("mlockall no flags", mlockall(0));
    SHOW("msync MS_SYNC", msync(m, page, MS_SYNC));
    SHOW("msync MS_ASYNC", msync(m, page, MS_ASYNC));
    SHOW("msync MS_SYNC|MS_ASYNC", msync(m, page, MS_SYNC | MS_ASYNC));
    SHOW("msync unaligned", msync(m + 1, page, MS_SYNC));
    REQUIRE(munmap(m, 4 * page) == 0);
    SHOW("msync unmapped", msync(m, page, MS_SYNC));
    SHOW("mlock unmapped", mlock(m, page));
}

int main(void) {
    credentials();
    capabilities();
    scheduling();
    limits_and_usage();
    cpu_accounting();
    persona_and_log();
    memory_locks();
    return 0;
}
